/* SPDX-License-Identifier: Apache-2.0 */
/* test_readfile.c: the configuration-file reader loads one stable version
 * of a file that changes while it is read, and refuses a FIFO at once. */
#include "test_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <apr_file_io.h>

/* The reader with its test hook: this copy alone calls
 * cfaop_readfile_test_hook between the read and the second look. Its
 * names are changed so that it does not meet the engine's own. */
#define CFAOP_READFILE_TEST 1
#define cfaop_read_stable hooked_read_stable
#define cfaop_skip_bom hooked_skip_bom
#include "readfile.c"
#undef cfaop_read_stable
#undef cfaop_skip_bom

/* readfile.h was read under the changed names: the engine's own. */
const char *cfaop_read_stable(apr_pool_t *pool, const char *path, apr_size_t max,
                              char **data, apr_size_t *len);
const char *cfaop_skip_bom(const char *data, apr_size_t *len);

#include "denyfile.h"

/* What the hook does to the file on each attempt. */
enum { HOOK_NONE, HOOK_REWRITE_ONCE, HOOK_REWRITE_ALWAYS, HOOK_RENAME_ONCE, HOOK_TOUCH_ONCE };
static int hook_mode;
static int hook_calls;
static const char *hook_other;          /* HOOK_RENAME_ONCE: the new version */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

void cfaop_readfile_test_hook(const char *path, int attempt)
{
    hook_calls++;
    switch (hook_mode) {
    case HOOK_REWRITE_ONCE:
        if (attempt == 1)
            write_file(path, "0A\n0B\n0C\n");  /* cut while being read, then complete */
        break;
    case HOOK_REWRITE_ALWAYS:
        write_file(path, attempt % 2 ? "0A\n" : "0A\n0B\n");
        break;
    case HOOK_RENAME_ONCE:
        if (attempt == 1)
            ck_assert_int_eq(rename(hook_other, path), 0);
        break;
    case HOOK_TOUCH_ONCE:
        if (attempt == 1) {
            /* same size, same second: only the nanoseconds differ */
            struct stat st;
            struct timespec times[2];
            ck_assert_int_eq(stat(path, &st), 0);
            times[0] = st.st_atim;
            times[1] = st.st_mtim;
            times[1].tv_nsec = (times[1].tv_nsec + 1) % 1000000000L;
            ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
        }
        break;
    default:
        break;
    }
}

static void hook(int mode)
{
    hook_mode = mode;
    hook_calls = 0;
}

START_TEST(stable_file_is_read_once)
{
    const char *path = tu_write_temp("0A\n0B\n", 6);
    char *data;
    apr_size_t len;

    hook(HOOK_NONE);
    ck_assert_ptr_null(hooked_read_stable(tu_pool, path, 1024, &data, &len));
    ck_assert_uint_eq(len, 6);
    ck_assert_str_eq(data, "0A\n0B\n");
    ck_assert_int_eq(hook_calls, 1);
}
END_TEST

START_TEST(file_rewritten_while_read_is_read_again)
{
    const char *path = tu_write_temp("0A\n0", 4);
    char *data;
    apr_size_t len;

    hook(HOOK_REWRITE_ONCE);
    ck_assert_ptr_null(hooked_read_stable(tu_pool, path, 1024, &data, &len));
    ck_assert_str_eq(data, "0A\n0B\n0C\n");
    ck_assert_int_eq(hook_calls, 2);
}
END_TEST

START_TEST(file_replaced_by_mv_while_read_is_read_again)
{
    const char *path = tu_write_temp("0A\n", 3);
    char *data;
    apr_size_t len;

    hook_other = tu_write_temp("0A\n0D\n", 6);
    hook(HOOK_RENAME_ONCE);
    ck_assert_ptr_null(hooked_read_stable(tu_pool, path, 1024, &data, &len));
    ck_assert_str_eq(data, "0A\n0D\n");
    ck_assert_int_eq(hook_calls, 2);
}
END_TEST

START_TEST(nanosecond_mtime_change_is_read_again)
{
    const char *path = tu_write_temp("0A\n0B\n", 6);
    char *data;
    apr_size_t len;

    hook(HOOK_TOUCH_ONCE);
    ck_assert_ptr_null(hooked_read_stable(tu_pool, path, 1024, &data, &len));
    ck_assert_str_eq(data, "0A\n0B\n");
    ck_assert_int_eq(hook_calls, 2);
}
END_TEST

START_TEST(file_that_never_settles_is_an_error)
{
    const char *path = tu_write_temp("0A\n", 3);
    char *data;
    apr_size_t len;

    hook(HOOK_REWRITE_ALWAYS);
    ck_assert_str_eq(hooked_read_stable(tu_pool, path, 1024, &data, &len),
                     apr_psprintf(tu_pool, "%s changed while it was read (5 times): write the "
                                  "new version to another file and mv it over this one, then "
                                  "reload", path));
    ck_assert_int_eq(hook_calls, CFAOP_READ_ATTEMPTS);
}
END_TEST

START_TEST(too_large_file_is_refused)
{
    const char *path = tu_write_temp("0A\n0B\n", 6);
    char *data;
    apr_size_t len;

    ck_assert_str_eq(cfaop_read_stable(tu_pool, path, 5, &data, &len),
                     apr_psprintf(tu_pool, "%s is larger than 5 bytes", path));
}
END_TEST

/* Opening a FIFO for reading waits for a writer: the reader must not
 * (Check's timeout fails the test if it does). */
START_TEST(fifo_is_refused_without_waiting)
{
    const char *dir = NULL, *fifo;
    char *data;
    apr_size_t len;

    ck_assert_int_eq(apr_temp_dir_get(&dir, tu_pool), APR_SUCCESS);
    fifo = apr_psprintf(tu_pool, "%s/cfaop-fifo-%ld", dir, (long)getpid());
    unlink(fifo);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_str_eq(cfaop_read_stable(tu_pool, fifo, 1024, &data, &len),
                     apr_psprintf(tu_pool, "%s is not a regular file (it is a FIFO)", fifo));
    ck_assert_str_eq(cfaop_denyfile_load(tu_pool, fifo, cfaop_serialset_create(tu_pool), NULL),
                     apr_psprintf(tu_pool, "%s is not a regular file (it is a FIFO)", fifo));
    unlink(fifo);
}
END_TEST

START_TEST(bom_is_skipped)
{
    apr_size_t len = 6;
    const char *text = "\xef\xbb\xbf" "0A\n";

    ck_assert_str_eq(cfaop_skip_bom(text, &len), "0A\n");
    ck_assert_uint_eq(len, 3);
    len = 3;
    ck_assert_str_eq(cfaop_skip_bom("0A\n", &len), "0A\n");
    ck_assert_uint_eq(len, 3);
    len = 2;
    ck_assert_str_eq(cfaop_skip_bom("\xef\xbb", &len), "\xef\xbb");
}
END_TEST

Suite *readfile_suite(void)
{
    Suite *s = suite_create("readfile");
    TCase *tc = tu_tcase("readfile");

    tcase_add_test(tc, stable_file_is_read_once);
    tcase_add_test(tc, file_rewritten_while_read_is_read_again);
    tcase_add_test(tc, file_replaced_by_mv_while_read_is_read_again);
    tcase_add_test(tc, nanosecond_mtime_change_is_read_again);
    tcase_add_test(tc, file_that_never_settles_is_an_error);
    tcase_add_test(tc, too_large_file_is_refused);
    tcase_add_test(tc, fifo_is_refused_without_waiting);
    tcase_add_test(tc, bom_is_skipped);
    suite_add_tcase(s, tc);
    return s;
}
