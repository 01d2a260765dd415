/* SPDX-License-Identifier: Apache-2.0 */
/* test_pin.c: CFAOPPinSHA256 / CFAOPPinSPKI syntax and the leaf check
 * (a re-issued certificate with the same key keeps its SPKI pin only). */
#include "revocation_util.h"

#include <apr_strings.h>
#include <openssl/evp.h>

#include "pin.h"

static const char HEX64[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* The certificate's SHA-256 as `openssl x509 -noout -fingerprint -sha256`
 * prints it: upper case, colon-separated. */
static const char *openssl_fingerprint(X509 *cert)
{
    unsigned char md[32];
    unsigned int len = 0, i;
    char *out = apr_palloc(tu_pool, 32 * 3), *p = out;

    ck_assert_int_eq(X509_digest(cert, EVP_sha256(), md, &len), 1);
    for (i = 0; i < len; i++)
        p += sprintf(p, i ? ":%02X" : "%02X", md[i]);
    return out;
}

/* The SPKI pin as `openssl x509 -pubkey | openssl pkey -pubin -outform der
 * | openssl dgst -sha256 -binary | base64` prints it (i2d_PUBKEY is that DER). */
static const char *openssl_spki_pin(EVP_PKEY *key)
{
    unsigned char *der = NULL, md[32];
    unsigned int mdlen = 0;
    char *out = apr_palloc(tu_pool, 64);
    int len = i2d_PUBKEY(key, &der);

    ck_assert_int_gt(len, 0);
    ck_assert_int_eq(EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL), 1);
    OPENSSL_free(der);
    ck_assert_int_eq(EVP_EncodeBlock((unsigned char *)out, md, 32), 44);
    return out;
}

static tu_cred_t leaf_with_key(const tu_cred_t *ca, const char *cn, EVP_PKEY *key, long serial)
{
    time_t now = time(NULL);
    tu_cert_opts_t o = { 0 };

    o.cn = cn;
    o.issuer = ca->cert;
    o.issuer_key = ca->key;
    o.key = key;
    o.serial = serial;
    o.not_before = now - TU_DAY;
    o.not_after = now + 30 * TU_DAY;
    o.bc = TU_BC_LEAF;
    o.eku = "clientAuth";
    return tu_make_cert(&o);
}

/* ---- CFAOPPinSHA256 syntax ------------------------------------------ */

START_TEST(sha256_plain_and_colons)
{
    unsigned char a[32], b[32], c[32], d[32];
    const char *colons = "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
                         "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";

    ck_assert_ptr_null(cfaop_pin_parse_sha256(tu_pool, HEX64, a));
    ck_assert_int_eq(a[0], 0x01);
    ck_assert_int_eq(a[31], 0xef);
    ck_assert_ptr_null(cfaop_pin_parse_sha256(tu_pool, colons, b));
    ck_assert_ptr_null(cfaop_pin_parse_sha256(tu_pool, apr_pstrdup(tu_pool, colons), c));
    /* A colon may sit between any two bytes. */
    ck_assert_ptr_null(cfaop_pin_parse_sha256(tu_pool, "0123:456789ABCDEF0123456789abcdef"
                                              "0123456789abcdef0123456789ABCDEF", d));
    ck_assert_mem_eq(a, b, 32);
    ck_assert_mem_eq(a, c, 32);
    ck_assert_mem_eq(a, d, 32);
}
END_TEST

START_TEST(sha256_wrong_length)
{
    unsigned char out[32];

    ck_assert_str_eq(cfaop_pin_parse_sha256(tu_pool, "0123456789abcdef", out),
                     "'0123456789abcdef' is not a SHA-256 fingerprint: it has 16 hex digits "
                     "where 64 are needed");
    ck_assert_contains(cfaop_pin_parse_sha256(tu_pool, apr_pstrcat(tu_pool, HEX64, "0", NULL), out),
                       "it has 65 hex digits");
    ck_assert_contains(cfaop_pin_parse_sha256(tu_pool, HEX64 + 1, out), "it has 63 hex digits");
    ck_assert_contains(cfaop_pin_parse_sha256(tu_pool, HEX64 + 24, out),
                       "40 is a SHA-1 fingerprint");
    ck_assert_contains(cfaop_pin_parse_sha256(tu_pool, "", out), "it has 0 hex digits");
}
END_TEST

START_TEST(sha256_bad_characters_and_colons)
{
    unsigned char out[32];
    char bad[65];

    memcpy(bad, HEX64, sizeof(bad));
    bad[10] = 'g';
    ck_assert_contains(cfaop_pin_parse_sha256(tu_pool, bad, out),
                       "neither a hex digit nor a colon");
    ck_assert_contains(cfaop_pin_parse_sha256(tu_pool, apr_pstrcat(tu_pool, "sha256:", HEX64, NULL), out),
                       "neither a hex digit nor a colon");
    ck_assert_contains(cfaop_pin_parse_sha256(tu_pool, apr_pstrcat(tu_pool, "0:1", HEX64 + 2, NULL), out),
                       "a colon may only separate two bytes");
    ck_assert_contains(cfaop_pin_parse_sha256(tu_pool, apr_pstrcat(tu_pool, ":", HEX64, NULL), out),
                       "a colon may only separate two bytes");
    ck_assert_contains(cfaop_pin_parse_sha256(tu_pool, apr_pstrcat(tu_pool, HEX64, ":", NULL), out),
                       "a colon may only separate two bytes");
    ck_assert_contains(cfaop_pin_parse_sha256(tu_pool, apr_pstrcat(tu_pool, "01::23", HEX64 + 4, NULL), out),
                       "a colon may only separate two bytes");
}
END_TEST

/* ---- CFAOPPinSPKI syntax -------------------------------------------- */

START_TEST(spki_valid)
{
    unsigned char out[32], expect[32];
    char b64[64];
    int i;

    for (i = 0; i < 32; i++)
        expect[i] = (unsigned char)(i * 8 + 3);
    ck_assert_int_eq(EVP_EncodeBlock((unsigned char *)b64, expect, 32), 44);
    ck_assert_ptr_null(cfaop_pin_parse_spki(tu_pool, b64, out));
    ck_assert_mem_eq(out, expect, 32);
    ck_assert_ptr_null(cfaop_pin_parse_spki(tu_pool, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", out));
    ck_assert_int_eq(out[0], 0xe3);    /* SHA-256 of the empty string */
    ck_assert_int_eq(out[31], 0x55);
}
END_TEST

START_TEST(spki_bad_base64)
{
    unsigned char out[32];

    ck_assert_contains(cfaop_pin_parse_spki(tu_pool, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", out),
                       "padding missing");
    ck_assert_contains(cfaop_pin_parse_spki(tu_pool, "47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", out),
                       "URL-safe");
    ck_assert_contains(cfaop_pin_parse_spki(tu_pool, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hS!FU=", out),
                       "is not base64");
    ck_assert_contains(cfaop_pin_parse_spki(tu_pool, "47DEQpj8HBSa+/TI=W+5JCeuQeRkm5NMpJWZG3hSuFU=", out),
                       "is not base64");
    ck_assert_contains(cfaop_pin_parse_spki(tu_pool, "", out), "empty");
}
END_TEST

START_TEST(spki_wrong_decoded_length)
{
    unsigned char out[32];

    /* 20 bytes: a SHA-1 pin. */
    ck_assert_str_eq(cfaop_pin_parse_spki(tu_pool, "2jmj7l5rSw0yVb/vlWAYkK/YBwk=", out),
                     "'2jmj7l5rSw0yVb/vlWAYkK/YBwk=' decodes to 20 bytes; an SPKI pin is the "
                     "32-byte SHA-256 (44 base64 characters)");
    ck_assert_contains(cfaop_pin_parse_spki(tu_pool, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", out),
                       "decodes to 33 bytes");
    ck_assert_contains(cfaop_pin_parse_spki(tu_pool, HEX64, out), "is hex, not base64");
}
END_TEST

/* ---- matching -------------------------------------------------------- */

START_TEST(unpinned_passes_everything)
{
    tu_cred_t ca = tu_make_ca("Pin CA");
    tu_cred_t leaf = leaf_with_key(&ca, "any", NULL, 10);
    cfaop_pinset_t *set = cfaop_pinset_create(tu_pool);

    ck_assert_int_eq(cfaop_pinset_count_sha256(set) + cfaop_pinset_count_spki(set), 0);
    ck_assert_int_eq(cfaop_pinset_match(set, leaf.cert), 1);
    ck_assert_int_eq(cfaop_pinset_match(NULL, leaf.cert), 1);
}
END_TEST

START_TEST(cert_hash_pin)
{
    tu_cred_t ca = tu_make_ca("Pin CA");
    tu_cred_t pinned = leaf_with_key(&ca, "pinned", NULL, 10);
    tu_cred_t other = leaf_with_key(&ca, "other", NULL, 11);
    cfaop_pinset_t *set = cfaop_pinset_create(tu_pool);

    ck_assert_ptr_null(cfaop_pinset_add_sha256(set, openssl_fingerprint(pinned.cert)));
    ck_assert_int_eq(cfaop_pinset_match(set, pinned.cert), 1);
    ck_assert_int_eq(cfaop_pinset_match(set, other.cert), 0);
    ck_assert_int_eq(cfaop_pinset_match(set, NULL), 0);
}
END_TEST

START_TEST(spki_pin_survives_reissue)
{
    tu_cred_t ca = tu_make_ca("Pin CA");
    tu_cred_t first = leaf_with_key(&ca, "origin-pull", NULL, 10);
    tu_cred_t reissued = leaf_with_key(&ca, "origin-pull", first.key, 12);
    tu_cred_t new_key = leaf_with_key(&ca, "origin-pull", NULL, 13);
    cfaop_pinset_t *by_spki = cfaop_pinset_create(tu_pool);
    cfaop_pinset_t *by_hash = cfaop_pinset_create(tu_pool);
    unsigned char digest[32], expect[32];

    ck_assert_ptr_null(cfaop_pinset_add_spki(by_spki, openssl_spki_pin(first.key)));
    ck_assert_ptr_null(cfaop_pinset_add_sha256(by_hash, openssl_fingerprint(first.cert)));
    ck_assert_int_eq(cfaop_pinset_match(by_spki, first.cert), 1);
    ck_assert_int_eq(cfaop_pinset_match(by_spki, reissued.cert), 1);
    ck_assert_int_eq(cfaop_pinset_match(by_spki, new_key.cert), 0);
    ck_assert_int_eq(cfaop_pinset_match(by_hash, first.cert), 1);
    ck_assert_int_eq(cfaop_pinset_match(by_hash, reissued.cert), 0);

    ck_assert_int_eq(cfaop_spki_sha256(reissued.cert, digest), 1);
    ck_assert_ptr_null(cfaop_pin_parse_spki(tu_pool, openssl_spki_pin(first.key), expect));
    ck_assert_mem_eq(digest, expect, 32);
}
END_TEST

START_TEST(either_kind_passes)
{
    tu_cred_t ca = tu_make_ca("Pin CA");
    tu_cred_t a = leaf_with_key(&ca, "a", NULL, 20);
    tu_cred_t b = leaf_with_key(&ca, "b", NULL, 21);
    tu_cred_t c = leaf_with_key(&ca, "c", NULL, 22);
    cfaop_pinset_t *set = cfaop_pinset_create(tu_pool);

    ck_assert_ptr_null(cfaop_pinset_add_sha256(set, openssl_fingerprint(a.cert)));
    ck_assert_ptr_null(cfaop_pinset_add_spki(set, openssl_spki_pin(b.key)));
    ck_assert_int_eq(cfaop_pinset_match(set, a.cert), 1);
    ck_assert_int_eq(cfaop_pinset_match(set, b.cert), 1);
    ck_assert_int_eq(cfaop_pinset_match(set, c.cert), 0);
}
END_TEST

START_TEST(pins_dedup)
{
    cfaop_pinset_t *vhost = cfaop_pinset_create(tu_pool);

    ck_assert_ptr_null(cfaop_pinset_add_sha256(vhost, HEX64));
    ck_assert_ptr_null(cfaop_pinset_add_sha256(vhost, "01:23:45:67:89:AB:CD:EF:01:23:45:67:"
                                               "89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
                                               "89:AB:CD:EF"));
    ck_assert_ptr_null(cfaop_pinset_add_spki(vhost, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
    ck_assert_int_eq(cfaop_pinset_count_sha256(vhost), 1);
    ck_assert_int_eq(cfaop_pinset_count_spki(vhost), 1);
    ck_assert_contains(cfaop_pinset_add_spki(vhost, "nope"), "'nope'");
    ck_assert_int_eq(cfaop_pinset_count_spki(vhost), 1);
}
END_TEST

Suite *pin_suite(void)
{
    Suite *s = suite_create("pin");
    TCase *tc = tu_tcase("pin");

    tcase_add_test(tc, sha256_plain_and_colons);
    tcase_add_test(tc, sha256_wrong_length);
    tcase_add_test(tc, sha256_bad_characters_and_colons);
    tcase_add_test(tc, spki_valid);
    tcase_add_test(tc, spki_bad_base64);
    tcase_add_test(tc, spki_wrong_decoded_length);
    tcase_add_test(tc, unpinned_passes_everything);
    tcase_add_test(tc, cert_hash_pin);
    tcase_add_test(tc, spki_pin_survives_reissue);
    tcase_add_test(tc, either_kind_passes);
    tcase_add_test(tc, pins_dedup);
    suite_add_tcase(s, tc);
    return s;
}
