/* SPDX-License-Identifier: Apache-2.0 */
/* revocation_util.c: CRLs for the revocation tests, made with OpenSSL's API. */
#include "revocation_util.h"

#include <stdarg.h>
#include <apr_strings.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static apr_status_t cleanup_crl(void *data)
{
    X509_CRL_free(data);
    return APR_SUCCESS;
}

static apr_status_t cleanup_store(void *data)
{
    X509_STORE_free(data);
    return APR_SUCCESS;
}

static void add_entry(X509_CRL *crl, const char *hex, const ASN1_TIME *when, int removed)
{
    X509_REVOKED *entry = X509_REVOKED_new();
    ASN1_INTEGER *serial;
    BIGNUM *bn = NULL;

    ck_assert_ptr_nonnull(entry);
    ck_assert_int_eq(BN_hex2bn(&bn, hex), (int)strlen(hex));
    serial = BN_to_ASN1_INTEGER(bn, NULL);
    ck_assert_ptr_nonnull(serial);
    ck_assert_int_eq(X509_REVOKED_set_serialNumber(entry, serial), 1);
    ck_assert_int_eq(X509_REVOKED_set_revocationDate(entry, (ASN1_TIME *)when), 1);
    if (removed) {
        ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();
        ck_assert_int_eq(ASN1_ENUMERATED_set(reason, CRL_REASON_REMOVE_FROM_CRL), 1);
        ck_assert_int_eq(X509_REVOKED_add1_ext_i2d(entry, NID_crl_reason, reason, 0, 0), 1);
        ASN1_ENUMERATED_free(reason);
    }
    ck_assert_int_eq(X509_CRL_add0_revoked(crl, entry), 1);
    ASN1_INTEGER_free(serial);
    BN_free(bn);
}

X509_CRL *rv_make_crl(const rv_crl_opts_t *o)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_set(NULL, time(NULL) - 3600);
    ASN1_INTEGER *number = ASN1_INTEGER_new();
    int i;

    ck_assert_ptr_nonnull(crl);
    ck_assert_ptr_nonnull(t);
    apr_pool_cleanup_register(tu_pool, crl, cleanup_crl, apr_pool_cleanup_null);
    ck_assert_int_eq(X509_CRL_set_version(crl, X509_CRL_VERSION_2), 1);
    ck_assert_int_eq(X509_CRL_set_issuer_name(crl, X509_get_subject_name(o->issuer->cert)), 1);
    ck_assert_int_eq(X509_CRL_set1_lastUpdate(crl, t), 1);
    for (i = 0; o->serials != NULL && o->serials[i] != NULL; i++)
        add_entry(crl, o->serials[i], t, 0);
    if (o->removed != NULL)
        add_entry(crl, o->removed, t, 1);
    if (o->next_update != 0) {
        ck_assert_ptr_nonnull(ASN1_TIME_set(t, o->next_update));
        ck_assert_int_eq(X509_CRL_set1_nextUpdate(crl, t), 1);
    }
    ck_assert_int_eq(ASN1_INTEGER_set(number, 7), 1);
    ck_assert_int_eq(X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0), 1);
    if (o->delta)
        ck_assert_int_eq(X509_CRL_add1_ext_i2d(crl, NID_delta_crl, number, 1, 0), 1);
    if (o->unknown_critical) {
        ASN1_OBJECT *obj = OBJ_txt2obj("1.3.6.1.4.1.55555.1.1", 1);
        ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
        X509_EXTENSION *ext;
        ck_assert_int_eq(ASN1_OCTET_STRING_set(value, (const unsigned char *)"\x05\x00", 2), 1);
        ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 1, value);
        ck_assert_ptr_nonnull(ext);
        ck_assert_int_eq(X509_CRL_add_ext(crl, ext, -1), 1);
        X509_EXTENSION_free(ext);
        ASN1_OCTET_STRING_free(value);
        ASN1_OBJECT_free(obj);
    }
    ck_assert_int_eq(X509_CRL_sort(crl), 1);
    ck_assert_int_gt(X509_CRL_sign(crl, o->sign_key ? o->sign_key : o->issuer->key,
                                   EVP_sha256()), 0);
    ASN1_INTEGER_free(number);
    ASN1_TIME_free(t);
    return crl;
}

X509_CRL *rv_crl(const tu_cred_t *issuer, const char *const *serials)
{
    rv_crl_opts_t o = { 0 };

    o.issuer = issuer;
    o.serials = serials;
    o.next_update = time(NULL) + 7 * TU_DAY;
    return rv_make_crl(&o);
}

char *rv_crl_pem(X509_CRL *crl)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL, *out;
    long len;

    ck_assert_ptr_nonnull(bio);
    ck_assert_int_eq(PEM_write_bio_X509_CRL(bio, crl), 1);
    len = BIO_get_mem_data(bio, &data);
    ck_assert_int_gt(len, 0);
    out = apr_pstrmemdup(tu_pool, data, (apr_size_t)len);
    BIO_free(bio);
    return out;
}

unsigned char *rv_crl_der(X509_CRL *crl, size_t *len)
{
    int n = i2d_X509_CRL(crl, NULL);
    unsigned char *der, *p;

    ck_assert_int_gt(n, 0);
    der = p = apr_palloc(tu_pool, (apr_size_t)n);
    ck_assert_int_eq(i2d_X509_CRL(crl, &p), n);
    *len = (size_t)n;
    return der;
}

const char *rv_write_text(const char *first, ...)
{
    const char *data = "", *part;
    va_list ap;

    va_start(ap, first);
    for (part = first; part != NULL; part = va_arg(ap, const char *))
        data = apr_pstrcat(tu_pool, data, part, NULL);
    va_end(ap);
    return tu_write_temp(data, strlen(data));
}

X509_STORE *rv_store(X509 *first, ...)
{
    X509_STORE *store = X509_STORE_new();
    va_list ap;
    X509 *cert;

    ck_assert_ptr_nonnull(store);
    apr_pool_cleanup_register(tu_pool, store, cleanup_store, apr_pool_cleanup_null);
    va_start(ap, first);
    for (cert = first; cert != NULL; cert = va_arg(ap, X509 *))
        ck_assert_int_eq(X509_STORE_add_cert(store, cert), 1);
    va_end(ap);
    X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
    return store;
}
