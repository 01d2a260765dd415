/* SPDX-License-Identifier: Apache-2.0 */
/* certinfo.c: formatting of certificate fields for logs and variables. */
#include "certinfo.h"
#include "codec.h"
#include "serial.h"

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

char *cfaop_format_serial(apr_pool_t *pool, const ASN1_INTEGER *serial)
{
    if (serial == NULL)
        return "";
    return cfaop_serial_hex(pool, ASN1_STRING_get0_data(serial),
                            (size_t)(ASN1_STRING_length(serial) > 0 ? ASN1_STRING_length(serial) : 0),
                            ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER);
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

int cfaop_time_epoch(const ASN1_TIME *when, time_t *out)
{
    struct tm tm;

    if (when == NULL || !ASN1_TIME_to_tm(when, &tm))
        return 0;
    *out = timegm(&tm);
    return 1;
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
                        ? cfaop_hex_encode(pool, "", digest, sizeof(digest), 0) : "";
    info->not_before = cfaop_format_time(pool, X509_get0_notBefore(cert));
    info->not_after = cfaop_format_time(pool, X509_get0_notAfter(cert));
}
