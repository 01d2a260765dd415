/* SPDX-License-Identifier: Apache-2.0 */
/* test_logesc.c: peer values in log lines are quoted, escaped and bounded;
 * ASCII helpers give the same answers whatever the locale. */
#include "test_util.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "logesc.h"

START_TEST(plain_value_is_quoted)
{
    ck_assert_str_eq(cfaop_log_quote(tu_pool, "www.example.com"), "\"www.example.com\"");
    ck_assert_str_eq(cfaop_log_quote(tu_pool, ""), "\"\"");
    ck_assert_str_eq(cfaop_log_quote(tu_pool, NULL), "-");
}
END_TEST

START_TEST(quotes_and_backslashes_cannot_end_the_value)
{
    ck_assert_str_eq(cfaop_log_quote(tu_pool, "x\" reason=ok"), "\"x\\\" reason=ok\"");
    ck_assert_str_eq(cfaop_log_quote(tu_pool, "a\\b"), "\"a\\\\b\"");
}
END_TEST

START_TEST(control_and_non_ascii_bytes_are_hex)
{
    ck_assert_str_eq(cfaop_log_quote(tu_pool, "a\nb\tc\x7f\xc3\xa9"),
                     "\"a\\x0ab\\x09c\\x7f\\xc3\\xa9\"");
    ck_assert_str_eq(cfaop_log_quote_mem(tu_pool, "a\0b", 3), "\"a\\x00b\"");
}
END_TEST

START_TEST(long_value_is_cut_and_marked)
{
    char big[4096];
    const char *q;

    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    q = cfaop_log_quote(tu_pool, big);
    ck_assert_uint_le(strlen(q), CFAOP_LOG_VALUE_MAX);
    ck_assert_int_eq(q[0], '"');
    ck_assert_str_eq(q + strlen(q) - 2, "\"+");
    /* a value exactly at the limit is not cut */
    big[CFAOP_LOG_VALUE_MAX - 3] = '\0';
    q = cfaop_log_quote(tu_pool, big);
    ck_assert_uint_eq(strlen(q), CFAOP_LOG_VALUE_MAX - 1);
    ck_assert_int_eq(q[strlen(q) - 1], '"');
}
END_TEST

START_TEST(cut_never_splits_an_escape)
{
    char big[1024];
    const char *q;
    size_t n;

    memset(big, '\x01', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    q = cfaop_log_quote(tu_pool, big);
    n = strlen(q);
    ck_assert_uint_le(n, CFAOP_LOG_VALUE_MAX);
    ck_assert_str_eq(q + n - 2, "\"+");
    /* between the quotes: whole \x01 escapes only */
    ck_assert_uint_eq((n - 3) % 4, 0);
}
END_TEST

START_TEST(long_message_is_bounded)
{
    char big[5000];
    const char *m;

    memset(big, 'm', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    m = cfaop_log_bound(tu_pool, big);
    ck_assert_uint_eq(strlen(m), CFAOP_LOG_MSG_MAX);
    ck_assert_str_eq(m + strlen(m) - 6, " [cut]");
    m = "short";
    ck_assert_ptr_eq(cfaop_log_bound(tu_pool, m), m);
}
END_TEST

/* Under tr_TR.UTF-8, tolower('I') is 'I' and strcasecmp("I", "i") != 0. */
START_TEST(ascii_helpers_ignore_the_locale)
{
    const char *old = setlocale(LC_ALL, NULL);
    char *saved = old ? strdup(old) : NULL;

    if (setlocale(LC_ALL, "tr_TR.UTF-8") == NULL)
        ck_abort_msg("the tr_TR.UTF-8 locale is missing (make deps installs it)");
    ck_assert_int_eq(cfaop_ascii_tolower('I'), 'i');
    ck_assert_int_eq(cfaop_ascii_toupper('i'), 'I');
    ck_assert_int_eq(cfaop_ascii_strcasecmp("CLIENT-CERT", "client-cert"), 0);
    ck_assert_int_eq(cfaop_ascii_strncasecmp("WIKI.example", "wiki.EXAMPLE", 12), 0);
    ck_assert_int_ne(cfaop_ascii_strcasecmp("I", "\xc4\xb1"), 0);
    ck_assert(cfaop_ascii_isxdigit('F') && cfaop_ascii_isxdigit('a') && !cfaop_ascii_isxdigit('g'));
    ck_assert(!cfaop_ascii_isalpha(0xe7) && !cfaop_ascii_isspace(0xa0));
    setlocale(LC_ALL, saved ? saved : "C");
    free(saved);
}
END_TEST

Suite *logesc_suite(void)
{
    Suite *s = suite_create("logesc");
    TCase *tc = tu_tcase("logesc");

    tcase_add_test(tc, plain_value_is_quoted);
    tcase_add_test(tc, quotes_and_backslashes_cannot_end_the_value);
    tcase_add_test(tc, control_and_non_ascii_bytes_are_hex);
    tcase_add_test(tc, long_value_is_cut_and_marked);
    tcase_add_test(tc, cut_never_splits_an_escape);
    tcase_add_test(tc, long_message_is_bounded);
    tcase_add_test(tc, ascii_helpers_ignore_the_locale);
    suite_add_tcase(s, tc);
    return s;
}
