/* SPDX-License-Identifier: Apache-2.0 */
/* test_leg1.c: Leg-1 headers: which names count, the CF_CLIENT_CERT_* mapping,
 * the all-or-nothing collection and export, stripping, and Verify mode's verdict. */
#include "test_util.h"

#include <stdarg.h>
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "leg1.h"
#include "leg1_verify.h"
#include "certinfo.h"
#include "codec.h"

Suite *leg1_suite(void);

/* ---- helpers -------------------------------------------------------- */

static char *sf_cert(X509 *cert)
{
    size_t len;
    unsigned char *der = tu_cert_der(cert, &len);
    char *out = apr_palloc(tu_pool, 4 * ((len + 2) / 3) + 3);
    int n = EVP_EncodeBlock((unsigned char *)out + 1, der, (int)len);

    out[0] = ':';
    out[n + 1] = ':';
    out[n + 2] = '\0';
    return out;
}

static char *fingerprint(X509 *cert)
{
    unsigned char digest[32];

    ck_assert(cfaop_cert_sha256(cert, digest));
    return cfaop_hex_encode(tu_pool, "", digest, sizeof(digest), 0);
}

/* A header table from name/value pairs, NULL-terminated; apr_table_add
 * keeps repeated names as separate entries. */
static apr_table_t *headers(const char *name, ...)
{
    apr_table_t *t = apr_table_make(tu_pool, 8);
    va_list ap;

    va_start(ap, name);
    for (; name != NULL; name = va_arg(ap, const char *))
        apr_table_add(t, name, va_arg(ap, const char *));
    va_end(ap);
    return t;
}

static void assert_contains(const char *text, const char *part)
{
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, part) != NULL, "'%s' does not mention '%s'", text, part);
}

/* Collects and exports (Trust mode); returns the environment. */
static apr_table_t *trust(const apr_table_t *in, cfaop_leg1_t *leg1)
{
    apr_table_t *env = apr_table_make(tu_pool, 8);

    cfaop_leg1_collect(tu_pool, in, leg1);
    cfaop_leg1_export(leg1, NULL, env);
    return env;
}

static char *repeat(char c, size_t n)
{
    char *s = apr_palloc(tu_pool, n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- classification ------------------------------------------------- */

static const struct {
    const char *name;
    cfaop_leg1_kind_t kind;
} kinds[] = {
    { "cf-cert-subject-dn", CFAOP_LEG1_CF_CERT },
    { "CF-Cert-Subject-DN", CFAOP_LEG1_CF_CERT },
    { "CF-CERT-VERIFIED", CFAOP_LEG1_CF_CERT },
    { "cf-cert-x", CFAOP_LEG1_CF_CERT },
    { "cf-cert-pem", CFAOP_LEG1_CF_CERT },          /* Leg-1 (stripped), never exported */
    { "cf-cert-a.b", CFAOP_LEG1_CF_CERT },
    { "cf-cert--", CFAOP_LEG1_CF_CERT },
    { "cf-client-cert-serial", CFAOP_LEG1_CF_CLIENT_CERT },
    { "Cf-Client-Cert-Fingerprint-Sha256", CFAOP_LEG1_CF_CLIENT_CERT },
    { "Client-Cert", CFAOP_LEG1_CLIENT_CERT },
    { "client-cert", CFAOP_LEG1_CLIENT_CERT },
    { "CLIENT-CERT", CFAOP_LEG1_CLIENT_CERT },
    { "Client-Cert-Chain", CFAOP_LEG1_CLIENT_CERT_CHAIN },
    { "client-cert-CHAIN", CFAOP_LEG1_CLIENT_CERT_CHAIN },
    /* '_' spellings of the fixed part: stripped like the '-' ones */
    { "cf_cert_verified", CFAOP_LEG1_CF_CERT },
    { "CF_CERT-verified", CFAOP_LEG1_CF_CERT },
    { "cf_client_cert_serial", CFAOP_LEG1_CF_CLIENT_CERT },
    { "Client_Cert", CFAOP_LEG1_CLIENT_CERT },
    { "client_cert_chain", CFAOP_LEG1_CLIENT_CERT_CHAIN },
    /* near misses */
    { "cf-cert-", CFAOP_LEG1_NOT },
    { "cf-client-cert-", CFAOP_LEG1_NOT },
    { "cf-cert", CFAOP_LEG1_NOT },
    { "cf-certx", CFAOP_LEG1_NOT },
    { "cf-certx-subject", CFAOP_LEG1_NOT },
    { "cf-certificate", CFAOP_LEG1_NOT },
    { "cf-client-cert", CFAOP_LEG1_NOT },
    { "cf-client-certx", CFAOP_LEG1_NOT },
    { "cf-clientcert-x", CFAOP_LEG1_NOT },
    { "x-cf-cert-subject-dn", CFAOP_LEG1_NOT },
    { " cf-cert-x", CFAOP_LEG1_NOT },
    { "client-cert-chainx", CFAOP_LEG1_NOT },
    { "client-cert-chain-", CFAOP_LEG1_NOT },
    { "client-cert-chai", CFAOP_LEG1_NOT },
    { "client-certx", CFAOP_LEG1_NOT },
    { "client-cert-", CFAOP_LEG1_NOT },
    { "client-cert-x", CFAOP_LEG1_NOT },
    { "x-client-cert", CFAOP_LEG1_NOT },
    { "clientcert", CFAOP_LEG1_NOT },
    { "cf-connecting-ip", CFAOP_LEG1_NOT },
    { "", CFAOP_LEG1_NOT },
};
#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

START_TEST(kind_of_name)
{
    ck_assert_msg(cfaop_leg1_kind(kinds[_i].name) == kinds[_i].kind,
                  "'%s': kind %d, expected %d", kinds[_i].name,
                  cfaop_leg1_kind(kinds[_i].name), kinds[_i].kind);
}
END_TEST

START_TEST(kind_of_null)
{
    ck_assert_int_eq(cfaop_leg1_kind(NULL), CFAOP_LEG1_NOT);
}
END_TEST

/* ---- mapping -------------------------------------------------------- */

static const struct {
    const char *header;
    const char *var;            /* NULL: refused */
    const char *why;
} names[] = {
    { "cf-cert-subject-dn", "CF_CLIENT_CERT_SUBJECT_DN", NULL },
    { "CF-Cert-Subject-DN", "CF_CLIENT_CERT_SUBJECT_DN", NULL },
    { "cf-client-cert-subject-dn", "CF_CLIENT_CERT_SUBJECT_DN", NULL },
    { "cf-cert-fingerprint-sha256", "CF_CLIENT_CERT_FINGERPRINT_SHA256", NULL },
    { "cf-cert-issuer-dn-rfc2253", "CF_CLIENT_CERT_ISSUER_DN_RFC2253", NULL },
    { "Cf-Client-Cert-Not-Before", "CF_CLIENT_CERT_NOT_BEFORE", NULL },
    { "cf-cert-x", "CF_CLIENT_CERT_X", NULL },
    { "cf-cert-a1-b2-", "CF_CLIENT_CERT_A1_B2_", NULL },
    { "cf-cert-pemx", "CF_CLIENT_CERT_PEMX", NULL },
    { "cf-cert-chain", "CF_CLIENT_CERT_CHAIN", NULL },
    /* names the module sets itself */
    { "cf-cert-pem", NULL, "CF_CLIENT_CERT_PEM is set by the module" },
    { "CF-CERT-PEM", NULL, "CF_CLIENT_CERT_PEM is set by the module" },
    { "cf-client-cert-pem", NULL, "CF_CLIENT_CERT_PEM is set by the module" },
    { "cf-cert-chain-pem", NULL, "CF_CLIENT_CERT_CHAIN_PEM is set by the module" },
    { "cf-client-cert-Chain-Pem", NULL, "CF_CLIENT_CERT_CHAIN_PEM is set by the module" },
    { "cf-cert-origin-verified", NULL, "CF_CLIENT_CERT_ORIGIN_VERIFIED is set by the module" },
    { "cf-client-cert-origin-verified", NULL, "CF_CLIENT_CERT_ORIGIN_VERIFIED is set" },
    /* bad field names */
    { "cf-cert-subject_dn", NULL, "character" },
    { "cf-cert-a.b", NULL, "character" },
    { "cf-cert-a b", NULL, "character" },
    { "cf-cert-a\xc3\xa9", NULL, "character" },
    { "cf-cert-a=", NULL, "character" },
    { "cf_cert_subject_dn", NULL, "'_'" },
    { "cf-cert_subject-dn", NULL, "'_'" },
    { "cf_client_cert-x", NULL, "'_'" },
    { "Client-Cert", NULL, "not a cf-cert" },
    { "Client-Cert-Chain", NULL, "not a cf-cert" },
    { "cf-cert-", NULL, "not a cf-cert" },
    { "x-other", NULL, "not a cf-cert" },
};
#define NNAMES ((int)(sizeof(names) / sizeof(names[0])))

START_TEST(var_name_mapping)
{
    const char *var = NULL;
    const char *err = cfaop_leg1_var_name(tu_pool, names[_i].header, &var);

    if (names[_i].var != NULL) {
        ck_assert_msg(err == NULL, "'%s' refused: %s", names[_i].header, err);
        ck_assert_str_eq(var, names[_i].var);
    }
    else {
        ck_assert_msg(err != NULL, "'%s' accepted as %s", names[_i].header, var);
        assert_contains(err, names[_i].why);
        ck_assert_ptr_null(var);
    }
}
END_TEST

START_TEST(var_name_length)
{
    const char *var = NULL;
    char *at_limit = apr_pstrcat(tu_pool, "cf-cert-", repeat('a', CFAOP_LEG1_SUFFIX_MAX), NULL);
    char *over = apr_pstrcat(tu_pool, "cf-client-cert-",
                             repeat('a', CFAOP_LEG1_SUFFIX_MAX + 1), NULL);

    ck_assert_int_eq(CFAOP_LEG1_SUFFIX_MAX, 64);
    ck_assert_ptr_null(cfaop_leg1_var_name(tu_pool, at_limit, &var));
    ck_assert_str_eq(var, apr_pstrcat(tu_pool, "CF_CLIENT_CERT_",
                                      repeat('A', CFAOP_LEG1_SUFFIX_MAX), NULL));
    assert_contains(cfaop_leg1_var_name(tu_pool, over, &var), "longer than 64");
}
END_TEST

/* ---- values --------------------------------------------------------- */

START_TEST(value_size_limit)
{
    ck_assert_int_eq(CFAOP_LEG1_VALUE_MAX, 10240);
    ck_assert_ptr_null(cfaop_leg1_check_value(tu_pool, ""));
    ck_assert_ptr_null(cfaop_leg1_check_value(tu_pool, repeat('x', 10240)));
    assert_contains(cfaop_leg1_check_value(tu_pool, repeat('x', 10241)), "longer than 10240");
    assert_contains(cfaop_leg1_check_value(tu_pool, repeat('x', 12 * 1024)), "longer than 10240");
}
END_TEST

static const struct {
    const char *value;
    int ok;
} values[] = {
    { "CN=client,O=Example", 1 },
    { "a\tb", 1 },                      /* HTAB is allowed */
    { "CN=J\xc3\xbcrgen", 1 },          /* UTF-8 */
    { "\x80\xff", 1 },                  /* obs-text */
    { " ~ ", 1 },
    { "a\x01" "b", 0 },
    { "\x1f", 0 },
    { "a\nb", 0 },
    { "a\rb", 0 },
    { "a\x7f", 0 },
    { "\x0b", 0 },
    { "\x1b[31m", 0 },
};
#define NVALUES ((int)(sizeof(values) / sizeof(values[0])))

START_TEST(value_control_chars)
{
    const char *err = cfaop_leg1_check_value(tu_pool, values[_i].value);

    if (values[_i].ok)
        ck_assert_msg(err == NULL, "case %d refused: %s", _i, err);
    else
        assert_contains(err, "control character");
}
END_TEST

/* ---- collection and export (Trust) ---------------------------------- */

START_TEST(trust_exports_every_field)
{
    tu_cred_t ca = tu_make_ca("Leg1 CA");
    time_t now = time(NULL);
    tu_cred_t leaf = tu_make_leaf("end-client", &ca, 42, now - TU_DAY, now + TU_DAY);
    tu_cred_t mid = tu_make_intermediate("Leg1 Mid", &ca);
    cfaop_leg1_t leg1;
    apr_table_t *env = trust(headers("Host", "example.com",
                                     "cf-cert-verified", "true",
                                     "CF-Cert-Subject-DN", "CN=end-client,O=Unit Test",
                                     "cf-cert-issuer-dn", "CN=Leg1 CA, O=Unit Test",
                                     "cf-cert-not-before", "Mar 21 13:35:00 2022 GMT",
                                     "cf-client-cert-custom-field", "x y\tz",
                                     "cf-cert-presented", "",
                                     "Client-Cert", sf_cert(leaf.cert),
                                     "Client-Cert-Chain", sf_cert(mid.cert),
                                     "X-Other", "kept", NULL), &leg1);

    ck_assert_ptr_null(leg1.invalid);
    ck_assert(leg1.present);
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_VERIFIED"), "true");
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_SUBJECT_DN"), "CN=end-client,O=Unit Test");
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_ISSUER_DN"), "CN=Leg1 CA, O=Unit Test");
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_NOT_BEFORE"), "Mar 21 13:35:00 2022 GMT");
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_CUSTOM_FIELD"), "x y\tz");
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_PRESENTED"), "");
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_PEM"), tu_cert_pem(leaf.cert));
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_CHAIN_PEM"), tu_cert_pem(mid.cert));
    ck_assert_ptr_null(apr_table_get(env, "CF_CLIENT_CERT_ORIGIN_VERIFIED"));
    /* nothing else: 6 fields + PEM + chain PEM */
    ck_assert_int_eq(apr_table_elts(env)->nelts, 8);
    ck_assert_int_eq(leg1.vars->nelts, 6);
    ck_assert_str_eq(APR_ARRAY_IDX(leg1.vars, 0, cfaop_leg1_var_t).name, "CF_CLIENT_CERT_VERIFIED");
    ck_assert_str_eq(APR_ARRAY_IDX(leg1.vars, 1, cfaop_leg1_var_t).header, "CF-Cert-Subject-DN");
}
END_TEST

START_TEST(trust_nothing_without_leg1)
{
    cfaop_leg1_t leg1;
    apr_table_t *env = trust(headers("Host", "example.com", "cf-certx", "1",
                                     "client-cert-chainx", ":QUJD:", "cf-cert-", "x", NULL),
                             &leg1);

    ck_assert(!leg1.present);
    ck_assert_ptr_null(leg1.invalid);
    ck_assert_ptr_null(leg1.cert);
    ck_assert_int_eq(apr_table_elts(env)->nelts, 0);
}
END_TEST

/* cf-cert-X and cf-client-cert-X name one variable: equal is one field. */
START_TEST(trust_both_prefixes_agree)
{
    cfaop_leg1_t leg1;
    apr_table_t *env = trust(headers("cf-cert-serial", "0A1B",
                                     "cf-client-cert-serial", "0A1B",
                                     "cf-client-cert-subject-dn", "CN=a", NULL), &leg1);

    ck_assert_ptr_null(leg1.invalid);
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_SERIAL"), "0A1B");
    ck_assert_int_eq(apr_table_elts(env)->nelts, 2);
}
END_TEST

/* Every way the headers can be unbelievable: nothing at all is exported,
 * not even the fields that were fine. */
static const char *const bad_sets[][8] = {
    { "cf-cert-serial", "01", "cf-client-cert-serial", "02" },                    /* disagree */
    { "cf-cert-subject-dn", "CN=a", "cf-cert-subject-dn", "CN=a" },               /* repeated */
    { "cf-cert-subject-dn", "CN=a", "CF-CERT-SUBJECT-DN", "CN=b" },               /* any case */
    { "Client-Cert", ":QUJD:", "client-cert", ":QUJD:" },
    { "cf-cert-serial", "01, 01" },                                               /* merged */
    { "cf-cert-fingerprint-sha256", "ab, cd" },
    { "cf-cert-verified", "true, true" },
    { "cf-cert-pem", "-----BEGIN CERTIFICATE-----" },                             /* reserved */
    { "cf-client-cert-origin-verified", "SUCCESS" },
    { "cf-cert-chain-pem", "x" },
    { "cf-cert-subject.dn", "x" },                                                /* bad name */
    { "cf_cert_verified", "true" },
    { "Client_Cert", ":QUJD:" },
    { "cf-cert-subject-dn", "CN=a\r\nX-Injected: 1" },                            /* control */
    { "cf-cert-x", "\x7f" },
    { "Client-Cert", ":QUJD:" },                                                  /* bad DER */
    { "Client-Cert", ":QQ=:" },                                                   /* bad base64 */
    { "Client-Cert-Chain", ":QUJD:" },                                            /* no leaf */
};
#define NBAD ((int)(sizeof(bad_sets) / sizeof(bad_sets[0])))

START_TEST(trust_all_or_nothing)
{
    apr_table_t *in = headers("cf-cert-verified-ok", "true", "cf-cert-issuer-dn", "CN=ca", NULL);
    apr_table_t *env;
    cfaop_leg1_t leg1;
    int i;

    for (i = 0; i < 8 && bad_sets[_i][i] != NULL; i += 2)
        apr_table_add(in, bad_sets[_i][i], bad_sets[_i][i + 1]);
    apr_table_add(in, "cf-cert-subject-dn-rfc2253", "CN=late");
    env = trust(in, &leg1);
    ck_assert_msg(leg1.invalid != NULL, "set %d accepted", _i);
    ck_assert(leg1.present);
    ck_assert_msg(apr_table_elts(env)->nelts == 0, "set %d: %d variables exported",
                  _i, apr_table_elts(env)->nelts);
    /* and in Verify mode the verdict alone */
    cfaop_leg1_export(&leg1, "FAILED:invalid", env);
    ck_assert_int_eq(apr_table_elts(env)->nelts, 1);
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_ORIGIN_VERIFIED"), "FAILED:invalid");
}
END_TEST

START_TEST(invalid_reasons_name_the_header)
{
    cfaop_leg1_t leg1;

    trust(headers("cf-cert-serial", "01", "cf-client-cert-serial", "02", NULL), &leg1);
    assert_contains(leg1.invalid, "cf-client-cert-serial: disagrees with cf-cert-serial");
    trust(headers("cf-cert-subject-dn", "a", "CF-CERT-SUBJECT-DN", "a", NULL), &leg1);
    assert_contains(leg1.invalid, "CF-CERT-SUBJECT-DN: the header is present more than once");
    trust(headers("cf-cert-x", repeat('x', 12 * 1024), NULL), &leg1);
    assert_contains(leg1.invalid, "cf-cert-x: the value is longer than 10240 bytes");
    trust(headers("Client-Cert", ":QQ=:", NULL), &leg1);
    assert_contains(leg1.invalid, "Client-Cert: bad base64");
    trust(headers("Client-Cert-Chain", ":QUJD:", NULL), &leg1);
    assert_contains(leg1.invalid, "Client-Cert-Chain: sent without Client-Cert");
    /* an odd name is logged printable and short */
    trust(headers(apr_pstrcat(tu_pool, "cf-cert-\"a\x01", repeat('b', 200), NULL), "v", NULL),
          &leg1);
    assert_contains(leg1.invalid, "cf-cert-?a?b");
    ck_assert_ptr_null(strchr(leg1.invalid, '\x01'));
    ck_assert_ptr_null(strchr(leg1.invalid, '"'));
    ck_assert_uint_lt(strlen(leg1.invalid), 200);
}
END_TEST

START_TEST(value_limit_in_collection)
{
    cfaop_leg1_t leg1;
    apr_table_t *env;

    env = trust(headers("cf-cert-subject-dn", repeat('a', 10240), NULL), &leg1);
    ck_assert_ptr_null(leg1.invalid);
    ck_assert_uint_eq(strlen(apr_table_get(env, "CF_CLIENT_CERT_SUBJECT_DN")), 10240);
    env = trust(headers("cf-cert-subject-dn", repeat('a', 10241), NULL), &leg1);
    ck_assert_ptr_nonnull(leg1.invalid);
    ck_assert_int_eq(apr_table_elts(env)->nelts, 0);
}
END_TEST

/* A value with a comma is fine where the format has commas (DNs). */
START_TEST(comma_in_dn_is_fine)
{
    cfaop_leg1_t leg1;
    apr_table_t *env = trust(headers("cf-cert-issuer-dn", "CN=ca.example, C=US, O=Example\\, Inc",
                                     "cf-cert-subject-dn-legacy", "/C=US/O=Example, Inc", NULL),
                             &leg1);

    ck_assert_ptr_null(leg1.invalid);
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_ISSUER_DN"),
                     "CN=ca.example, C=US, O=Example\\, Inc");
}
END_TEST

/* The incremental API behaves as collect does, and nothing is exported
 * before finish. */
START_TEST(incremental_add_and_finish)
{
    tu_cred_t ca = tu_make_ca("Leg1 CA");
    apr_table_t *env = apr_table_make(tu_pool, 4);
    cfaop_leg1_t leg1;

    cfaop_leg1_init(tu_pool, &leg1);
    ck_assert_ptr_null(cfaop_leg1_add(&leg1, "Host", "x"));
    ck_assert(!leg1.present);
    ck_assert_ptr_null(cfaop_leg1_add(&leg1, "cf-cert-verified", "true"));
    ck_assert_ptr_null(cfaop_leg1_add(&leg1, "client-cert", sf_cert(ca.cert)));
    ck_assert(leg1.present);
    cfaop_leg1_export(&leg1, NULL, env);
    ck_assert_int_eq(apr_table_elts(env)->nelts, 0);
    ck_assert_ptr_null(cfaop_leg1_finish(&leg1));
    ck_assert_ptr_nonnull(leg1.cert);
    ck_assert_ptr_null(cfaop_leg1_finish(&leg1));       /* idempotent */
    cfaop_leg1_export(&leg1, NULL, env);
    ck_assert_int_eq(apr_table_elts(env)->nelts, 2);
    ck_assert_ptr_nonnull(cfaop_leg1_add(&leg1, "cf-cert-late", "x"));
    ck_assert_ptr_nonnull(leg1.invalid);
}
END_TEST

/* ---- strip ---------------------------------------------------------- */

START_TEST(strip_every_leg1_header)
{
    apr_table_t *t = headers("Host", "example.com",
                             "CF-Cert-Verified", "true",
                             "cf-cert-verified", "true",
                             "cf-client-cert-subject-dn", "CN=admin",
                             "X-Other", "1",
                             "Client-Cert", ":QUJD:",
                             "CLIENT-CERT-CHAIN", ":QUJD:",
                             "cf_cert_revoked", "false",
                             "Client_Cert", ":x:",
                             "cf-certx", "kept",
                             "cf-cert-pem", "x",
                             "client-cert-chainx", "kept",
                             "Cookie", "a=b",
                             "cF-cLiEnT-cErT-fInGeRpRiNt-SHA256", "00", NULL);
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    cfaop_leg1_t leg1;

    ck_assert_int_eq(cfaop_leg1_strip(t), 9);
    arr = apr_table_elts(t);
    e = (const apr_table_entry_t *)arr->elts;
    ck_assert_int_eq(arr->nelts, 5);
    ck_assert_str_eq(e[0].key, "Host");
    ck_assert_str_eq(e[1].key, "X-Other");
    ck_assert_str_eq(e[2].key, "cf-certx");
    ck_assert_str_eq(e[2].val, "kept");
    ck_assert_str_eq(e[3].key, "client-cert-chainx");
    ck_assert_str_eq(e[4].key, "Cookie");
    ck_assert_str_eq(e[4].val, "a=b");
    cfaop_leg1_collect(tu_pool, t, &leg1);
    ck_assert(!leg1.present);
    ck_assert_int_eq(cfaop_leg1_strip(t), 0);
    ck_assert_int_eq(apr_table_elts(t)->nelts, 5);
}
END_TEST

START_TEST(strip_nothing)
{
    apr_table_t *t = headers("Host", "example.com", "Accept", "*/*", NULL);

    ck_assert_int_eq(cfaop_leg1_strip(t), 0);
    ck_assert_int_eq(apr_table_elts(t)->nelts, 2);
    t = apr_table_make(tu_pool, 1);
    ck_assert_int_eq(cfaop_leg1_strip(t), 0);
}
END_TEST

/* ---- Verify --------------------------------------------------------- */

typedef struct {
    tu_cred_t ca, mid, leaf, via_mid;
    cfaop_policy_t *policy;
} pki_t;

static void make_pki(pki_t *pki)
{
    time_t now = time(NULL);
    const char *err;

    pki->ca = tu_make_ca("Leg1 Client CA");
    pki->mid = tu_make_intermediate("Leg1 Client Mid", &pki->ca);
    pki->leaf = tu_make_leaf("end-client", &pki->ca, 100, now - TU_DAY, now + TU_DAY);
    pki->via_mid = tu_make_leaf("end-client-2", &pki->mid, 101, now - TU_DAY, now + TU_DAY);
    err = cfaop_leg1_client_policy(tu_pool, tu_write_temp(tu_cert_pem(pki->ca.cert),
                                                          strlen(tu_cert_pem(pki->ca.cert))),
                                   &pki->policy);
    ck_assert_msg(err == NULL, "%s", err);
}

static const char *verify(const apr_table_t *in, const cfaop_policy_t *policy,
                          cfaop_verdict_t *verdict, apr_table_t **env_out)
{
    cfaop_leg1_t leg1;
    apr_table_t *env = apr_table_make(tu_pool, 8);
    const char *value;

    cfaop_leg1_collect(tu_pool, in, &leg1);
    value = cfaop_leg1_origin_verify(tu_pool, &leg1, policy, verdict);
    cfaop_leg1_export(&leg1, value, env);
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_ORIGIN_VERIFIED"), value);
    if (env_out != NULL)
        *env_out = env;
    return value;
}

START_TEST(verify_genuine_leaf)
{
    pki_t pki;
    cfaop_verdict_t verdict;
    apr_table_t *env;

    make_pki(&pki);
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.leaf.cert),
                                    "cf-cert-subject-dn", "CN=end-client", NULL),
                            pki.policy, &verdict, &env), "SUCCESS");
    ck_assert_int_eq(verdict.reason, CFAOP_REASON_NONE);
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_PEM"), tu_cert_pem(pki.leaf.cert));
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_SUBJECT_DN"), "CN=end-client");
}
END_TEST

START_TEST(verify_with_chain)
{
    pki_t pki;
    cfaop_verdict_t verdict;
    apr_table_t *env;

    make_pki(&pki);
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.via_mid.cert),
                                    "Client-Cert-Chain", sf_cert(pki.mid.cert), NULL),
                            pki.policy, &verdict, &env), "SUCCESS");
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_CHAIN_PEM"), tu_cert_pem(pki.mid.cert));
    /* the anchor sent along as well is harmless */
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.via_mid.cert),
                                    "Client-Cert-Chain",
                                    apr_pstrcat(tu_pool, sf_cert(pki.mid.cert), ", ",
                                                sf_cert(pki.ca.cert), NULL), NULL),
                            pki.policy, &verdict, NULL), "SUCCESS");
    /* without the intermediate it does not chain */
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.via_mid.cert), NULL),
                            pki.policy, &verdict, NULL), "FAILED:untrusted");
}
END_TEST

START_TEST(verify_forged_self_signed)
{
    pki_t pki;
    cfaop_verdict_t verdict;
    time_t now = time(NULL);
    tu_cert_opts_t o = { 0 };
    tu_cred_t forged;

    make_pki(&pki);
    /* Same names as the genuine leaf, signed by itself. */
    o.cn = "end-client";
    o.o = "Unit Test";
    o.serial = 100;
    o.not_before = now - TU_DAY;
    o.not_after = now + TU_DAY;
    o.bc = TU_BC_LEAF;
    o.eku = "clientAuth";
    forged = tu_make_cert(&o);
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(forged.cert),
                                    "cf-cert-fingerprint-sha256", fingerprint(forged.cert), NULL),
                            pki.policy, &verdict, NULL), "FAILED:untrusted");
    ck_assert_int_eq(verdict.reason, CFAOP_REASON_UNTRUSTED);
    /* A forged CA of the same name issuing the leaf. */
    {
        tu_cred_t fake_ca = tu_make_ca("Leg1 Client CA");
        tu_cred_t leaf = tu_make_leaf("end-client", &fake_ca, 100, now - TU_DAY, now + TU_DAY);
        ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(leaf.cert),
                                        "Client-Cert-Chain", sf_cert(fake_ca.cert), NULL),
                                pki.policy, &verdict, NULL), "FAILED:untrusted");
    }
}
END_TEST

START_TEST(verify_expired)
{
    pki_t pki;
    cfaop_verdict_t verdict;
    time_t now = time(NULL);
    tu_cred_t old;

    make_pki(&pki);
    old = tu_make_leaf("old", &pki.ca, 5, now - 10 * TU_DAY, now - TU_DAY);
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(old.cert), NULL),
                            pki.policy, &verdict, NULL), "FAILED:expired");
}
END_TEST

START_TEST(verify_fingerprint)
{
    pki_t pki;
    cfaop_verdict_t verdict;
    const char *fp;
    char *upper_colons = "";
    int i;

    make_pki(&pki);
    fp = fingerprint(pki.leaf.cert);
    for (i = 0; i < 64; i += 2)
        upper_colons = apr_psprintf(tu_pool, "%s%s%c%c", upper_colons, i ? ":" : "",
                                    apr_toupper(fp[i]), apr_toupper(fp[i + 1]));
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.leaf.cert),
                                    "cf-cert-fingerprint-sha256", fp, NULL),
                            pki.policy, &verdict, NULL), "SUCCESS");
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.leaf.cert),
                                    "cf-client-cert-fingerprint-sha256", upper_colons, NULL),
                            pki.policy, &verdict, NULL), "SUCCESS");
    /* another certificate's fingerprint */
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.leaf.cert),
                                    "cf-cert-fingerprint-sha256", fingerprint(pki.via_mid.cert),
                                    NULL),
                            pki.policy, &verdict, NULL), "FAILED:pin-mismatch");
    ck_assert_int_eq(verdict.reason, CFAOP_REASON_PIN_MISMATCH);
    assert_contains(verdict.detail, fp);
    assert_contains(verdict.detail, "cf-cert-fingerprint-sha256 is ");
    /* not a fingerprint at all */
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.leaf.cert),
                                    "cf-cert-fingerprint-sha256", "abc", NULL),
                            pki.policy, &verdict, NULL), "FAILED:invalid");
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.leaf.cert),
                                    "cf-cert-fingerprint-sha256",
                                    apr_pstrcat(tu_pool, fp, "00", NULL), NULL),
                            pki.policy, &verdict, NULL), "FAILED:invalid");
    /* the two prefixes disagreeing is invalid before anything is compared */
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.leaf.cert),
                                    "cf-cert-fingerprint-sha256", fp,
                                    "cf-client-cert-fingerprint-sha256", upper_colons, NULL),
                            pki.policy, &verdict, NULL), "FAILED:invalid");
}
END_TEST

START_TEST(verify_none_and_invalid)
{
    pki_t pki;
    cfaop_verdict_t verdict;
    apr_table_t *env;
    size_t len;
    unsigned char *der;
    char *truncated;
    int i;

    make_pki(&pki);
    ck_assert_str_eq(verify(headers("Host", "x", NULL), pki.policy, &verdict, &env), "NONE");
    ck_assert_int_eq(verdict.reason, CFAOP_REASON_NO_CERT);
    ck_assert_int_eq(apr_table_elts(env)->nelts, 1);
    ck_assert_str_eq(verify(headers("cf-cert-verified", "true",
                                    "cf-cert-fingerprint-sha256", "x", NULL),
                            pki.policy, &verdict, &env), "NONE");
    ck_assert_str_eq(apr_table_get(env, "CF_CLIENT_CERT_VERIFIED"), "true");

    /* truncated: the base64 of the genuine leaf cut short */
    truncated = sf_cert(pki.leaf.cert);
    len = strlen(truncated);
    memcpy(truncated + len - 41, ":", 2);
    ck_assert_str_eq(verify(headers("Client-Cert", truncated, NULL), pki.policy, &verdict, &env),
                     "FAILED:invalid");
    ck_assert_int_eq(verdict.reason, CFAOP_REASON_INVALID);
    assert_contains(verdict.detail, "Client-Cert: ");
    ck_assert_int_eq(apr_table_elts(env)->nelts, 1);
    /* truncated DER, correctly encoded */
    der = tu_cert_der(pki.leaf.cert, &len);
    {
        char *b64 = apr_palloc(tu_pool, 4 * len / 3 + 8);
        int n = EVP_EncodeBlock((unsigned char *)b64, der, (int)len - 20);
        b64[n] = '\0';
        ck_assert_str_eq(verify(headers("Client-Cert", apr_pstrcat(tu_pool, ":", b64, ":", NULL),
                                        NULL), pki.policy, &verdict, NULL), "FAILED:invalid");
    }
    /* a 12 KiB header */
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.leaf.cert),
                                    "cf-cert-subject-dn", repeat('a', 12 * 1024), NULL),
                            pki.policy, &verdict, &env), "FAILED:invalid");
    ck_assert_ptr_null(apr_table_get(env, "CF_CLIENT_CERT_PEM"));
    /* chain over the limit */
    {
        const char *mid = sf_cert(pki.mid.cert), *nine = mid;
        for (i = 1; i < 9; i++)
            nine = apr_pstrcat(tu_pool, nine, ",", mid, NULL);
        ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.via_mid.cert),
                                        "Client-Cert-Chain", nine, NULL),
                                pki.policy, &verdict, NULL), "FAILED:invalid");
        assert_contains(verdict.detail, "more than 8");
    }
}
END_TEST

START_TEST(verify_without_policy)
{
    pki_t pki;
    cfaop_verdict_t verdict;
    cfaop_leg1_t unfinished;

    make_pki(&pki);
    ck_assert_str_eq(verify(headers("Client-Cert", sf_cert(pki.leaf.cert), NULL),
                            NULL, &verdict, NULL), "FAILED:untrusted");
    assert_contains(verdict.detail, "CFAOPClientCA");
    cfaop_leg1_init(tu_pool, &unfinished);
    ck_assert_str_eq(cfaop_leg1_origin_verify(tu_pool, &unfinished, pki.policy, &verdict),
                     "FAILED:invalid");
}
END_TEST

START_TEST(client_policy_file)
{
    tu_cred_t ca = tu_make_ca("Leg1 Client CA");
    tu_cred_t leaf = tu_make_leaf("not-a-ca", &ca, 3, time(NULL) - TU_DAY, time(NULL) + TU_DAY);
    const char *leaf_pem = tu_cert_pem(leaf.cert);
    cfaop_policy_t *policy = NULL;
    const char *missing = tu_missing_path();

    assert_contains(cfaop_leg1_client_policy(tu_pool, missing, &policy), missing);
    assert_contains(cfaop_leg1_client_policy(tu_pool, tu_write_temp(leaf_pem, strlen(leaf_pem)),
                                             &policy), "not a CA");
    ck_assert_ptr_null(cfaop_leg1_client_policy(tu_pool, tu_write_temp(tu_cert_pem(ca.cert),
                                                strlen(tu_cert_pem(ca.cert))), &policy));
    ck_assert_ptr_nonnull(policy);
    ck_assert_int_eq(policy->depth, CFAOP_LEG1_VERIFY_DEPTH);
}
END_TEST

Suite *leg1_suite(void)
{
    Suite *s = suite_create("leg1");
    TCase *tc = tu_tcase("leg1");
    TCase *tv = tu_tcase("leg1_verify");

    tcase_add_loop_test(tc, kind_of_name, 0, NKINDS);
    tcase_add_test(tc, kind_of_null);
    tcase_add_loop_test(tc, var_name_mapping, 0, NNAMES);
    tcase_add_test(tc, var_name_length);
    tcase_add_test(tc, value_size_limit);
    tcase_add_loop_test(tc, value_control_chars, 0, NVALUES);
    tcase_add_test(tc, trust_exports_every_field);
    tcase_add_test(tc, trust_nothing_without_leg1);
    tcase_add_test(tc, trust_both_prefixes_agree);
    tcase_add_loop_test(tc, trust_all_or_nothing, 0, NBAD);
    tcase_add_test(tc, invalid_reasons_name_the_header);
    tcase_add_test(tc, value_limit_in_collection);
    tcase_add_test(tc, comma_in_dn_is_fine);
    tcase_add_test(tc, incremental_add_and_finish);
    tcase_add_test(tc, strip_every_leg1_header);
    tcase_add_test(tc, strip_nothing);
    suite_add_tcase(s, tc);

    tcase_add_test(tv, verify_genuine_leaf);
    tcase_add_test(tv, verify_with_chain);
    tcase_add_test(tv, verify_forged_self_signed);
    tcase_add_test(tv, verify_expired);
    tcase_add_test(tv, verify_fingerprint);
    tcase_add_test(tv, verify_none_and_invalid);
    tcase_add_test(tv, verify_without_policy);
    tcase_add_test(tv, client_policy_file);
    suite_add_tcase(s, tv);
    return s;
}
