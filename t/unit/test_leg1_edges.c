/* SPDX-License-Identifier: Apache-2.0 */
/* test_leg1_edges.c: the request side's edges of Leg-1 handling: names
 * spelt with '_', trailers merged into the headers, removal that keeps the
 * table's other entries in order, and all of it under a locale whose
 * case rules are not ASCII's (tr_TR.UTF-8: tolower('I') is not 'i'). */
#include "test_util.h"

#include <ctype.h>

#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "leg1.h"

Suite *leg1_edges_suite(void);

static apr_table_t *table_of(const char *first, ...)
{
    apr_table_t *t = apr_table_make(tu_pool, 8);
    const char *k;
    va_list ap;

    va_start(ap, first);
    for (k = first; k != NULL; k = va_arg(ap, const char *))
        apr_table_add(t, k, va_arg(ap, const char *));   /* copies, as httpd reads them */
    va_end(ap);
    return t;
}

static const char *keys_of(const apr_table_t *t)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    const char *out = "";
    int i;

    for (i = 0; i < arr->nelts; i++)
        out = apr_pstrcat(tu_pool, out, i ? " " : "", e[i].key, NULL);
    return out;
}

/* The locale a module such as PHP or an embedded interpreter may set. */
static char *saved_locale;

static void back_to_c(void);

static void turkish(void)
{
    const char *old = setlocale(LC_ALL, NULL);

    saved_locale = old ? strdup(old) : NULL;
    if (setlocale(LC_ALL, "tr_TR.UTF-8") == NULL)
        ck_abort_msg("the tr_TR.UTF-8 locale is missing (make deps installs it)");
    /* The premise: the C library's case rules no longer fold 'I' (checked
     * with tolower(), which sanitizer runtimes do not replace; their own
     * strcasecmp() ignores the locale). */
    if (tolower('I') == 'i') {
        back_to_c();
        ck_abort_msg("tr_TR.UTF-8 still folds 'I' to 'i': the locale is not the Turkish one");
    }
}

static void back_to_c(void)
{
    setlocale(LC_ALL, saved_locale ? saved_locale : "C");
    free(saved_locale);
    saved_locale = NULL;
}

/* ---- names ---------------------------------------------------------- */

START_TEST(underscored_names)
{
    static const char *const yes[] = {
        "cf_client_cert_sha256", "client_cert", "CF_CERT_VERIFIED", "Client_Cert_Chain",
        "cf-cert-subject_dn", "cf_client-cert-x", "CLIENT_CERT",
    };
    static const char *const no[] = {
        "cf-client-cert-sha256", "client-cert", "CF-CERT-VERIFIED", "x_client_cert",
        "client_certx", "cf_cert_", "X_AOP_Verified", "Cookie",
    };
    size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        ck_assert_msg(cfaop_leg1_underscored(yes[i]), "%s", yes[i]);
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        ck_assert_msg(!cfaop_leg1_underscored(no[i]), "%s", no[i]);
}
END_TEST

START_TEST(strip_underscored_keeps_cloudflare_spelling)
{
    apr_table_t *t = table_of("Host", "a", "cf-cert-verified", "true",
                              "cf_client_cert_sha256", "00", "client_cert", ":QUJD:",
                              "CF_CERT_VERIFIED", "true", "Client-Cert", ":QUJD:",
                              "X_AOP_Verified", "1", NULL);

    ck_assert_int_eq(cfaop_leg1_strip_underscored(t), 3);
    ck_assert_str_eq(keys_of(t), "Host cf-cert-verified Client-Cert X_AOP_Verified");
    ck_assert_str_eq(apr_table_get(t, "Host"), "a");
    ck_assert_int_eq(cfaop_leg1_strip_underscored(t), 0);
}
END_TEST

/* ---- trailers ------------------------------------------------------- */

/* What httpd does with MergeTrailers on: a new table, the headers'
 * entries then the trailers', sharing their key and value pointers. */
START_TEST(merged_trailers_are_removed_headers_kept)
{
    apr_table_t *headers = table_of("Host", "a", "cf-cert-verified", "true", "X-A", "1", NULL);
    apr_table_t *trailers = table_of("cf-cert-verified", "true", "Client-Cert", ":QUJD:",
                                     "x-checksum", "abc", "client_cert", "y", NULL);
    apr_table_t *merged = apr_table_overlay(tu_pool, headers, trailers);

    ck_assert_int_eq(cfaop_leg1_strip_trailers(merged, trailers), 3);
    ck_assert_str_eq(keys_of(merged), "Host cf-cert-verified X-A x-checksum");
    ck_assert_str_eq(keys_of(trailers), "x-checksum");
    /* MergeTrailers off: only the trailers table holds them. */
    trailers = table_of("CLIENT-CERT", ":QUJD:", "x", "1", NULL);
    ck_assert_int_eq(cfaop_leg1_strip_trailers(headers, trailers), 1);
    ck_assert_str_eq(keys_of(headers), "Host cf-cert-verified X-A");
    ck_assert_int_eq(cfaop_leg1_strip_trailers(headers, NULL), 0);
}
END_TEST

static int drop_odd(void *baton, const char *key, const char *val)
{
    (void)baton; (void)key;
    return (val[0] - '0') % 2;
}

START_TEST(table_drop_keeps_order_and_index)
{
    apr_table_t *t = table_of("a", "1", "b", "2", "c", "3", "d", "4", "A", "5", "e", "6", NULL);

    ck_assert_int_eq(cfaop_table_drop(t, drop_odd, NULL), 3);
    ck_assert_str_eq(keys_of(t), "b d e");
    /* APR's lookup index was rebuilt: gets and sets still find entries. */
    ck_assert_str_eq(apr_table_get(t, "d"), "4");
    ck_assert_ptr_null(apr_table_get(t, "a"));
    apr_table_set(t, "e", "7");
    ck_assert_str_eq(keys_of(t), "b d e");
    ck_assert_int_eq(cfaop_table_drop(t, drop_odd, NULL), 1);
    ck_assert_str_eq(keys_of(t), "b d");
}
END_TEST

/* ---- the same under tr_TR.UTF-8 ------------------------------------- */

START_TEST(kind_under_turkish_locale)
{
    turkish();
    ck_assert_int_eq(cfaop_leg1_kind("CLIENT-CERT"), CFAOP_LEG1_CLIENT_CERT);
    ck_assert_int_eq(cfaop_leg1_kind("CLIENT-CERT-CHAIN"), CFAOP_LEG1_CLIENT_CERT_CHAIN);
    ck_assert_int_eq(cfaop_leg1_kind("CF-CERT-ISSUER-DN"), CFAOP_LEG1_CF_CERT);
    ck_assert_int_eq(cfaop_leg1_kind("CF-CLIENT-CERT-FINGERPRINT-SHA256"), CFAOP_LEG1_CF_CLIENT_CERT);
    ck_assert_int_eq(cfaop_leg1_kind("CL\xc4\xb0" "ENT-CERT"), CFAOP_LEG1_NOT);
    ck_assert(cfaop_leg1_underscored("CLIENT_CERT"));
    back_to_c();
}
END_TEST

START_TEST(strip_under_turkish_locale)
{
    apr_table_t *t;

    turkish();
    t = table_of("Host", "a", "CLIENT-CERT", ":QUJD:", "CF-CERT-ISSUER-DN", "CN=x",
                 "client-cert", ":QUJD:", "CLIENT_CERT", "y", "X-Id", "1", NULL);
    ck_assert_int_eq(cfaop_leg1_strip(t), 4);
    ck_assert_str_eq(keys_of(t), "Host X-Id");
    back_to_c();
}
END_TEST

START_TEST(collect_under_turkish_locale)
{
    apr_table_t *t, *env = apr_table_make(tu_pool, 4);
    cfaop_leg1_t leg1;

    turkish();
    t = table_of("CF-CERT-VERIFIED", "true", "CF-CERT-ISSUER-DN", "CN=Issuer",
                 "cf-client-cert-issuer-dn", "CN=Issuer", NULL);
    ck_assert_ptr_null(cfaop_leg1_collect(tu_pool, t, &leg1));
    cfaop_leg1_export(&leg1, NULL, env);
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_VERIFIED"), "true");
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_ISSUER_DN"), "CN=Issuer");
    /* The same name twice, in two cases with 'I', is still a duplicate. */
    t = table_of("CF-CERT-ISSUER-DN", "CN=A", "cf-cert-issuer-dn", "CN=A", NULL);
    ck_assert_ptr_nonnull(cfaop_leg1_collect(tu_pool, t, &leg1));
    /* And the variable of a suffix with 'i' is upper-cased in ASCII. */
    t = table_of("cf-cert-ski", "00", NULL);
    ck_assert_ptr_null(cfaop_leg1_collect(tu_pool, t, &leg1));
    cfaop_leg1_export(&leg1, NULL, env);
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_SKI"), "00");
    back_to_c();
}
END_TEST

Suite *leg1_edges_suite(void)
{
    Suite *s = suite_create("leg1_edges");
    TCase *tc = tu_tcase("leg1_edges");

    tcase_add_test(tc, underscored_names);
    tcase_add_test(tc, strip_underscored_keeps_cloudflare_spelling);
    tcase_add_test(tc, merged_trailers_are_removed_headers_kept);
    tcase_add_test(tc, table_drop_keeps_order_and_index);
    tcase_add_test(tc, kind_under_turkish_locale);
    tcase_add_test(tc, strip_under_turkish_locale);
    tcase_add_test(tc, collect_under_turkish_locale);
    suite_add_tcase(s, tc);
    return s;
}
