/* SPDX-License-Identifier: Apache-2.0 */
/* test_hostmap.c: hostname checks, the map's lookups and map-file lines;
 * and every configuration parser giving the same answer under a locale
 * whose case rules are not ASCII's. */
#include "test_util.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>

#include "directive.h"
#include "hostmap.h"
#include "pin.h"
#include "serial.h"

START_TEST(hostname_is_lower_cased)
{
    const char *out = NULL;

    ck_assert_ptr_null(cfaop_hostname_normalize(tu_pool, "WWW.Example.COM.", &out));
    ck_assert_str_eq(out, "www.example.com");
    ck_assert_ptr_null(cfaop_hostname_normalize(tu_pool, "*.Example.com", &out));
    ck_assert_str_eq(out, "*.example.com");
    ck_assert_ptr_nonnull(cfaop_hostname_normalize(tu_pool, "a*.example.com", &out));
    ck_assert_ptr_nonnull(cfaop_hostname_normalize(tu_pool, "caf\xc3\xa9.example", &out));
}
END_TEST

START_TEST(lookup_exact_beats_wildcard)
{
    cfaop_hostmap_t *map = cfaop_hostmap_create(tu_pool);
    const char *entry = NULL;
    int a = 1, b = 2;

    ck_assert_ptr_null(cfaop_hostmap_add(map, "*.example.com", "line 1", &a));
    ck_assert_ptr_null(cfaop_hostmap_add(map, "app.example.com", "line 2", &b));
    ck_assert_ptr_eq(cfaop_hostmap_lookup(map, "APP.example.com.", &entry), &b);
    ck_assert_str_eq(entry, "app.example.com");
    ck_assert_ptr_eq(cfaop_hostmap_lookup(map, "other.EXAMPLE.com", &entry), &a);
    ck_assert_ptr_null(cfaop_hostmap_lookup(map, "example.com", NULL));
    ck_assert_ptr_null(cfaop_hostmap_lookup(map, "a.b.example.com", NULL));
    ck_assert_ptr_nonnull(cfaop_hostmap_add(map, "app.example.com", "line 3", &a));
}
END_TEST

START_TEST(map_line_comment_and_files)
{
    const char *host;
    apr_array_header_t *files;
    char *line = apr_pstrdup(tu_pool, "app.example.com /a.pem\t/b.pem # old CA\r\n");

    ck_assert_ptr_null(cfaop_hostmap_parse_line(tu_pool, line, &host, &files));
    ck_assert_str_eq(host, "app.example.com");
    ck_assert_int_eq(files->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(files, 1, const char *), "/b.pem");
    line = apr_pstrdup(tu_pool, "  # a comment");
    ck_assert_ptr_null(cfaop_hostmap_parse_line(tu_pool, line, &host, &files));
    ck_assert_ptr_null(host);
    line = apr_pstrdup(tu_pool, "app.example.com");
    ck_assert_ptr_nonnull(cfaop_hostmap_parse_line(tu_pool, line, &host, &files));
}
END_TEST

/* A CFAOPHostnameMap file through the one line reader: a BOM, blank and
 * comment lines skipped, each hostname line with where it was written;
 * an error names the line and the file. */
START_TEST(map_file_lines)
{
    static const char text[] = "\xef\xbb\xbf" "a.example.com /a.pem # x\n\n# c\n"
                               "*.b.example.com /a.pem /b.pem\r\n";
    const char *path = tu_write_temp(text, sizeof(text) - 1), *bad;
    const cfaop_hostmap_line_t *line;
    apr_array_header_t *lines;

    ck_assert_ptr_null(cfaop_hostmap_file_load(tu_pool, path, &lines));
    ck_assert_int_eq(lines->nelts, 2);
    line = &APR_ARRAY_IDX(lines, 1, cfaop_hostmap_line_t);
    ck_assert_str_eq(line->hostname, "*.b.example.com");
    ck_assert_int_eq(line->files->nelts, 2);
    ck_assert_str_eq(line->origin, apr_psprintf(tu_pool, "line 4 of %s", path));
    bad = tu_write_temp("a.example.com /a.pem\nb.example.com\n", 35);
    ck_assert_str_eq(cfaop_hostmap_file_load(tu_pool, bad, &lines),
                     apr_psprintf(tu_pool, "line 2 of %s: 'b.example.com' has no CA file "
                                  "(expected: hostname ca-file [ca-file ...])", bad));
    bad = tu_write_temp("a.example.com /a.pem\nb.exa\0mple.com /a.pem\n", 43);
    ck_assert_str_eq(cfaop_hostmap_file_load(tu_pool, bad, &lines),
                     apr_psprintf(tu_pool, "line 2 of %s: it has a NUL byte (the file is not "
                                  "a text file)", bad));
}
END_TEST

/* A PHP script or an embedded interpreter may call setlocale() in the
 * child. Under tr_TR.UTF-8, tolower('I') is 'I' (the dotless i is
 * another character), so a locale-following fold would miss "WIKI". */
static char *saved_locale;

static void turkish(void)
{
    const char *old = setlocale(LC_ALL, NULL);

    saved_locale = old ? strdup(old) : NULL;
    if (setlocale(LC_ALL, "tr_TR.UTF-8") == NULL)
        ck_abort_msg("the tr_TR.UTF-8 locale is missing (make deps installs it)");
}

static void restore(void)
{
    setlocale(LC_ALL, saved_locale ? saved_locale : "C");
    free(saved_locale);
    saved_locale = NULL;
}

START_TEST(turkish_hostnames_fold)
{
    cfaop_hostmap_t *map = cfaop_hostmap_create(tu_pool);
    const char *out = NULL, *entry = NULL;
    int v = 1;

    turkish();
    ck_assert_ptr_null(cfaop_hostname_normalize(tu_pool, "WIKI.EXAMPLE.IO", &out));
    ck_assert_str_eq(out, "wiki.example.io");
    ck_assert_ptr_null(cfaop_hostmap_add(map, out, "line 1", &v));
    ck_assert_ptr_null(cfaop_hostname_normalize(tu_pool, "*.INTRANET.example", &out));
    ck_assert_ptr_null(cfaop_hostmap_add(map, out, "line 2", &v));
    ck_assert_ptr_eq(cfaop_hostmap_lookup(map, "Wiki.Example.IO", &entry), &v);
    ck_assert_str_eq(entry, "wiki.example.io");
    ck_assert_ptr_eq(cfaop_hostmap_lookup(map, "MAIL.INTRANET.EXAMPLE", &entry), &v);
    ck_assert_str_eq(entry, "*.intranet.example");
    restore();
}
END_TEST

START_TEST(turkish_keywords_and_numbers)
{
    int mode = CFAOP_MODE_UNSET;
    int cch;
    cfaop_serial_t serial;
    unsigned char pin[CFAOP_PIN_LEN];
    int flag = -1;

    turkish();
    ck_assert_ptr_null(cfaop_parse_keyword(&cfaop_mode_keywords, "REPORTONLY", &mode));
    ck_assert_int_eq(mode, CFAOP_MODE_REPORT_ONLY);
    ck_assert_ptr_null(cfaop_parse_keyword(&cfaop_cch_keywords, "STRIP", &cch));
    ck_assert_int_eq(cch, CFAOP_CCH_STRIP);
    ck_assert_ptr_null(cfaop_parse_keyword(&cfaop_cch_keywords, "VERIFY", &cch));
    ck_assert_int_eq(cch, CFAOP_CCH_VERIFY);
    ck_assert_ptr_null(cfaop_parse_keyword(&cfaop_on_off_keywords, "ON", &flag));
    ck_assert_int_eq(flag, 1);
    ck_assert_ptr_null(cfaop_serial_parse(tu_pool, "SERIAL=0A1B", &serial));
    ck_assert_int_eq(serial.len, 2);
    ck_assert_ptr_null(cfaop_serial_parse(tu_pool, "0XFF", &serial));
    ck_assert_ptr_null(cfaop_serial_parse(tu_pool, "DEC:255", &serial));
    ck_assert_int_eq(serial.bytes[0], 0xff);
    ck_assert_ptr_null(cfaop_pin_parse_sha256(tu_pool, "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
                                              "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89", pin));
    ck_assert_int_eq(pin[0], 0xab);
    restore();
}
END_TEST

Suite *hostmap_suite(void)
{
    Suite *s = suite_create("hostmap");
    TCase *tc = tu_tcase("hostmap");
    TCase *loc = tu_tcase("locale");

    tcase_add_test(tc, hostname_is_lower_cased);
    tcase_add_test(tc, lookup_exact_beats_wildcard);
    tcase_add_test(tc, map_line_comment_and_files);
    tcase_add_test(tc, map_file_lines);
    tcase_add_test(loc, turkish_hostnames_fold);
    tcase_add_test(loc, turkish_keywords_and_numbers);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, loc);
    return s;
}
