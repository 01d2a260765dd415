/* SPDX-License-Identifier: Apache-2.0 */
/* certinfo.c: formatting of certificate fields for logs and variables. */
#include "certinfo.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/bio.h>
#include <openssl/evp.h>

static char *bio_to_pool(apr_pool_t *pool, BIO *bio)
{
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    return len > 0 ? apr_pstrmemdup(pool, data, (apr_size_t)len) : "";
}

char *cfaop_hex_lower(apr_pool_t *pool, const unsigned char *bytes, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *out = apr_palloc(pool, len * 2 + 1);
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
    out[2 * len] = '\0';
    return out;
}

char *cfaop_format_serial(apr_pool_t *pool, const ASN1_INTEGER *serial)
{
    static const char digits[] = "0123456789ABCDEF";
    const unsigned char *data;
    int len, i, negative;
    char *out, *p;

    if (serial == NULL)
        return "";
    data = ASN1_STRING_get0_data(serial);
    len = ASN1_STRING_length(serial);
    negative = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER;
    if (len <= 0)
        return "00";        /* as mod_ssl's SSL_CLIENT_M_SERIAL prints zero */
    p = out = apr_palloc(pool, (apr_size_t)len * 2 + 2);
    if (negative)
        *p++ = '-';
    for (i = 0; i < len; i++) {
        *p++ = digits[data[i] >> 4];
        *p++ = digits[data[i] & 0x0f];
    }
    *p = '\0';
    return out;
}

char *cfaop_format_dn(apr_pool_t *pool, const X509_NAME *name)
{
    BIO *bio;
    char *out;

    if (name == NULL || (bio = BIO_new(BIO_s_mem())) == NULL)
        return "";
    /* RFC 2253 order and escaping, but UTF-8 left as UTF-8 rather than
     * \XX-escaped, which is what an application comparing names wants. */
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
        out = "";
    else
        out = bio_to_pool(pool, bio);
    BIO_free(bio);
    return out;
}

char *cfaop_format_time(apr_pool_t *pool, const ASN1_TIME *when)
{
    BIO *bio;
    char *out;

    if (when == NULL || (bio = BIO_new(BIO_s_mem())) == NULL)
        return "";
    out = ASN1_TIME_print(bio, when) ? bio_to_pool(pool, bio) : "";
    BIO_free(bio);
    return out;
}

int cfaop_cert_sha256(X509 *cert, unsigned char out[32])
{
    unsigned int len = 0;

    return X509_digest(cert, EVP_sha256(), out, &len) == 1 && len == 32;
}

void cfaop_certinfo_fill(apr_pool_t *pool, X509 *cert, cfaop_certinfo_t *info)
{
    unsigned char digest[32];

    info->subject_dn = cfaop_format_dn(pool, X509_get_subject_name(cert));
    info->issuer_dn = cfaop_format_dn(pool, X509_get_issuer_name(cert));
    info->serial = cfaop_format_serial(pool, X509_get0_serialNumber(cert));
    info->fingerprint = cfaop_cert_sha256(cert, digest)
                        ? cfaop_hex_lower(pool, digest, sizeof(digest)) : "";
    info->not_before = cfaop_format_time(pool, X509_get0_notBefore(cert));
    info->not_after = cfaop_format_time(pool, X509_get0_notAfter(cert));
}
