/* SPDX-License-Identifier: Apache-2.0 */
/* readfile.c: configuration files read whole from one stable version.
 *
 * `apachectl graceful` reads every list while an admin (or a cron job) may
 * be rewriting it in place: a file cut mid-line or emptied would load as a
 * shorter list, and the certificates it no longer names would pass. So a
 * read counts only when the file is the same before and after it. */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <apr_strings.h>
#include <apr_time.h>

/* The unit test compiles this file itself with CFAOP_READFILE_TEST to
 * change the file between the read and the second look at it; the
 * module's build has no such hook. */
#ifdef CFAOP_READFILE_TEST
void cfaop_readfile_test_hook(const char *path, int attempt);
#define AFTER_READ(path, attempt) cfaop_readfile_test_hook(path, attempt)
#else
#define AFTER_READ(path, attempt) ((void)(path), (void)(attempt))
#endif

static int same_version(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size
        && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec
        && a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static const char *file_kind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return " (it is a FIFO)";
    if (S_ISDIR(mode))
        return "";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return " (it is a device)";
    if (S_ISSOCK(mode))
        return " (it is a socket)";
    return "";
}

static apr_status_t free_buffer(void *buf)
{
    free(buf);
    return APR_SUCCESS;
}

/* One attempt: 1 = read from a stable version, 0 = changed meanwhile,
 * -1 = an error in *err. */
static int read_once(apr_pool_t *pool, const char *path, apr_size_t max, int attempt,
                     char **data, apr_size_t *len, const char **err)
{
    struct stat before, after, named;
    apr_size_t size, got = 0;
    char *buf;
    int fd, stable;

    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        *err = apr_psprintf(pool, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &before) != 0 || !S_ISREG(before.st_mode)) {
        *err = apr_psprintf(pool, "%s is not a regular file%s", path, file_kind(before.st_mode));
        close(fd);
        return -1;
    }
    if ((unsigned long long)before.st_size > (unsigned long long)max) {
        *err = apr_psprintf(pool, "%s is larger than %" APR_SIZE_T_FMT " bytes", path, max);
        close(fd);
        return -1;
    }
    size = (apr_size_t)before.st_size;
    /* One byte more than the size: reading it means the file grew. From
     * malloc, not the pool: a big list (40 MiB for a million serials) is
     * given back to the system when the caller's pool goes, where an APR
     * allocator would keep it in the parent and every child. */
    if ((buf = malloc(size + 2)) == NULL) {
        *err = apr_psprintf(pool, "%s: out of memory (%" APR_SIZE_T_FMT " bytes)", path, size);
        close(fd);
        return -1;
    }
    for (;;) {
        ssize_t n = read(fd, buf + got, size + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = apr_psprintf(pool, "cannot read %s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        got += (apr_size_t)n;
        if (got == size + 1)
            break;
    }
    AFTER_READ(path, attempt);
    stable = got == size && fstat(fd, &after) == 0 && same_version(&before, &after)
             && stat(path, &named) == 0 && same_version(&before, &named);
    close(fd);
    if (!stable) {
        free(buf);
        return 0;
    }
    apr_pool_cleanup_register(pool, buf, free_buffer, apr_pool_cleanup_null);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 1;
}

const char *cfaop_read_stable(apr_pool_t *pool, const char *path, apr_size_t max,
                              char **data, apr_size_t *len)
{
    const char *err = NULL;
    int attempt;

    for (attempt = 1; attempt <= CFAOP_READ_ATTEMPTS; attempt++) {
        int rc = read_once(pool, path, max, attempt, data, len, &err);

        if (rc != 0)
            return rc > 0 ? NULL : err;
        /* let the writer finish */
        apr_sleep(apr_time_from_msec(20 * attempt));
    }
    return apr_psprintf(pool, "%s changed while it was read (%d times): write the new "
                        "version to another file and mv it over this one, then reload",
                        path, CFAOP_READ_ATTEMPTS);
}

const char *cfaop_skip_bom(const char *data, apr_size_t *len)
{
    if (*len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        *len -= 3;
        return data + 3;
    }
    return data;
}
