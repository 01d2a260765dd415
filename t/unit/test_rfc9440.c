/* SPDX-License-Identifier: Apache-2.0 */
/* test_rfc9440.c: Client-Cert / Client-Cert-Chain parsing (strict base64,
 * exact DER, list syntax, limits) and the PEM the module exports from them. */
#include "test_util.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/evp.h>

#include "codec.h"
#include "rfc9440.h"

Suite *rfc9440_suite(void);

/* ":base64:" of bytes, padded as RFC 8941 serializes it (EVP, not ours). */
static char *sf_binary(const unsigned char *der, size_t len)
{
    char *out = apr_palloc(tu_pool, 4 * ((len + 2) / 3) + 3);
    int n = EVP_EncodeBlock((unsigned char *)out + 1, der, (int)len);

    ck_assert_int_ge(n, 0);
    out[0] = ':';
    out[n + 1] = ':';
    out[n + 2] = '\0';
    return out;
}

static char *sf_cert(X509 *cert)
{
    size_t len;
    unsigned char *der = tu_cert_der(cert, &len);
    return sf_binary(der, len);
}

static tu_cred_t leaf_of(const char *cn, const tu_cred_t *ca)
{
    time_t now = time(NULL);
    return tu_make_leaf(cn, ca, 7, now - TU_DAY, now + TU_DAY);
}

static const char *parse_cert(const char *value, X509 **cert)
{
    *cert = NULL;
    return cfaop_rfc9440_parse_cert(tu_pool, value, strlen(value), cert);
}

static const char *parse_chain(const char *value, STACK_OF(X509) **chain)
{
    *chain = NULL;
    return cfaop_rfc9440_parse_chain(tu_pool, value, strlen(value), chain);
}

static void assert_contains(const char *text, const char *part)
{
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, part) != NULL, "'%s' does not mention '%s'", text, part);
}

/* ---- base64 --------------------------------------------------------- */

static const struct {
    const char *in;
    const char *out;            /* NULL: must be refused */
} b64[] = {
    { "QQ==", "A" },
    { "QUI=", "AB" },
    { "QUJD", "ABC" },
    { "QUJDRA==", "ABCD" },
    { "QQ", "A" },              /* padding left out: RFC 8941 asks to accept it */
    { "QUI", "AB" },
    { "+/+/", "\xfb\xff\xbf" },
    { "", NULL },               /* empty */
    { "Q", NULL },              /* a lone character is never base64 */
    { "QUJDR", NULL },
    { "QQ=", NULL },            /* partial padding */
    { "QUI==", NULL },
    { "QQ===", NULL },
    { "Q===", NULL },
    { "QUJD=", NULL },
    { "QUJD==", NULL },
    { "====", NULL },
    { "=QQ=", NULL },           /* padding in front */
    { "QQ==QQ==", NULL },       /* padding in the middle */
    { "Q=Q=", NULL },
    { "QR==", NULL },           /* non-zero padding bits */
    { "QUJ=", NULL },
    { "QR", NULL },
    { "QQ-_", NULL },           /* base64url alphabet */
    { "QU I=", NULL },          /* space inside */
    { "QU\tI=", NULL },
    { "QU\nI=", NULL },
    { "QU.I", NULL },
    { "QUJ\xc3\xa9", NULL },    /* non-ASCII */
};
#define NB64 ((int)(sizeof(b64) / sizeof(b64[0])))

START_TEST(base64_strict)
{
    unsigned char *out = NULL;
    size_t outlen = 0;
    const char *err = cfaop_base64_decode(tu_pool, b64[_i].in, strlen(b64[_i].in),
                                          &out, &outlen);

    if (b64[_i].out == NULL) {
        ck_assert_msg(err != NULL, "'%s' was accepted", b64[_i].in);
    }
    else {
        ck_assert_msg(err == NULL, "'%s' was refused: %s", b64[_i].in, err);
        ck_assert_uint_eq(outlen, strlen(b64[_i].out));
        ck_assert(memcmp(out, b64[_i].out, outlen) == 0);
    }
}
END_TEST

/* Length-bounded: a NUL inside the value is a bad character, not the end. */
START_TEST(base64_nul_inside)
{
    unsigned char *out;
    size_t outlen;

    ck_assert_ptr_nonnull(cfaop_base64_decode(tu_pool, "QU\0D", 4, &out, &outlen));
    ck_assert_ptr_null(cfaop_base64_decode(tu_pool, "QUJDxx", 4, &out, &outlen));
    ck_assert_uint_eq(outlen, 3);
}
END_TEST

/* ---- Client-Cert ---------------------------------------------------- */

START_TEST(cert_happy_path)
{
    tu_cred_t ca = tu_make_ca("RFC9440 CA");
    tu_cred_t leaf = leaf_of("client.example", &ca);
    size_t len, got_len;
    unsigned char *der = tu_cert_der(leaf.cert, &len), *got;
    X509 *cert;

    ck_assert_ptr_null(parse_cert(sf_cert(leaf.cert), &cert));
    ck_assert_ptr_nonnull(cert);
    ck_assert_int_eq(X509_cmp(cert, leaf.cert), 0);
    got = tu_cert_der(cert, &got_len);
    ck_assert_uint_eq(got_len, len);
    ck_assert(memcmp(got, der, len) == 0);
}
END_TEST

START_TEST(cert_whitespace_around)
{
    tu_cred_t ca = tu_make_ca("RFC9440 CA");
    tu_cred_t leaf = leaf_of("client.example", &ca);
    const char *sf = sf_cert(leaf.cert);
    X509 *cert;

    ck_assert_ptr_null(parse_cert(apr_pstrcat(tu_pool, "  ", sf, "  ", NULL), &cert));
    ck_assert_int_eq(X509_cmp(cert, leaf.cert), 0);
    ck_assert_ptr_null(parse_cert(apr_pstrcat(tu_pool, "\t", sf, " \t", NULL), &cert));
    ck_assert_int_eq(X509_cmp(cert, leaf.cert), 0);
}
END_TEST

/* RFC 8941 recipients should accept a byte sequence without '=' padding. */
START_TEST(cert_unpadded)
{
    tu_cred_t ca = tu_make_ca("RFC9440 CA");
    X509 *cert = NULL;
    char *sf = NULL;
    int i;

    /* Find a leaf whose DER length leaves padding to drop. */
    for (i = 0; i < 8; i++) {
        tu_cred_t leaf = leaf_of(apr_psprintf(tu_pool, "pad%d.example", i), &ca);
        sf = sf_cert(leaf.cert);
        if (strstr(sf, "=:") != NULL) {
            char *eq = strchr(sf, '=');
            memmove(eq, strchr(eq, ':'), 2);
            ck_assert_ptr_null(parse_cert(sf, &cert));
            ck_assert_int_eq(X509_cmp(cert, leaf.cert), 0);
            return;
        }
    }
    ck_abort_msg("no certificate with padding made");
}
END_TEST

START_TEST(cert_refused)
{
    tu_cred_t ca = tu_make_ca("RFC9440 CA");
    tu_cred_t leaf = leaf_of("client.example", &ca);
    const char *sf = sf_cert(leaf.cert);
    const char *b64 = apr_pstrndup(tu_pool, sf + 1, strlen(sf) - 2);
    X509 *cert;
    const struct { const char *value; const char *why; } cases[] = {
        { "", "empty" },
        { "   ", "empty" },
        { "::", "empty" },
        { b64, "byte sequence" },                                   /* no colons */
        { apr_pstrcat(tu_pool, ":", b64, NULL), "closing" },
        { apr_pstrcat(tu_pool, sf, ";a=1", NULL), "parameters" },
        { apr_pstrcat(tu_pool, sf, ";a", NULL), "parameters" },
        { apr_pstrcat(tu_pool, sf, " ;a", NULL), "trailing" },
        { apr_pstrcat(tu_pool, sf, "x", NULL), "trailing" },
        { apr_pstrcat(tu_pool, sf, ":", NULL), "trailing" },
        { apr_pstrcat(tu_pool, sf, ", ", sf, NULL), "trailing" },   /* a merged duplicate */
        { apr_pstrcat(tu_pool, "\"", b64, "\"", NULL), "byte sequence" },
        { apr_pstrcat(tu_pool, "(", sf, ")", NULL), "byte sequence" },
        { ":QUJD:", "DER" },                                        /* base64 fine, not a cert */
        { ":QQ=:", "padding" },
        { ":QUJD-_:", "character" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *err = parse_cert(cases[i].value, &cert);
        ck_assert_msg(err != NULL, "case %d accepted", (int)i);
        ck_assert_msg(strstr(err, cases[i].why) != NULL, "case %d: '%s' lacks '%s'",
                      (int)i, err, cases[i].why);
        ck_assert_ptr_null(cert);
    }
}
END_TEST

START_TEST(cert_truncated_der)
{
    tu_cred_t ca = tu_make_ca("RFC9440 CA");
    tu_cred_t leaf = leaf_of("client.example", &ca);
    size_t len, cut;
    unsigned char *der = tu_cert_der(leaf.cert, &len);
    X509 *cert;

    for (cut = 1; cut < len; cut += (cut < 8 ? 1 : 37))
        ck_assert_msg(parse_cert(sf_binary(der, len - cut), &cert) != NULL,
                      "certificate cut by %u bytes accepted", (unsigned)cut);
    ck_assert_ptr_null(cert);
}
END_TEST

START_TEST(cert_trailing_bytes)
{
    tu_cred_t ca = tu_make_ca("RFC9440 CA");
    tu_cred_t leaf = leaf_of("client.example", &ca);
    size_t len;
    unsigned char *der = tu_cert_der(leaf.cert, &len);
    unsigned char *longer = apr_pcalloc(tu_pool, len + 3);
    X509 *cert;

    memcpy(longer, der, len);
    assert_contains(parse_cert(sf_binary(longer, len + 1), &cert), "trailing bytes");
    assert_contains(parse_cert(sf_binary(longer, len + 3), &cert), "trailing bytes");
    /* The certificate twice in one byte sequence. */
    longer = apr_palloc(tu_pool, 2 * len);
    memcpy(longer, der, len);
    memcpy(longer + len, der, len);
    assert_contains(parse_cert(sf_binary(longer, 2 * len), &cert), "trailing bytes");
}
END_TEST

/* The outer length written in a longer form than DER allows: BER that
 * OpenSSL decodes, refused because it is not the certificate's DER. */
START_TEST(cert_not_der)
{
    tu_cred_t ca = tu_make_ca("RFC9440 CA");
    tu_cred_t leaf = leaf_of("client.example", &ca);
    size_t len;
    unsigned char *der = tu_cert_der(leaf.cert, &len);
    unsigned char *ber = apr_palloc(tu_pool, len + 1);
    X509 *cert;
    const char *err;

    ck_assert_int_eq(der[0], 0x30);
    ck_assert_int_eq(der[1], 0x82);                 /* two length octets */
    ber[0] = 0x30;
    ber[1] = 0x83;                                  /* three, the first zero */
    ber[2] = 0x00;
    memcpy(ber + 3, der + 2, len - 2);
    err = cfaop_der_to_x509(tu_pool, ber, len + 1, &cert);
    assert_contains(err, "not DER");
    ck_assert_ptr_null(cfaop_der_to_x509(tu_pool, der, len, &cert));
    ck_assert_int_eq(X509_cmp(cert, leaf.cert), 0);
    ck_assert_ptr_nonnull(cfaop_der_to_x509(tu_pool, der, 0, &cert));
}
END_TEST

/* ---- Client-Cert-Chain ---------------------------------------------- */

START_TEST(chain_in_order)
{
    tu_cred_t root = tu_make_ca("Chain Root");
    tu_cred_t mid1 = tu_make_intermediate("Chain Mid 1", &root);
    tu_cred_t mid2 = tu_make_intermediate("Chain Mid 2", &mid1);
    STACK_OF(X509) *chain;

    ck_assert_ptr_null(parse_chain(apr_pstrcat(tu_pool, sf_cert(mid2.cert), ", ",
                                               sf_cert(mid1.cert), NULL), &chain));
    ck_assert_int_eq(sk_X509_num(chain), 2);
    ck_assert_int_eq(X509_cmp(sk_X509_value(chain, 0), mid2.cert), 0);
    ck_assert_int_eq(X509_cmp(sk_X509_value(chain, 1), mid1.cert), 0);

    ck_assert_ptr_null(parse_chain(sf_cert(root.cert), &chain));
    ck_assert_int_eq(sk_X509_num(chain), 1);
}
END_TEST

START_TEST(chain_whitespace)
{
    tu_cred_t root = tu_make_ca("Chain Root");
    tu_cred_t mid = tu_make_intermediate("Chain Mid", &root);
    const char *a = sf_cert(mid.cert), *b = sf_cert(root.cert);
    const char *values[] = {
        apr_pstrcat(tu_pool, a, ",", b, NULL),
        apr_pstrcat(tu_pool, a, " ,  ", b, NULL),
        apr_pstrcat(tu_pool, "  ", a, "\t,\t", b, "  ", NULL),
    };
    STACK_OF(X509) *chain;
    size_t i;

    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        ck_assert_msg(parse_chain(values[i], &chain) == NULL, "case %d refused", (int)i);
        ck_assert_int_eq(sk_X509_num(chain), 2);
        ck_assert_int_eq(X509_cmp(sk_X509_value(chain, 1), root.cert), 0);
    }
}
END_TEST

static char *repeat_list(const char *member, int n)
{
    char *out = "";
    int i;

    for (i = 0; i < n; i++)
        out = apr_pstrcat(tu_pool, out, i ? ", " : "", member, NULL);
    return out;
}

START_TEST(chain_limit)
{
    tu_cred_t root = tu_make_ca("Chain Root");
    tu_cred_t mid = tu_make_intermediate("Chain Mid", &root);
    const char *member = sf_cert(mid.cert);
    STACK_OF(X509) *chain;

    ck_assert_ptr_null(parse_chain(repeat_list(member, CFAOP_RFC9440_CHAIN_MAX), &chain));
    ck_assert_int_eq(sk_X509_num(chain), CFAOP_RFC9440_CHAIN_MAX);
    ck_assert_int_eq(CFAOP_RFC9440_CHAIN_MAX, 8);
    assert_contains(parse_chain(repeat_list(member, 9), &chain), "more than 8");
    ck_assert_ptr_null(chain);
    assert_contains(parse_chain(repeat_list(member, 30), &chain), "more than 8");
}
END_TEST

START_TEST(chain_refused)
{
    tu_cred_t root = tu_make_ca("Chain Root");
    tu_cred_t mid = tu_make_intermediate("Chain Mid", &root);
    const char *a = sf_cert(mid.cert), *b = sf_cert(root.cert);
    size_t len;
    unsigned char *der = tu_cert_der(root.cert, &len);
    const struct { const char *value; const char *why; } cases[] = {
        { "", "empty" },
        { "  ", "empty" },
        { apr_pstrcat(tu_pool, a, ",", NULL), "trailing ','" },
        { apr_pstrcat(tu_pool, a, ", ", NULL), "trailing ','" },
        { apr_pstrcat(tu_pool, ",", a, NULL), "#1" },
        { apr_pstrcat(tu_pool, a, ",,", b, NULL), "#2" },
        { apr_pstrcat(tu_pool, a, " ", b, NULL), "#1: trailing" },
        { apr_pstrcat(tu_pool, "(", a, " ", b, ")", NULL), "#1" },      /* inner list */
        { apr_pstrcat(tu_pool, a, ";x=1, ", b, NULL), "#1: parameters" },
        { apr_pstrcat(tu_pool, a, ", ", b, ";x", NULL), "#2: parameters" },
        { apr_pstrcat(tu_pool, a, ", ::", NULL), "#2: empty" },
        { apr_pstrcat(tu_pool, a, ", :QQ=:", NULL), "#2" },
        { apr_pstrcat(tu_pool, a, ", ", sf_binary(der, len - 1), NULL), "#2" },
        { apr_pstrcat(tu_pool, a, ", token", NULL), "#2" },
    };
    STACK_OF(X509) *chain;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *err = parse_chain(cases[i].value, &chain);
        ck_assert_msg(err != NULL, "case %d accepted", (int)i);
        ck_assert_msg(strstr(err, cases[i].why) != NULL, "case %d: '%s' lacks '%s'",
                      (int)i, err, cases[i].why);
        ck_assert_ptr_null(chain);
    }
}
END_TEST

/* ---- PEM ------------------------------------------------------------ */

START_TEST(pem_rendering)
{
    tu_cred_t root = tu_make_ca("PEM Root");
    tu_cred_t mid = tu_make_intermediate("PEM Mid", &root);
    tu_cred_t leaf = leaf_of("pem.example", &mid);
    X509 *cert;
    STACK_OF(X509) *chain;
    char *pem;

    ck_assert_ptr_null(parse_cert(sf_cert(leaf.cert), &cert));
    pem = cfaop_pem_cert(tu_pool, cert);
    ck_assert_str_eq(pem, tu_cert_pem(leaf.cert));
    ck_assert(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);

    ck_assert_ptr_null(parse_chain(apr_pstrcat(tu_pool, sf_cert(mid.cert), ", ",
                                               sf_cert(root.cert), NULL), &chain));
    ck_assert_str_eq(cfaop_pem_chain(tu_pool, chain),
                     apr_pstrcat(tu_pool, tu_cert_pem(mid.cert), tu_cert_pem(root.cert), NULL));
    ck_assert_ptr_null(cfaop_pem_cert(tu_pool, NULL));
    ck_assert_ptr_null(cfaop_pem_chain(tu_pool, NULL));
}
END_TEST

Suite *rfc9440_suite(void)
{
    Suite *s = suite_create("rfc9440");
    TCase *tc = tu_tcase("rfc9440");

    tcase_add_loop_test(tc, base64_strict, 0, NB64);
    tcase_add_test(tc, base64_nul_inside);
    tcase_add_test(tc, cert_happy_path);
    tcase_add_test(tc, cert_whitespace_around);
    tcase_add_test(tc, cert_unpadded);
    tcase_add_test(tc, cert_refused);
    tcase_add_test(tc, cert_truncated_der);
    tcase_add_test(tc, cert_trailing_bytes);
    tcase_add_test(tc, cert_not_der);
    tcase_add_test(tc, chain_in_order);
    tcase_add_test(tc, chain_whitespace);
    tcase_add_test(tc, chain_limit);
    tcase_add_test(tc, chain_refused);
    tcase_add_test(tc, pem_rendering);
    suite_add_tcase(s, tc);
    return s;
}
