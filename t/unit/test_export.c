/* SPDX-License-Identifier: Apache-2.0 */
/* test_export.c: CF_AOP_* values built from a verdict and a certificate,
 * and the exact set of variables put in a request's environment. */
#include "test_util.h"

#include <string.h>
#include <apr_tables.h>

#include "certinfo.h"
#include "export.h"

static cfaop_verdict_t verdict_of(cfaop_reason_t reason)
{
    cfaop_verdict_t v;

    memset(&v, 0, sizeof(v));
    v.reason = reason;
    v.detail = "";
    return v;
}

static const struct {
    cfaop_reason_t reason;
    const char *value;
} values[] = {
    { CFAOP_REASON_NONE, "SUCCESS" },
    { CFAOP_REASON_NO_CERT, "NONE" },
    { CFAOP_REASON_UNTRUSTED, "FAILED:untrusted" },
    { CFAOP_REASON_EXPIRED, "FAILED:expired" },
    { CFAOP_REASON_NOT_YET_VALID, "FAILED:not-yet-valid" },
    { CFAOP_REASON_REVOKED, "FAILED:revoked" },
    { CFAOP_REASON_DENIED_SERIAL, "FAILED:denied-serial" },
    { CFAOP_REASON_PIN_MISMATCH, "FAILED:pin-mismatch" },
    { CFAOP_REASON_DEPTH_EXCEEDED, "FAILED:depth-exceeded" },
    { CFAOP_REASON_BAD_SIGNATURE, "FAILED:bad-signature" },
    { CFAOP_REASON_INVALID, "FAILED:invalid" },
    { CFAOP_REASON_HOST_MISMATCH, "FAILED:host-mismatch" },
};
#define NVALUES ((int)(sizeof(values) / sizeof(values[0])))

START_TEST(verified_value)
{
    cfaop_verdict_t v = verdict_of(values[_i].reason);

    ck_assert_str_eq(cfaop_verified_value(tu_pool, &v), values[_i].value);
}
END_TEST

static X509 *leaf_cert(void)
{
    tu_cred_t ca = tu_make_ca("Export CA");
    tu_cert_opts_t o = { 0 };

    o.cn = "origin-pull";
    o.o = "Org";
    o.c = "US";
    o.issuer = ca.cert;
    o.issuer_key = ca.key;
    o.serial_hex = "01AB";
    o.not_before = 1793689689;         /* Nov  3 07:08:09 2026 GMT */
    o.not_after = 1795392000;          /* Nov 23 00:00:00 2026 GMT */
    o.bc = TU_BC_LEAF;
    o.eku = "clientAuth";
    return tu_make_cert(&o).cert;
}

static int count_entries(apr_table_t *env)
{
    return apr_table_elts(env)->nelts;
}

START_TEST(build_with_cert)
{
    X509 *leaf = leaf_cert();
    cfaop_verdict_t v = verdict_of(CFAOP_REASON_NONE);
    cfaop_export_t exp;
    cfaop_certinfo_t info;

    memset(&exp, 0, sizeof(exp));
    cfaop_export_build(tu_pool, &v, "zone", leaf, &exp);
    cfaop_certinfo_fill(tu_pool, leaf, &info);
    ck_assert_str_eq(exp.verified, "SUCCESS");
    ck_assert_str_eq(exp.policy, "zone");
    ck_assert_str_eq(exp.cert.subject_dn, "CN=origin-pull,O=Org,C=US");
    ck_assert_str_eq(exp.cert.issuer_dn, "CN=Export CA,O=Unit Test");
    ck_assert_str_eq(exp.cert.serial, "01AB");
    ck_assert_str_eq(exp.cert.fingerprint, info.fingerprint);
    ck_assert_str_eq(exp.cert.not_before, "Nov  3 07:08:09 2026 GMT");
    ck_assert_str_eq(exp.cert.not_after, "Nov 23 00:00:00 2026 GMT");
    ck_assert_int_eq(exp.nvars, CFAOP_EXPORT_MAX_VARS);
}
END_TEST

START_TEST(build_failed_cert_keeps_fields)
{
    /* ReportOnly exports CF_AOP_CERT_* for a failed certificate too. */
    X509 *leaf = leaf_cert();
    cfaop_verdict_t v = verdict_of(CFAOP_REASON_EXPIRED);
    cfaop_export_t exp;

    memset(&exp, 0, sizeof(exp));
    cfaop_export_build(tu_pool, &v, "hostname:app.example.com", leaf, &exp);
    ck_assert_str_eq(exp.verified, "FAILED:expired");
    ck_assert_str_eq(exp.policy, "hostname:app.example.com");
    ck_assert_int_eq(exp.nvars, CFAOP_EXPORT_MAX_VARS);
    ck_assert_str_eq(exp.cert.serial, "01AB");
}
END_TEST

START_TEST(build_without_cert)
{
    cfaop_verdict_t v = verdict_of(CFAOP_REASON_NO_CERT);
    cfaop_export_t exp;

    memset(&exp, 0, sizeof(exp));
    exp.nvars = 7;
    cfaop_export_build(tu_pool, &v, "zone", NULL, &exp);
    ck_assert_str_eq(exp.verified, "NONE");
    ck_assert_str_eq(exp.policy, "zone");
    ck_assert_int_eq(exp.nvars, 2);
}
END_TEST

START_TEST(table_with_cert)
{
    X509 *leaf = leaf_cert();
    cfaop_verdict_t v = verdict_of(CFAOP_REASON_NONE);
    cfaop_export_t exp;
    apr_table_t *env = apr_table_make(tu_pool, 4);
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    int i;

    apr_table_set(env, "UNRELATED", "kept");
    cfaop_export_build(tu_pool, &v, "zone", leaf, &exp);
    cfaop_export_to_table(&exp, env);

    ck_assert_int_eq(count_entries(env), 1 + 8);
    ck_assert_str_eq(apr_table_get(env, "UNRELATED"), "kept");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_VERIFIED"), "SUCCESS");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_POLICY"), "zone");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_CERT_SUBJECT_DN"), "CN=origin-pull,O=Org,C=US");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_CERT_ISSUER_DN"), "CN=Export CA,O=Unit Test");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_CERT_SERIAL"), "01AB");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_CERT_FINGERPRINT_SHA256"), exp.cert.fingerprint);
    ck_assert_uint_eq(strlen(apr_table_get(env, "CF_AOP_CERT_FINGERPRINT_SHA256")), 64);
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_CERT_NOT_BEFORE"), "Nov  3 07:08:09 2026 GMT");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_CERT_NOT_AFTER"), "Nov 23 00:00:00 2026 GMT");

    /* exactly these names, each once */
    arr = apr_table_elts(env);
    e = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        static const char *const expected[] = {
            "UNRELATED", "CF_AOP_VERIFIED", "CF_AOP_POLICY", "CF_AOP_CERT_SUBJECT_DN",
            "CF_AOP_CERT_ISSUER_DN", "CF_AOP_CERT_SERIAL", "CF_AOP_CERT_FINGERPRINT_SHA256",
            "CF_AOP_CERT_NOT_BEFORE", "CF_AOP_CERT_NOT_AFTER",
        };
        int j, found = 0, same = 0;
        for (j = 0; j < (int)(sizeof(expected) / sizeof(expected[0])); j++)
            found += strcmp(e[i].key, expected[j]) == 0;
        for (j = 0; j < arr->nelts; j++)
            same += strcmp(e[i].key, e[j].key) == 0;
        ck_assert_msg(found == 1, "unexpected variable %s", e[i].key);
        ck_assert_msg(same == 1, "variable %s set %d times", e[i].key, same);
    }
}
END_TEST

START_TEST(table_without_cert)
{
    cfaop_verdict_t v = verdict_of(CFAOP_REASON_NO_CERT);
    cfaop_export_t exp;
    apr_table_t *env = apr_table_make(tu_pool, 4);

    cfaop_export_build(tu_pool, &v, "zone", NULL, &exp);
    cfaop_export_to_table(&exp, env);
    ck_assert_int_eq(count_entries(env), 2);
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_VERIFIED"), "NONE");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_POLICY"), "zone");
    ck_assert_ptr_null(apr_table_get(env, "CF_AOP_CERT_SUBJECT_DN"));
    ck_assert_ptr_null(apr_table_get(env, "CF_AOP_CERT_SERIAL"));
}
END_TEST

START_TEST(table_replaces_old_values)
{
    cfaop_verdict_t v = verdict_of(CFAOP_REASON_UNTRUSTED);
    cfaop_export_t exp;
    apr_table_t *env = apr_table_make(tu_pool, 4);

    apr_table_set(env, "CF_AOP_VERIFIED", "SUCCESS");
    apr_table_add(env, "CF_AOP_POLICY", "forged");
    apr_table_add(env, "CF_AOP_POLICY", "forged again");
    cfaop_export_build(tu_pool, &v, "zone", leaf_cert(), &exp);
    cfaop_export_to_table(&exp, env);
    ck_assert_int_eq(count_entries(env), 8);
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_VERIFIED"), "FAILED:untrusted");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_POLICY"), "zone");
}
END_TEST

/* Whatever put CF_AOP_* entries in the table before the module, a request
 * without a certificate must not show CF_AOP_CERT_* values. */
START_TEST(table_removes_stale_names)
{
    cfaop_verdict_t v = verdict_of(CFAOP_REASON_NO_CERT);
    cfaop_export_t exp;
    apr_table_t *env = apr_table_make(tu_pool, 4);

    apr_table_add(env, "CF_AOP_CERT_SERIAL", "01AB");
    apr_table_add(env, "UNRELATED", "kept");
    apr_table_add(env, "cf_aop_cert_subject_dn", "CN=forged");
    apr_table_add(env, "CF_AOP_OTHER", "x");
    apr_table_add(env, "CF_AOPX", "kept too");
    apr_table_add(env, "CF_CLIENT_CERT_SERIAL", "02");
    apr_table_add(env, "CF_AOP_VERIFIED", "SUCCESS");
    cfaop_export_build(tu_pool, &v, "zone", NULL, &exp);
    cfaop_export_to_table(&exp, env);
    ck_assert_int_eq(count_entries(env), 3 + 2);
    ck_assert_str_eq(apr_table_get(env, "UNRELATED"), "kept");
    ck_assert_str_eq(apr_table_get(env, "CF_AOPX"), "kept too");
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_SERIAL"), "02");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_VERIFIED"), "NONE");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_POLICY"), "zone");
    ck_assert_ptr_null(apr_table_get(env, "CF_AOP_CERT_SERIAL"));
    ck_assert_ptr_null(apr_table_get(env, "CF_AOP_CERT_SUBJECT_DN"));
    ck_assert_ptr_null(apr_table_get(env, "CF_AOP_OTHER"));
}
END_TEST

/* Twice on one table (an export over one already made) still leaves each
 * variable once, with the second export's values. */
START_TEST(table_twice)
{
    cfaop_verdict_t ok = verdict_of(CFAOP_REASON_NONE), bad = verdict_of(CFAOP_REASON_REVOKED);
    cfaop_export_t first, second;
    apr_table_t *env = apr_table_make(tu_pool, 4);

    cfaop_export_build(tu_pool, &ok, "zone", leaf_cert(), &first);
    cfaop_export_build(tu_pool, &bad, "hostname:a.example", NULL, &second);
    cfaop_export_to_table(&first, env);
    ck_assert_int_eq(count_entries(env), 8);
    cfaop_export_to_table(&second, env);
    ck_assert_int_eq(count_entries(env), 2);
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_VERIFIED"), "FAILED:revoked");
    ck_assert_str_eq(apr_table_get(env, "CF_AOP_POLICY"), "hostname:a.example");
}
END_TEST

START_TEST(unset_stale_keeps_others_in_order)
{
    apr_table_t *env = apr_table_make(tu_pool, 2);
    const apr_table_entry_t *e;
    static const char *const kept[] = { "A", "CF_AOP", "B", "CF_CLIENT_CERT_X", "C" };
    int i;

    ck_assert_int_eq(cfaop_export_unset_stale(env), 0);
    apr_table_add(env, "CF_AOP_X", "1");
    apr_table_add(env, "A", "a");
    apr_table_add(env, "CF_AOP_X", "2");
    apr_table_add(env, "CF_AOP", "no underscore");
    apr_table_add(env, "Cf_Aop_Y", "3");
    apr_table_add(env, "B", "b");
    apr_table_add(env, "CF_CLIENT_CERT_X", "x");
    apr_table_add(env, "CF_AOP_Z", "4");
    apr_table_add(env, "CF_AOP_Z", "5");
    apr_table_add(env, "C", "c");
    apr_table_add(env, "cf_aop_x", "6");

    ck_assert_int_eq(cfaop_export_unset_stale(env), 3);
    ck_assert_int_eq(count_entries(env), 5);
    e = (const apr_table_entry_t *)apr_table_elts(env)->elts;
    for (i = 0; i < 5; i++)
        ck_assert_str_eq(e[i].key, kept[i]);
    ck_assert_int_eq(cfaop_export_unset_stale(env), 0);
    ck_assert_int_eq(count_entries(env), 5);
}
END_TEST

Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tu_tcase("export");

    tcase_add_loop_test(tc, verified_value, 0, NVALUES);
    tcase_add_test(tc, build_with_cert);
    tcase_add_test(tc, build_failed_cert_keeps_fields);
    tcase_add_test(tc, build_without_cert);
    tcase_add_test(tc, table_with_cert);
    tcase_add_test(tc, table_without_cert);
    tcase_add_test(tc, table_replaces_old_values);
    tcase_add_test(tc, table_removes_stale_names);
    tcase_add_test(tc, table_twice);
    tcase_add_test(tc, unset_stale_keeps_others_in_order);
    suite_add_tcase(s, tc);
    return s;
}
