/* SPDX-License-Identifier: Apache-2.0 */
/* test_certinfo.c: serial, fingerprint, RFC 2253 DNs and dates as exported. */
#include "test_util.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/bn.h>
#include <openssl/err.h>

#include "certinfo.h"
#include "codec.h"

/* ---- serial --------------------------------------------------------- */

static ASN1_INTEGER *serial_from_hex(const char *hex)
{
    BIGNUM *bn = NULL;
    ASN1_INTEGER *serial;

    ck_assert_int_eq(BN_hex2bn(&bn, hex), (int)strlen(hex));
    serial = BN_to_ASN1_INTEGER(bn, NULL);
    BN_free(bn);
    ck_assert_ptr_nonnull(serial);
    return serial;
}

/* What `openssl x509 -serial` prints after "serial=" (and what mod_ssl's
 * SSL_CLIENT_M_SERIAL is): i2a_ASN1_INTEGER. */
static char *openssl_serial(const ASN1_INTEGER *serial)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL, *out;
    long len;

    ck_assert_ptr_nonnull(bio);
    ck_assert_int_gt(i2a_ASN1_INTEGER(bio, serial), 0);
    len = BIO_get_mem_data(bio, &data);
    out = apr_pstrmemdup(tu_pool, data, (apr_size_t)len);
    BIO_free(bio);
    return out;
}

static const struct {
    const char *hex;
    const char *expected;
} serials[] = {
    { "01", "01" },
    { "1", "01" },
    { "7F", "7F" },
    { "80", "80" },             /* high bit: DER adds 00, the value does not */
    { "8A00", "8A00" },
    { "0102A3", "0102A3" },
    { "abcdef", "ABCDEF" },     /* upper case */
    { "5791BA9556C22E61", "5791BA9556C22E61" },
    { "7F0102030405060708090A0B0C0D0E0F10111213", "7F0102030405060708090A0B0C0D0E0F10111213" },
    { "FF0102030405060708090A0B0C0D0E0F10111213", "FF0102030405060708090A0B0C0D0E0F10111213" },
    { "0", "00" },
};
#define NSERIALS ((int)(sizeof(serials) / sizeof(serials[0])))

START_TEST(serial_format)
{
    ASN1_INTEGER *serial = serial_from_hex(serials[_i].hex);
    char *got = cfaop_format_serial(tu_pool, serial);
    char *openssl = openssl_serial(serial);

    ASN1_INTEGER_free(serial);
    ck_assert_str_eq(got, serials[_i].expected);
    ck_assert_str_eq(got, openssl);
}
END_TEST

/* The same through a certificate's DER, as a peer's certificate arrives. */
START_TEST(serial_format_from_der)
{
    time_t now = time(NULL);
    tu_cred_t ca = tu_make_ca("Serial CA");
    tu_cert_opts_t o = { 0 };
    tu_cred_t made;
    unsigned char *der;
    size_t len;
    X509 *parsed;

    o.cn = "serial";
    o.issuer = ca.cert;
    o.issuer_key = ca.key;
    o.serial_hex = serials[_i].hex;
    o.not_before = now - TU_DAY;
    o.not_after = now + TU_DAY;
    o.bc = TU_BC_LEAF;
    made = tu_make_cert(&o);
    der = tu_cert_der(made.cert, &len);
    parsed = tu_cert_from_der(der, len);
    ck_assert_ptr_nonnull(parsed);
    ck_assert_str_eq(cfaop_format_serial(tu_pool, X509_get0_serialNumber(parsed)),
                     serials[_i].expected);
    ck_assert_str_eq(cfaop_format_serial(tu_pool, X509_get0_serialNumber(parsed)),
                     openssl_serial(X509_get0_serialNumber(parsed)));
}
END_TEST

START_TEST(serial_zero_by_set)
{
    ASN1_INTEGER *serial = ASN1_INTEGER_new();
    char *got;

    ck_assert_ptr_nonnull(serial);
    ck_assert_int_eq(ASN1_INTEGER_set(serial, 0), 1);
    got = cfaop_format_serial(tu_pool, serial);
    ASN1_INTEGER_free(serial);
    ck_assert_str_eq(got, "00");
}
END_TEST

START_TEST(serial_empty_and_null)
{
    ASN1_INTEGER *serial = ASN1_INTEGER_new();     /* length 0 */
    char *got;

    ck_assert_ptr_nonnull(serial);
    got = cfaop_format_serial(tu_pool, serial);
    ASN1_INTEGER_free(serial);
    ck_assert_str_eq(got, "00");
    ck_assert_str_eq(cfaop_format_serial(tu_pool, NULL), "");
}
END_TEST

START_TEST(serial_negative_as_openssl)
{
    ASN1_INTEGER *serial = serial_from_hex("-01AB");
    char *got = cfaop_format_serial(tu_pool, serial);
    char *openssl = openssl_serial(serial);

    ASN1_INTEGER_free(serial);
    ck_assert_str_eq(got, "-01AB");
    ck_assert_str_eq(got, openssl);
}
END_TEST

/* ---- fingerprint ---------------------------------------------------- */

START_TEST(hex_encode)
{
    static const unsigned char bytes[] = { 0x00, 0x0f, 0xab, 0xff, 0x10 };

    ck_assert_str_eq(cfaop_hex_encode(tu_pool, "", bytes, sizeof(bytes), 0), "000fabff10");
    ck_assert_str_eq(cfaop_hex_encode(tu_pool, "-", bytes, sizeof(bytes), 1), "-000FABFF10");
    ck_assert_str_eq(cfaop_hex_encode(tu_pool, "", bytes, 0, 0), "");
}
END_TEST

START_TEST(fingerprint_is_sha256_of_der)
{
    tu_cred_t ca = tu_make_ca("Fingerprint CA");
    size_t len, i;
    unsigned char *der = tu_cert_der(ca.cert, &len);
    unsigned char expected[EVP_MAX_MD_SIZE], got[32];
    unsigned int mdlen = 0;
    char hex[65];
    cfaop_certinfo_t info;

    /* Independently: SHA-256 over i2d_X509, printed by hand. */
    ck_assert_int_eq(EVP_Digest(der, len, expected, &mdlen, EVP_sha256(), NULL), 1);
    ck_assert_uint_eq(mdlen, 32);
    for (i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", expected[i]);

    ck_assert_int_eq(cfaop_cert_sha256(ca.cert, got), 1);
    ck_assert_mem_eq(got, expected, 32);

    cfaop_certinfo_fill(tu_pool, ca.cert, &info);
    ck_assert_uint_eq(strlen(info.fingerprint), 64);
    ck_assert_uint_eq(strspn(info.fingerprint, "0123456789abcdef"), 64);
    ck_assert_str_eq(info.fingerprint, hex);
}
END_TEST

START_TEST(fingerprint_differs_per_cert)
{
    tu_cred_t a = tu_make_ca("A");
    tu_cred_t b = tu_make_ca("A");     /* same name, other key */
    cfaop_certinfo_t ia, ib;

    cfaop_certinfo_fill(tu_pool, a.cert, &ia);
    cfaop_certinfo_fill(tu_pool, b.cert, &ib);
    ck_assert_str_eq(ia.subject_dn, ib.subject_dn);
    ck_assert_str_ne(ia.fingerprint, ib.fingerprint);
}
END_TEST

/* ---- DN ------------------------------------------------------------- */

/* A name from (field, value) pairs, most significant first; owned by the pool. */
static apr_status_t free_name(void *data)
{
    X509_NAME_free(data);
    return APR_SUCCESS;
}

static X509_NAME *make_name(const char *const *pairs)
{
    X509_NAME *name = X509_NAME_new();

    ck_assert_ptr_nonnull(name);
    apr_pool_cleanup_register(tu_pool, name, free_name, apr_pool_cleanup_null);
    for (; pairs[0] != NULL; pairs += 2)
        ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, pairs[0], MBSTRING_UTF8,
                                                    (const unsigned char *)pairs[1],
                                                    -1, -1, 0), 1);
    return name;
}

START_TEST(dn_rfc2253_order)
{
    static const char *const pairs[] = { "C", "US", "O", "Org", "CN", "leaf", NULL };

    ck_assert_str_eq(cfaop_format_dn(tu_pool, make_name(pairs)), "CN=leaf,O=Org,C=US");
}
END_TEST

START_TEST(dn_escapes_comma_and_plus)
{
    static const char *const pairs[] = { "C", "US", "O", "Acme, Inc.", "CN", "a+b", NULL };

    ck_assert_str_eq(cfaop_format_dn(tu_pool, make_name(pairs)),
                     "CN=a\\+b,O=Acme\\, Inc.,C=US");
}
END_TEST

START_TEST(dn_escapes_other_specials)
{
    static const char *const pairs[] = { "O", "x;y", "OU", "q\"u<o>te", "CN", "back\\slash", NULL };

    ck_assert_str_eq(cfaop_format_dn(tu_pool, make_name(pairs)),
                     "CN=back\\\\slash,OU=q\\\"u\\<o\\>te,O=x\\;y");
}
END_TEST

START_TEST(dn_utf8_kept_as_utf8)
{
    /* "Zürich ☃" in UTF-8: no \C3\BC escapes, no hex dump. */
    static const char *const pairs[] = { "C", "CH", "O", "Z\xc3\xbcrich", "CN", "snow \xe2\x98\x83", NULL };

    ck_assert_str_eq(cfaop_format_dn(tu_pool, make_name(pairs)),
                     "CN=snow \xe2\x98\x83,O=Z\xc3\xbcrich,C=CH");
}
END_TEST

START_TEST(dn_bmpstring_as_utf8)
{
    X509_NAME *name = X509_NAME_new();
    static const unsigned char bmp[] = { 0x00, 'M', 0x00, 0xfc, 0x00, 'n' };  /* "Mün" */
    char *got;

    ck_assert_ptr_nonnull(name);
    ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", V_ASN1_BMPSTRING, bmp,
                                                sizeof(bmp), -1, 0), 1);
    got = cfaop_format_dn(tu_pool, name);
    X509_NAME_free(name);
    ck_assert_str_eq(got, "CN=M\xc3\xbcn");
}
END_TEST

START_TEST(dn_empty_and_null)
{
    static const char *const none[] = { NULL };

    ck_assert_str_eq(cfaop_format_dn(tu_pool, make_name(none)), "");
    ck_assert_str_eq(cfaop_format_dn(tu_pool, NULL), "");
}
END_TEST

/* ---- time ----------------------------------------------------------- */

static const struct {
    const char *asn1;
    const char *expected;
} times[] = {
    { "261123000000Z", "Nov 23 00:00:00 2026 GMT" },
    { "261103070809Z", "Nov  3 07:08:09 2026 GMT" },    /* day space-padded */
    { "20501103235959Z", "Nov  3 23:59:59 2050 GMT" },  /* GeneralizedTime */
    { "000101000000Z", "Jan  1 00:00:00 2000 GMT" },
};
#define NTIMES ((int)(sizeof(times) / sizeof(times[0])))

START_TEST(time_format)
{
    ASN1_TIME *t = ASN1_TIME_new();
    char *got;

    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(ASN1_TIME_set_string(t, times[_i].asn1), 1);
    got = cfaop_format_time(tu_pool, t);
    ASN1_TIME_free(t);
    ck_assert_str_eq(got, times[_i].expected);
}
END_TEST

START_TEST(time_null)
{
    ck_assert_str_eq(cfaop_format_time(tu_pool, NULL), "");
}
END_TEST

/* ---- certinfo_fill -------------------------------------------------- */

START_TEST(certinfo_fill_all_fields)
{
    tu_cred_t ca = tu_make_ca("Info CA");
    tu_cert_opts_t o = { 0 };
    tu_cred_t leaf;
    cfaop_certinfo_t info;

    o.cn = "leaf";
    o.o = "Org";
    o.c = "US";
    o.issuer = ca.cert;
    o.issuer_key = ca.key;
    o.serial_hex = "8A00";
    o.not_before = 1793689689;         /* 2026-11-03 07:08:09 UTC */
    o.not_after = 1795392000;          /* 2026-11-23 00:00:00 UTC */
    o.bc = TU_BC_LEAF;
    o.eku = "clientAuth";
    leaf = tu_make_cert(&o);

    memset(&info, 0, sizeof(info));
    cfaop_certinfo_fill(tu_pool, leaf.cert, &info);
    ck_assert_str_eq(info.subject_dn, "CN=leaf,O=Org,C=US");
    ck_assert_str_eq(info.issuer_dn, "CN=Info CA,O=Unit Test");
    ck_assert_str_eq(info.serial, "8A00");
    ck_assert_uint_eq(strlen(info.fingerprint), 64);
    ck_assert_str_eq(info.not_before, "Nov  3 07:08:09 2026 GMT");
    ck_assert_str_eq(info.not_after, "Nov 23 00:00:00 2026 GMT");
}
END_TEST

Suite *certinfo_suite(void)
{
    Suite *s = suite_create("certinfo");
    TCase *tc = tu_tcase("certinfo");

    tcase_add_loop_test(tc, serial_format, 0, NSERIALS);
    tcase_add_loop_test(tc, serial_format_from_der, 0, NSERIALS);
    tcase_add_test(tc, serial_zero_by_set);
    tcase_add_test(tc, serial_empty_and_null);
    tcase_add_test(tc, serial_negative_as_openssl);
    tcase_add_test(tc, hex_encode);
    tcase_add_test(tc, fingerprint_is_sha256_of_der);
    tcase_add_test(tc, fingerprint_differs_per_cert);
    tcase_add_test(tc, dn_rfc2253_order);
    tcase_add_test(tc, dn_escapes_comma_and_plus);
    tcase_add_test(tc, dn_escapes_other_specials);
    tcase_add_test(tc, dn_utf8_kept_as_utf8);
    tcase_add_test(tc, dn_bmpstring_as_utf8);
    tcase_add_test(tc, dn_empty_and_null);
    tcase_add_loop_test(tc, time_format, 0, NTIMES);
    tcase_add_test(tc, time_null);
    tcase_add_test(tc, certinfo_fill_all_fields);
    suite_add_tcase(s, tc);
    return s;
}
