/* SPDX-License-Identifier: Apache-2.0 */
/* rfc9440.c: strict parsing of RFC 9440 certificate fields (RFC 8941 byte
 * sequences and lists of them) and PEM rendering of what they carry. */
#include "rfc9440.h"
#include "codec.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

static apr_status_t free_x509(void *data)
{
    X509_free((X509 *)data);
    return APR_SUCCESS;
}

static apr_status_t free_stack(void *data)
{
    sk_X509_free((STACK_OF(X509) *)data);      /* the certificates have their own cleanups */
    return APR_SUCCESS;
}

const char *cfaop_der_to_x509(apr_pool_t *pool, const unsigned char *der, size_t len,
                              X509 **cert)
{
    const unsigned char *p = der;
    unsigned char *again = NULL;
    X509 *x;
    int n;

    if (len == 0)
        return "empty certificate";
    if (len > 1024 * 1024)
        return "certificate too large";
    x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL) {
        ERR_clear_error();
        return "not a DER certificate";
    }
    if (p != der + len) {
        X509_free(x);
        return apr_psprintf(pool, "%lu trailing bytes after the certificate",
                            (unsigned long)(der + len - p));
    }
    /* BER that OpenSSL tolerates re-encodes differently: not DER. */
    n = i2d_X509(x, &again);
    if (n < 0 || (size_t)n != len || memcmp(again, der, len) != 0) {
        OPENSSL_free(again);
        X509_free(x);
        ERR_clear_error();
        return "not DER (the encoding is not canonical)";
    }
    OPENSSL_free(again);
    apr_pool_cleanup_register(pool, x, free_x509, apr_pool_cleanup_null);
    *cert = x;
    return NULL;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* One byte sequence at *pos: ":" base64 ":" and no parameters. */
static const char *parse_binary(apr_pool_t *pool, const char *value, size_t len,
                                size_t *pos, X509 **cert)
{
    size_t start, end;
    unsigned char *der;
    size_t derlen;
    const char *err;

    if (*pos >= len)
        return "empty";
    if (value[*pos] != ':')
        return "not a byte sequence (:base64:)";
    start = *pos + 1;
    for (end = start; end < len && value[end] != ':'; end++)
        ;
    if (end >= len)
        return "byte sequence has no closing ':'";
    if ((err = cfaop_base64_decode(pool, value + start, end - start, &der, &derlen)) != NULL)
        return err;
    if ((err = cfaop_der_to_x509(pool, der, derlen, cert)) != NULL)
        return err;
    *pos = end + 1;
    if (*pos < len && value[*pos] == ';')
        return "parameters are not accepted";
    return NULL;
}

static void skip_ows(const char *value, size_t len, size_t *pos)
{
    while (*pos < len && is_ows(value[*pos]))
        (*pos)++;
}

const char *cfaop_rfc9440_parse_cert(apr_pool_t *pool, const char *value, size_t len,
                                     X509 **cert)
{
    size_t pos = 0;
    X509 *x = NULL;
    const char *err;

    skip_ows(value, len, &pos);
    if ((err = parse_binary(pool, value, len, &pos, &x)) != NULL)
        return err;
    skip_ows(value, len, &pos);
    if (pos != len)
        return "trailing characters after the byte sequence";
    *cert = x;
    return NULL;
}

const char *cfaop_rfc9440_parse_chain(apr_pool_t *pool, const char *value, size_t len,
                                      STACK_OF(X509) **chain)
{
    STACK_OF(X509) *certs;
    size_t pos = 0;
    int n = 0;

    certs = sk_X509_new_null();
    if (certs == NULL)
        return "out of memory";
    apr_pool_cleanup_register(pool, certs, free_stack, apr_pool_cleanup_null);
    skip_ows(value, len, &pos);
    if (pos == len)
        return "empty";
    for (;;) {
        X509 *x = NULL;
        const char *err;

        if (++n > CFAOP_RFC9440_CHAIN_MAX)
            return apr_psprintf(pool, "more than %d certificates", CFAOP_RFC9440_CHAIN_MAX);
        if ((err = parse_binary(pool, value, len, &pos, &x)) != NULL)
            return apr_psprintf(pool, "certificate #%d: %s", n, err);
        if (!sk_X509_push(certs, x))
            return "out of memory";
        skip_ows(value, len, &pos);
        if (pos == len)
            break;
        if (value[pos] != ',')
            return apr_psprintf(pool, "certificate #%d: trailing characters after "
                                "the byte sequence", n);
        pos++;
        skip_ows(value, len, &pos);
        if (pos == len)
            return "trailing ',' at the end of the list";
    }
    *chain = certs;
    return NULL;
}

static int pem_append(BIO *bio, X509 *cert)
{
    return PEM_write_bio_X509(bio, cert) == 1;
}

static char *bio_text(apr_pool_t *pool, BIO *bio)
{
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);

    return len > 0 ? apr_pstrmemdup(pool, data, (apr_size_t)len) : NULL;
}

char *cfaop_pem_cert(apr_pool_t *pool, X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;

    if (bio != NULL && cert != NULL && pem_append(bio, cert))
        out = bio_text(pool, bio);
    BIO_free(bio);
    ERR_clear_error();
    return out;
}

char *cfaop_pem_chain(apr_pool_t *pool, STACK_OF(X509) *chain)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;
    int i, ok = bio != NULL && chain != NULL;

    for (i = 0; ok && i < sk_X509_num(chain); i++)
        ok = pem_append(bio, sk_X509_value(chain, i));
    if (ok)
        out = bio_text(pool, bio);
    BIO_free(bio);
    ERR_clear_error();
    return out;
}
