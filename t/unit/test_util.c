/* SPDX-License-Identifier: Apache-2.0 */
/* test_util.c: APR and pool fixture, certificates made in memory. */
#include "test_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

apr_pool_t *tu_pool;

/* The run's own directory for temporary files, made before the tests fork
 * and removed by the runner at the end, so that a failed test (whose pool
 * cleanups never run) leaves nothing behind. */
static apr_pool_t *run_pool;
static const char *run_dir;

void tu_apr_init(void)
{
    const char *tmp = NULL;
    char *dir;

    if (apr_initialize() != APR_SUCCESS || apr_pool_create(&run_pool, NULL) != APR_SUCCESS
        || apr_temp_dir_get(&tmp, run_pool) != APR_SUCCESS) {
        fprintf(stderr, "cannot set up APR\n");
        exit(2);
    }
    dir = apr_pstrcat(run_pool, tmp, "/cfaop-unit-XXXXXX", NULL);
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "cannot make a temporary directory under %s\n", tmp);
        exit(2);
    }
    run_dir = dir;
}

void tu_apr_term(void)
{
    apr_dir_t *dir;
    apr_finfo_t entry;

    if (run_dir != NULL && apr_dir_open(&dir, run_dir, run_pool) == APR_SUCCESS) {
        while (apr_dir_read(&entry, APR_FINFO_NAME | APR_FINFO_TYPE, dir) == APR_SUCCESS) {
            if (entry.filetype == APR_REG)
                apr_file_remove(apr_pstrcat(run_pool, run_dir, "/", entry.name, NULL), run_pool);
        }
        apr_dir_close(dir);
        apr_dir_remove(run_dir, run_pool);
    }
    apr_pool_destroy(run_pool);
    apr_terminate();
}

void tu_pool_setup(void)
{
    tu_pool = NULL;
    ck_assert_int_eq(apr_pool_create(&tu_pool, NULL), APR_SUCCESS);
    ck_assert_ptr_nonnull(tu_pool);
}

void tu_pool_teardown(void)
{
    if (tu_pool != NULL)
        apr_pool_destroy(tu_pool);
    tu_pool = NULL;
    ERR_clear_error();
}

TCase *tu_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, tu_pool_setup, tu_pool_teardown);
    /* Check's 4 s default is about a busy 2-core machine, not about the
     * code: the slowest test needs under a second of CPU. */
    tcase_set_timeout(tc, 60);
    return tc;
}

/* ---- ownership ------------------------------------------------------ */

static apr_status_t cleanup_x509(void *data)
{
    X509_free(data);
    return APR_SUCCESS;
}

static apr_status_t cleanup_key(void *data)
{
    EVP_PKEY_free(data);
    return APR_SUCCESS;
}

static apr_status_t cleanup_stack(void *data)
{
    sk_X509_pop_free((STACK_OF(X509) *)data, X509_free);
    return APR_SUCCESS;
}

X509 *tu_own_x509(X509 *cert)
{
    if (cert != NULL)
        apr_pool_cleanup_register(tu_pool, cert, cleanup_x509, apr_pool_cleanup_null);
    return cert;
}

EVP_PKEY *tu_own_key(EVP_PKEY *key)
{
    if (key != NULL)
        apr_pool_cleanup_register(tu_pool, key, cleanup_key, apr_pool_cleanup_null);
    return key;
}

STACK_OF(X509) *tu_own_stack(STACK_OF(X509) *certs)
{
    if (certs != NULL)
        apr_pool_cleanup_register(tu_pool, certs, cleanup_stack, apr_pool_cleanup_null);
    return certs;
}

/* ---- certificates --------------------------------------------------- */

EVP_PKEY *tu_new_key(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    EVP_PKEY *key = EVP_EC_gen("P-256");
#else
    /* 1.1.1 has no EVP_EC_gen: the same key through a key-generation context */
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);

    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0
        || EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) <= 0
        || EVP_PKEY_keygen(ctx, &key) <= 0)
        key = NULL;
    EVP_PKEY_CTX_free(ctx);
#endif
    ck_assert_msg(key != NULL, "EC P-256 key generation failed");
    return tu_own_key(key);
}

static void add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    ck_assert_msg(ext != NULL, "cannot make extension %s=%s", OBJ_nid2sn(nid), value);
    ck_assert_int_eq(X509_add_ext(cert, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

static void add_name_entry(X509_NAME *name, const char *field, const char *value)
{
    if (value != NULL)
        ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                                    (const unsigned char *)value,
                                                    -1, -1, 0), 1);
}

tu_cred_t tu_make_cert(const tu_cert_opts_t *o)
{
    tu_cred_t out;
    X509 *cert = tu_own_x509(X509_new());
    X509_NAME *name = X509_NAME_new();
    EVP_PKEY *key = o->key != NULL ? o->key : tu_new_key();
    X509 *issuer = o->issuer != NULL ? o->issuer : cert;
    EVP_PKEY *signer = o->issuer != NULL ? o->issuer_key : key;
    X509V3_CTX ctx;

    ck_assert_ptr_nonnull(cert);
    ck_assert_ptr_nonnull(name);
    ck_assert_ptr_nonnull(o->cn);
    ck_assert_int_eq(X509_set_version(cert, o->v1 ? X509_VERSION_1 : X509_VERSION_3), 1);

    if (o->serial_hex != NULL) {
        BIGNUM *bn = NULL;
        ck_assert_int_eq(BN_hex2bn(&bn, o->serial_hex), (int)strlen(o->serial_hex));
        ck_assert_ptr_nonnull(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)));
        BN_free(bn);
    }
    else {
        ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(cert), o->serial), 1);
    }
    ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(cert), o->not_before));
    ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(cert), o->not_after));

    /* Added most significant first: C, O, CN (RFC 2253 prints it reversed). */
    add_name_entry(name, "C", o->c);
    add_name_entry(name, "O", o->o);
    add_name_entry(name, "CN", o->cn);
    ck_assert_int_eq(X509_set_subject_name(cert, name), 1);
    X509_NAME_free(name);
    ck_assert_int_eq(X509_set_issuer_name(cert, X509_get_subject_name(issuer)), 1);
    ck_assert_int_eq(X509_set_pubkey(cert, key), 1);

    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    switch (o->v1 ? TU_BC_NONE : o->bc) {
    case TU_BC_CA:
        add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert, &ctx, NID_key_usage, o->ku ? o->ku : "critical,keyCertSign,cRLSign");
        break;
    case TU_BC_LEAF:
        add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert, &ctx, NID_key_usage, "critical,digitalSignature");
        break;
    case TU_BC_NONE:
        break;
    }
    if (!o->v1) {
        add_ext(cert, &ctx, NID_subject_key_identifier, "hash");
        if (o->issuer != NULL)
            add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always");
        if (o->eku != NULL)
            add_ext(cert, &ctx, NID_ext_key_usage, o->eku);
        if (o->comment != NULL)
            add_ext(cert, &ctx, NID_netscape_comment, o->comment);
    }

    ck_assert_msg(X509_sign(cert, signer, EVP_sha256()) > 0, "X509_sign failed");
    out.key = key;
    out.cert = cert;
    return out;
}

tu_cred_t tu_make_ca(const char *cn)
{
    time_t now = time(NULL);
    tu_cert_opts_t o = { 0 };

    o.cn = cn;
    o.o = "Unit Test";
    o.serial = 1;
    o.not_before = now - TU_DAY;
    o.not_after = now + 3650 * TU_DAY;
    o.bc = TU_BC_CA;
    return tu_make_cert(&o);
}

tu_cred_t tu_make_intermediate(const char *cn, const tu_cred_t *issuer)
{
    time_t now = time(NULL);
    tu_cert_opts_t o = { 0 };

    o.cn = cn;
    o.o = "Unit Test";
    o.issuer = issuer->cert;
    o.issuer_key = issuer->key;
    o.serial = 2;
    o.not_before = now - TU_DAY;
    o.not_after = now + 3650 * TU_DAY;
    o.bc = TU_BC_CA;
    return tu_make_cert(&o);
}

tu_cred_t tu_make_leaf(const char *cn, const tu_cred_t *issuer, long serial,
                       time_t not_before, time_t not_after)
{
    tu_cert_opts_t o = { 0 };

    o.cn = cn;
    o.o = "Unit Test";
    o.issuer = issuer->cert;
    o.issuer_key = issuer->key;
    o.serial = serial;
    o.not_before = not_before;
    o.not_after = not_after;
    o.bc = TU_BC_LEAF;
    o.eku = "clientAuth";
    return tu_make_cert(&o);
}

char *tu_cert_pem(X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL, *out;
    long len;

    ck_assert_ptr_nonnull(bio);
    ck_assert_int_eq(PEM_write_bio_X509(bio, cert), 1);
    len = BIO_get_mem_data(bio, &data);
    ck_assert_int_gt(len, 0);
    out = apr_pstrmemdup(tu_pool, data, (apr_size_t)len);
    BIO_free(bio);
    return out;
}

unsigned char *tu_cert_der(X509 *cert, size_t *len)
{
    int n = i2d_X509(cert, NULL);
    unsigned char *der, *p;

    ck_assert_int_gt(n, 0);
    der = p = apr_palloc(tu_pool, (apr_size_t)n);
    ck_assert_int_eq(i2d_X509(cert, &p), n);
    *len = (size_t)n;
    return der;
}

X509 *tu_cert_from_der(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);

    ERR_clear_error();
    return tu_own_x509(cert);
}

STACK_OF(X509) *tu_stack(X509 *first, ...)
{
    STACK_OF(X509) *certs = tu_own_stack(sk_X509_new_null());
    va_list ap;
    X509 *cert;

    ck_assert_ptr_nonnull(certs);
    va_start(ap, first);
    for (cert = first; cert != NULL; cert = va_arg(ap, X509 *)) {
        ck_assert_int_eq(X509_up_ref(cert), 1);
        ck_assert_int_gt(sk_X509_push(certs, cert), 0);
    }
    va_end(ap);
    return certs;
}

/* ---- files ---------------------------------------------------------- */

static const char *temp_dir(void)
{
    ck_assert_ptr_nonnull(run_dir);
    return run_dir;
}

const char *tu_write_temp(const void *data, size_t len)
{
    char *path = apr_pstrcat(tu_pool, temp_dir(), "/file-XXXXXX", NULL);
    apr_file_t *file;
    apr_size_t written = 0;

    /* Default flags include APR_FOPEN_DELONCLOSE: the pool's cleanup
     * closes and removes the file. */
    ck_assert_int_eq(apr_file_mktemp(&file, path, 0, tu_pool), APR_SUCCESS);
    if (len > 0)
        ck_assert_int_eq(apr_file_write_full(file, data, len, &written), APR_SUCCESS);
    ck_assert_uint_eq(written, len);
    ck_assert_int_eq(apr_file_flush(file), APR_SUCCESS);
    return path;
}

const char *tu_missing_path(void)
{
    static unsigned counter;
    const char *path = apr_psprintf(tu_pool, "%s/missing-%ld-%u.pem",
                                    temp_dir(), (long)getpid(), ++counter);
    apr_finfo_t finfo;

    ck_assert_int_ne(apr_stat(&finfo, path, APR_FINFO_TYPE, tu_pool), APR_SUCCESS);
    return path;
}
