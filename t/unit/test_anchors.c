/* SPDX-License-Identifier: Apache-2.0 */
/* test_anchors.c: reading CA files (PEM, DER, built-in) and the checks an
 * anchor must pass: a CA, and a warning near or past its expiry. */
#include "test_util.h"

#include <stdarg.h>
#include <string.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "anchors.h"
#include "certinfo.h"
#include "builtin_ca.h"

static const char *pem_file(X509 *first, ...)
{
    const char *data = "";
    va_list ap;
    X509 *cert;

    va_start(ap, first);
    for (cert = first; cert != NULL; cert = va_arg(ap, X509 *))
        data = apr_pstrcat(tu_pool, data, tu_cert_pem(cert), NULL);
    va_end(ap);
    return tu_write_temp(data, strlen(data));
}

static tu_cred_t self_signed(const char *cn, tu_bc_t bc)
{
    time_t now = time(NULL);
    tu_cert_opts_t o = { 0 };

    o.cn = cn;
    o.o = "Unit Test";
    o.serial = 5;
    o.not_before = now - TU_DAY;
    o.not_after = now + 365 * TU_DAY;
    o.bc = bc;
    return tu_make_cert(&o);
}

#define ck_assert_contains(haystack, needle) \
    ck_assert_msg((haystack) != NULL && strstr((haystack), (needle)) != NULL, \
                  "\"%s\" does not contain \"%s\"", (haystack) ? (haystack) : "(null)", (needle))

/* ---- loading -------------------------------------------------------- */

START_TEST(load_pem_one_ca)
{
    tu_cred_t ca = tu_make_ca("One CA");
    const char *path = pem_file(ca.cert, NULL);
    cfaop_anchor_set_t *set = NULL;

    ck_assert_ptr_null(cfaop_anchor_set_load_file(tu_pool, path, &set));
    ck_assert_ptr_nonnull(set);
    ck_assert_str_eq(set->source, path);
    ck_assert_int_eq(set->builtin, 0);
    ck_assert_int_eq(sk_X509_num(set->certs), 1);
    ck_assert_int_eq(X509_cmp(sk_X509_value(set->certs, 0), ca.cert), 0);
}
END_TEST

START_TEST(load_pem_two_cas)
{
    tu_cred_t a = tu_make_ca("First CA");
    tu_cred_t b = tu_make_ca("Second CA");
    const char *path = pem_file(a.cert, b.cert, NULL);
    cfaop_anchor_set_t *set = NULL;

    ck_assert_ptr_null(cfaop_anchor_set_load_file(tu_pool, path, &set));
    ck_assert_ptr_nonnull(set);
    ck_assert_int_eq(sk_X509_num(set->certs), 2);
    ck_assert_int_eq(X509_cmp(sk_X509_value(set->certs, 0), a.cert), 0);
    ck_assert_int_eq(X509_cmp(sk_X509_value(set->certs, 1), b.cert), 0);
}
END_TEST

START_TEST(load_pem_with_text_around)
{
    tu_cred_t ca = tu_make_ca("Commented CA");
    const char *data = apr_pstrcat(tu_pool, "# the test CA\nsubject=CN=Commented CA\n",
                                   tu_cert_pem(ca.cert), "\n# end\n", NULL);
    const char *path = tu_write_temp(data, strlen(data));
    cfaop_anchor_set_t *set = NULL;

    ck_assert_ptr_null(cfaop_anchor_set_load_file(tu_pool, path, &set));
    ck_assert_int_eq(sk_X509_num(set->certs), 1);
}
END_TEST

START_TEST(load_der_ca)
{
    tu_cred_t ca = tu_make_ca("DER CA");
    size_t len;
    unsigned char *der = tu_cert_der(ca.cert, &len);
    const char *path = tu_write_temp(der, len);
    cfaop_anchor_set_t *set = NULL;

    ck_assert_ptr_null(cfaop_anchor_set_load_file(tu_pool, path, &set));
    ck_assert_ptr_nonnull(set);
    ck_assert_int_eq(sk_X509_num(set->certs), 1);
    ck_assert_int_eq(X509_cmp(sk_X509_value(set->certs, 0), ca.cert), 0);
}
END_TEST

START_TEST(load_der_with_trailing_bytes_fails)
{
    tu_cred_t ca = tu_make_ca("DER CA");
    size_t len;
    unsigned char *der = tu_cert_der(ca.cert, &len);
    unsigned char *longer = apr_palloc(tu_pool, len + 3);
    const char *path, *err;
    cfaop_anchor_set_t *set = NULL;

    memcpy(longer, der, len);
    memcpy(longer + len, "xyz", 3);
    path = tu_write_temp(longer, len + 3);
    err = cfaop_anchor_set_load_file(tu_pool, path, &set);
    ck_assert_ptr_null(set);
    ck_assert_str_eq(err, apr_pstrcat(tu_pool, path, ": no certificate found (expected PEM "
                                      "\"BEGIN CERTIFICATE\" blocks or one DER certificate)", NULL));
}
END_TEST

START_TEST(load_missing_file)
{
    const char *path = tu_missing_path();
    cfaop_anchor_set_t *set = NULL;
    const char *err = cfaop_anchor_set_load_file(tu_pool, path, &set);

    ck_assert_ptr_null(set);
    ck_assert_contains(err, apr_pstrcat(tu_pool, "cannot open ", path, ": ", NULL));
}
END_TEST

START_TEST(load_directory_fails)
{
    const char *dir = NULL;
    cfaop_anchor_set_t *set = NULL;
    const char *err;

    ck_assert_int_eq(apr_temp_dir_get(&dir, tu_pool), APR_SUCCESS);
    err = cfaop_anchor_set_load_file(tu_pool, dir, &set);
    ck_assert_ptr_null(set);
    ck_assert_str_eq(err, apr_pstrcat(tu_pool, dir, " is not a regular file", NULL));
}
END_TEST

START_TEST(load_empty_file)
{
    const char *path = tu_write_temp("", 0);
    cfaop_anchor_set_t *set = NULL;
    const char *err = cfaop_anchor_set_load_file(tu_pool, path, &set);

    ck_assert_ptr_null(set);
    ck_assert_str_eq(err, apr_pstrcat(tu_pool, path, ": no certificate found (expected PEM "
                                      "\"BEGIN CERTIFICATE\" blocks or one DER certificate)", NULL));
}
END_TEST

static const char *const garbage[] = {
    "this is not a certificate\n",
    "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",          /* truncated */
    "\x30\x82\x01\x00garbage that starts like DER",
};
#define NGARBAGE ((int)(sizeof(garbage) / sizeof(garbage[0])))

START_TEST(load_garbage)
{
    const char *path = tu_write_temp(garbage[_i], strlen(garbage[_i]));
    cfaop_anchor_set_t *set = NULL;
    const char *err = cfaop_anchor_set_load_file(tu_pool, path, &set);

    ck_assert_ptr_null(set);
    ck_assert_str_eq(err, apr_pstrcat(tu_pool, path, ": no certificate found (expected PEM "
                                      "\"BEGIN CERTIFICATE\" blocks or one DER certificate)", NULL));
}
END_TEST

START_TEST(load_non_ca)
{
    tu_cred_t ca = tu_make_ca("Issuer CA");
    time_t now = time(NULL);
    tu_cred_t leaf = tu_make_leaf("leaf", &ca, 3, now - TU_DAY, now + TU_DAY);
    const char *path = pem_file(leaf.cert, NULL);
    cfaop_anchor_set_t *set = NULL;
    const char *err = cfaop_anchor_set_load_file(tu_pool, path, &set);

    ck_assert_ptr_null(set);
    ck_assert_str_eq(err, apr_pstrcat(tu_pool, path, ": certificate is not a CA "
                                      "(basicConstraints CA:TRUE is missing): CN=leaf,O=Unit Test",
                                      NULL));
}
END_TEST

START_TEST(load_non_ca_second_of_three)
{
    tu_cred_t ca = tu_make_ca("Good CA");
    tu_cred_t other = tu_make_ca("Other CA");
    tu_cred_t plain = self_signed("plain", TU_BC_NONE);
    const char *path = pem_file(ca.cert, plain.cert, other.cert, NULL);
    cfaop_anchor_set_t *set = NULL;
    const char *err = cfaop_anchor_set_load_file(tu_pool, path, &set);

    ck_assert_ptr_null(set);
    ck_assert_str_eq(err, apr_pstrcat(tu_pool, path, ": certificate #2 is not a CA "
                                      "(basicConstraints CA:TRUE is missing): CN=plain,O=Unit Test",
                                      NULL));
}
END_TEST

/* A bundle whose second block is damaged (a bad copy and paste during a
 * rotation) must fail: loading only the first certificate would drop the
 * new CA silently, and every certificate after the damage with it.
 * KNOWN BUG (reported): parse_certs() stops at the first block that does
 * not decode and keeps what it read before, so this file is accepted. */
START_TEST(load_pem_damaged_second_block)
{
    tu_cred_t a = tu_make_ca("First CA");
    tu_cred_t b = tu_make_ca("Second CA");
    tu_cred_t c = tu_make_ca("Third CA");
    char *second = tu_cert_pem(b.cert);
    const char *data, *path, *err;
    cfaop_anchor_set_t *set = NULL;

    /* damage the base64 of the second block: a character outside the alphabet */
    second[40] = '!';
    data = apr_pstrcat(tu_pool, tu_cert_pem(a.cert), second, tu_cert_pem(c.cert), NULL);
    path = tu_write_temp(data, strlen(data));
    err = cfaop_anchor_set_load_file(tu_pool, path, &set);
    ck_assert_msg(err != NULL, "a CA file with a damaged second certificate was accepted "
                  "with %d certificate(s)", set ? sk_X509_num(set->certs) : -1);
    ck_assert_contains(err, path);
}
END_TEST

START_TEST(load_invalid_extension)
{
    tu_cred_t ca = tu_make_ca("Broken CA");
    static const unsigned char junk[] = { 0x05, 0x00 };     /* NULL, not a SEQUENCE */
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext;
    X509 *cert;
    const char *path, *err;
    cfaop_anchor_set_t *set = NULL;
    tu_cert_opts_t o = { 0 };

    /* a certificate whose only basicConstraints does not parse */
    o.cn = "Broken CA";
    o.o = "Unit Test";
    o.serial = 3;
    o.not_before = time(NULL) - TU_DAY;
    o.not_after = time(NULL) + TU_DAY;
    o.bc = TU_BC_NONE;
    o.key = ca.key;
    cert = tu_make_cert(&o).cert;
    ck_assert_ptr_nonnull(os);
    ck_assert_int_eq(ASN1_OCTET_STRING_set(os, junk, sizeof(junk)), 1);
    ext = X509_EXTENSION_create_by_NID(NULL, NID_basic_constraints, 1, os);
    ASN1_OCTET_STRING_free(os);
    ck_assert_ptr_nonnull(ext);
    ck_assert_int_eq(X509_add_ext(cert, ext, -1), 1);
    X509_EXTENSION_free(ext);
    ck_assert_int_gt(X509_sign(cert, ca.key, EVP_sha256()), 0);

    path = pem_file(cert, NULL);
    err = cfaop_anchor_set_load_file(tu_pool, path, &set);
    ck_assert_ptr_null(set);
    ck_assert_str_eq(err, apr_pstrcat(tu_pool, path,
                                      ": certificate has an invalid or unparsable extension", NULL));
}
END_TEST

START_TEST(load_pem_builtin)
{
    cfaop_anchor_set_t *set = NULL;
    char *dn;

    ck_assert_ptr_null(cfaop_anchor_set_load_pem(tu_pool, cfaop_builtin_ca_pem,
                                                 CFAOP_BUILTIN_CA_NAME, 1, &set));
    ck_assert_ptr_nonnull(set);
    ck_assert_str_eq(set->source, "cloudflare");
    ck_assert_int_eq(set->builtin, 1);
    ck_assert_int_eq(sk_X509_num(set->certs), 1);
    dn = cfaop_format_dn(tu_pool, X509_get_subject_name(sk_X509_value(set->certs, 0)));
    ck_assert_str_eq(dn, "CN=origin-pull.cloudflare.net,ST=California,L=San Francisco,"
                         "OU=Origin Pull,O=CloudFlare\\, Inc.,C=US");
    ck_assert_ptr_null(cfaop_anchor_expiry_warning(tu_pool, sk_X509_value(set->certs, 0),
                                                   1735689600 /* 2025-01-01 */, 30));
    ck_assert_str_eq(cfaop_anchor_expiry_warning(tu_pool, sk_X509_value(set->certs, 0),
                                                 1893456000 /* 2030-01-01 */, 30),
                     "has expired (notAfter Nov  1 17:00:00 2029 GMT): "
                     "CN=origin-pull.cloudflare.net,ST=California,L=San Francisco,"
                     "OU=Origin Pull,O=CloudFlare\\, Inc.,C=US");
}
END_TEST

START_TEST(load_pem_memory_non_ca)
{
    tu_cred_t plain = self_signed("memory leaf", TU_BC_LEAF);
    cfaop_anchor_set_t *set = NULL;
    const char *err = cfaop_anchor_set_load_pem(tu_pool, tu_cert_pem(plain.cert), "inline", 0, &set);

    ck_assert_ptr_null(set);
    ck_assert_str_eq(err, "inline: certificate is not a CA (basicConstraints CA:TRUE is "
                          "missing): CN=memory leaf,O=Unit Test");
}
END_TEST

START_TEST(load_pem_memory_empty)
{
    cfaop_anchor_set_t *set = NULL;
    const char *err = cfaop_anchor_set_load_pem(tu_pool, "", "inline", 0, &set);

    ck_assert_ptr_null(set);
    ck_assert_str_eq(err, "inline: no certificate found (expected PEM "
                          "\"BEGIN CERTIFICATE\" blocks or one DER certificate)");
}
END_TEST

/* ---- pasted PEM text: the line to fix ------------------------------- */

static int count_lines(const char *text)
{
    int n = 0;

    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static const char *load_text_error(const char *text, const char **path)
{
    cfaop_anchor_set_t *set = NULL;
    const char *err;

    *path = tu_write_temp(text, strlen(text));
    err = cfaop_anchor_set_load_file(tu_pool, *path, &set);
    ck_assert_msg(err == NULL || set == NULL, "an error and a set");
    return err;
}

START_TEST(load_pem_glued_end_begin)
{
    tu_cred_t a = tu_make_ca("Glued A"), b = tu_make_ca("Glued B");
    char *first = apr_pstrdup(tu_pool, tu_cert_pem(a.cert));
    const char *path, *err;

    first[strlen(first) - 1] = '\0';      /* no line break after END */
    err = load_text_error(apr_pstrcat(tu_pool, first, tu_cert_pem(b.cert), NULL), &path);
    ck_assert_str_eq(err, apr_psprintf(tu_pool, "%s: line %d has a -----BEGIN marker on the "
                                       "same line as the -----END marker before it (two PEM "
                                       "files pasted together without a line break): put each "
                                       "-----BEGIN marker on a line of its own", path,
                                       count_lines(first) + 1));
}
END_TEST

START_TEST(load_pem_json_escaped)
{
    tu_cred_t a = tu_make_ca("Escaped");
    const char *pem = tu_cert_pem(a.cert), *path, *err;
    char *json = apr_palloc(tu_pool, 2 * strlen(pem) + 1), *q = json;

    for (; *pem; pem++) {
        if (*pem == '\n') {
            *q++ = '\\';
            *q++ = 'n';
        }
        else
            *q++ = *pem;
    }
    *q = '\0';
    err = load_text_error(apr_pstrcat(tu_pool, "\n", json, "\n", NULL), &path);
    ck_assert_str_eq(err, apr_pstrcat(tu_pool, path, ": line 2 has a literal \\n where a line "
                                      "break belongs (PEM text escaped for JSON, as an API "
                                      "returns it): write real line breaks, for example with "
                                      "jq -r", NULL));
}
END_TEST

START_TEST(load_pem_one_line)
{
    tu_cred_t a = tu_make_ca("One line");
    char *pem = apr_pstrdup(tu_pool, tu_cert_pem(a.cert)), *c;
    const char *path, *err;

    for (c = pem; *c; c++)
        if (*c == '\n' && c[1] != '\0')
            *c = ' ';
    err = load_text_error(pem, &path);
    ck_assert_str_eq(err, apr_pstrcat(tu_pool, path, ": line 1 holds a whole PEM block on one "
                                      "line: the -----BEGIN line, the base64 lines and the "
                                      "-----END line each need lines of their own", NULL));
}
END_TEST

START_TEST(load_private_key)
{
    tu_cred_t a = tu_make_ca("Key owner");
    BIO *bio = BIO_new(BIO_s_mem());
    char *mem;
    long n;
    const char *path, *err;

    ck_assert(PEM_write_bio_PrivateKey(bio, a.key, NULL, NULL, 0, NULL, NULL) == 1);
    n = BIO_get_mem_data(bio, &mem);
    err = load_text_error(apr_pstrcat(tu_pool, tu_cert_pem(a.cert),
                                      apr_pstrmemdup(tu_pool, mem, (apr_size_t)n), NULL), &path);
    BIO_free(bio);
    ck_assert_str_eq(err, apr_psprintf(tu_pool, "%s: line %d is the start of a private key "
                                       "(PRIVATE KEY), not of a certificate: give the CA's "
                                       "certificate (BEGIN CERTIFICATE); a CA file needs no "
                                       "key, and a key does not belong here", path,
                                       count_lines(tu_cert_pem(a.cert)) + 1));
}
END_TEST

START_TEST(load_pem_after_bom)
{
    tu_cred_t a = tu_make_ca("BOM CA");
    cfaop_anchor_set_t *set = NULL;
    const char *path = NULL, *err;

    err = load_text_error(apr_pstrcat(tu_pool, "\xef\xbb\xbf", tu_cert_pem(a.cert), NULL), &path);
    ck_assert_ptr_null(err);
    ck_assert_ptr_null(cfaop_anchor_set_load_file(tu_pool, path, &set));
    ck_assert_int_eq(sk_X509_num(set->certs), 1);
}
END_TEST

/* ---- check_ca ------------------------------------------------------- */

START_TEST(check_ca)
{
    tu_cred_t ca = tu_make_ca("Checked CA");
    tu_cred_t inter = tu_make_intermediate("Checked Intermediate", &ca);
    tu_cred_t leaf_false = self_signed("ca false", TU_BC_LEAF);
    tu_cred_t leaf_none = self_signed("no bc", TU_BC_NONE);
    tu_cert_opts_t o = { 0 };
    tu_cred_t v1;

    /* A v1 self-signed root (no extensions) is no CA for us, though
     * OpenSSL's X509_check_ca() would accept it. */
    o.cn = "v1 root";
    o.o = "Unit Test";
    o.serial = 1;
    o.not_before = time(NULL) - TU_DAY;
    o.not_after = time(NULL) + TU_DAY;
    o.bc = TU_BC_CA;
    o.v1 = 1;
    v1 = tu_make_cert(&o);
    ck_assert_int_eq(X509_get_version(v1.cert), X509_VERSION_1);
    ck_assert_int_ne(X509_check_ca(v1.cert), 0);

    ck_assert_ptr_null(cfaop_anchor_check_ca(tu_pool, ca.cert));
    ck_assert_ptr_null(cfaop_anchor_check_ca(tu_pool, inter.cert));
    ck_assert_str_eq(cfaop_anchor_check_ca(tu_pool, leaf_false.cert),
                     "is not a CA (basicConstraints CA:TRUE is missing): CN=ca false,O=Unit Test");
    ck_assert_str_eq(cfaop_anchor_check_ca(tu_pool, leaf_none.cert),
                     "is not a CA (basicConstraints CA:TRUE is missing): CN=no bc,O=Unit Test");
    ck_assert_str_eq(cfaop_anchor_check_ca(tu_pool, v1.cert),
                     "is not a CA (basicConstraints CA:TRUE is missing): CN=v1 root,O=Unit Test");
}
END_TEST

/* CA:TRUE with a keyUsage that leaves out keyCertSign (found by
 * fuzz_anchors): OpenSSL would refuse every leaf it signed. */
START_TEST(check_ca_needs_key_cert_sign)
{
    time_t now = time(NULL);
    tu_cert_opts_t o = { 0 };
    tu_cred_t crl_only, both;
    cfaop_anchor_set_t *set = NULL;
    const char *err;

    o.cn = "CRL signer";
    o.o = "Unit Test";
    o.serial = 7;
    o.not_before = now - TU_DAY;
    o.not_after = now + TU_DAY;
    o.bc = TU_BC_CA;
    o.ku = "critical,cRLSign";
    crl_only = tu_make_cert(&o);
    ck_assert_int_eq(X509_check_ca(crl_only.cert), 0);
    ck_assert_str_eq(cfaop_anchor_check_ca(tu_pool, crl_only.cert),
                     "may not sign certificates (keyUsage lacks keyCertSign): "
                     "CN=CRL signer,O=Unit Test");
    err = cfaop_anchor_set_load_pem(tu_pool, tu_cert_pem(crl_only.cert), "inline", 0, &set);
    ck_assert_str_eq(err, "inline: certificate may not sign certificates (keyUsage lacks "
                          "keyCertSign): CN=CRL signer,O=Unit Test");

    o.cn = "Full CA";
    o.ku = "critical,keyCertSign";
    both = tu_make_cert(&o);
    ck_assert_ptr_null(cfaop_anchor_check_ca(tu_pool, both.cert));
}
END_TEST

/* ---- expiry warning ------------------------------------------------- */

static X509 *ca_until(time_t not_after)
{
    tu_cert_opts_t o = { 0 };

    o.cn = "Expiring CA";
    o.o = "Unit Test";
    o.serial = 1;
    o.not_before = not_after - 3650 * TU_DAY;
    o.not_after = not_after;
    o.bc = TU_BC_CA;
    return tu_make_cert(&o).cert;
}

START_TEST(expiry_fixed_clock)
{
    const time_t end = 1893456000;      /* 2030-01-01 00:00:00 UTC */
    X509 *ca = ca_until(end);
    const char *soon = "expires within 30 days (notAfter Jan  1 00:00:00 2030 GMT): "
                       "CN=Expiring CA,O=Unit Test";

    ck_assert_ptr_null(cfaop_anchor_expiry_warning(tu_pool, ca, end - 365 * TU_DAY, 30));
    ck_assert_ptr_null(cfaop_anchor_expiry_warning(tu_pool, ca, end - 30 * TU_DAY - 1, 30));
    ck_assert_str_eq(cfaop_anchor_expiry_warning(tu_pool, ca, end - 30 * TU_DAY + 1, 30), soon);
    ck_assert_str_eq(cfaop_anchor_expiry_warning(tu_pool, ca, end - 10 * TU_DAY, 30), soon);
    ck_assert_str_eq(cfaop_anchor_expiry_warning(tu_pool, ca, end - 1, 30), soon);
    ck_assert_str_eq(cfaop_anchor_expiry_warning(tu_pool, ca, end + 1, 30),
                     "has expired (notAfter Jan  1 00:00:00 2030 GMT): CN=Expiring CA,O=Unit Test");
    ck_assert_str_eq(cfaop_anchor_expiry_warning(tu_pool, ca, end + 400 * TU_DAY, 30),
                     "has expired (notAfter Jan  1 00:00:00 2030 GMT): CN=Expiring CA,O=Unit Test");
}
END_TEST

START_TEST(expiry_relative_to_now)
{
    time_t now = time(NULL);
    tu_cred_t far = tu_make_ca("Far CA");
    X509 *soon = ca_until(now + 10 * TU_DAY);
    X509 *past = ca_until(now - TU_DAY);
    const char *w;

    ck_assert_ptr_null(cfaop_anchor_expiry_warning(tu_pool, far.cert, now, 30));
    w = cfaop_anchor_expiry_warning(tu_pool, soon, now, 30);
    ck_assert_ptr_nonnull(w);
    ck_assert_contains(w, "expires within 30 days (notAfter ");
    w = cfaop_anchor_expiry_warning(tu_pool, past, now, 30);
    ck_assert_ptr_nonnull(w);
    ck_assert_contains(w, "has expired (notAfter ");
}
END_TEST

/* ---- read_file ------------------------------------------------------ */

START_TEST(read_file_exact_bytes)
{
    static const char bytes[] = "ab\0cd\n";
    const char *path = tu_write_temp(bytes, sizeof(bytes) - 1);
    char *data = NULL;
    apr_size_t len = 0;

    ck_assert_ptr_null(cfaop_read_file(tu_pool, path, &data, &len));
    ck_assert_uint_eq(len, sizeof(bytes) - 1);
    ck_assert_mem_eq(data, bytes, len);
    ck_assert_int_eq(data[len], '\0');
}
END_TEST

START_TEST(read_file_empty)
{
    const char *path = tu_write_temp("", 0);
    char *data = NULL;
    apr_size_t len = 99;

    ck_assert_ptr_null(cfaop_read_file(tu_pool, path, &data, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(data, "");
}
END_TEST

Suite *anchors_suite(void)
{
    Suite *s = suite_create("anchors");
    TCase *tc = tu_tcase("anchors");

    tcase_add_test(tc, load_pem_one_ca);
    tcase_add_test(tc, load_pem_two_cas);
    tcase_add_test(tc, load_pem_with_text_around);
    tcase_add_test(tc, load_der_ca);
    tcase_add_test(tc, load_der_with_trailing_bytes_fails);
    tcase_add_test(tc, load_missing_file);
    tcase_add_test(tc, load_directory_fails);
    tcase_add_test(tc, load_empty_file);
    tcase_add_loop_test(tc, load_garbage, 0, NGARBAGE);
    tcase_add_test(tc, load_non_ca);
    tcase_add_test(tc, load_non_ca_second_of_three);
    tcase_add_test(tc, load_pem_damaged_second_block);
    tcase_add_test(tc, load_invalid_extension);
    tcase_add_test(tc, load_pem_builtin);
    tcase_add_test(tc, load_pem_memory_non_ca);
    tcase_add_test(tc, load_pem_memory_empty);
    tcase_add_test(tc, load_pem_glued_end_begin);
    tcase_add_test(tc, load_pem_json_escaped);
    tcase_add_test(tc, load_pem_one_line);
    tcase_add_test(tc, load_private_key);
    tcase_add_test(tc, load_pem_after_bom);
    tcase_add_test(tc, check_ca);
    tcase_add_test(tc, check_ca_needs_key_cert_sign);
    tcase_add_test(tc, expiry_fixed_clock);
    tcase_add_test(tc, expiry_relative_to_now);
    tcase_add_test(tc, read_file_exact_bytes);
    tcase_add_test(tc, read_file_empty);
    suite_add_tcase(s, tc);
    return s;
}
