/* SPDX-License-Identifier: Apache-2.0 */
/* anchors.c: loading and checking trust anchors. */
#include "anchors.h"
#include "certinfo.h"
#include "readfile.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* No CA bundle is anywhere near this; a bigger file is a mistake. */
#define CFAOP_MAX_CA_FILE (16 * 1024 * 1024)

static apr_status_t free_cert_stack(void *data)
{
    sk_X509_pop_free((STACK_OF(X509) *)data, X509_free);
    return APR_SUCCESS;
}

const char *cfaop_read_file(apr_pool_t *pool, const char *path,
                            char **data, apr_size_t *len)
{
    return cfaop_read_stable(pool, path, CFAOP_MAX_CA_FILE, data, len);
}

const char *cfaop_anchor_check_ca(apr_pool_t *pool, X509 *cert)
{
    uint32_t flags = X509_get_extension_flags(cert);

    if (flags & EXFLAG_INVALID)
        return "has an invalid or unparsable extension";
    if (!(flags & EXFLAG_BCONS) || !(flags & EXFLAG_CA))
        return apr_pstrcat(pool, "is not a CA (basicConstraints CA:TRUE is missing): ",
                           cfaop_format_dn(pool, X509_get_subject_name(cert)), NULL);
    /* OpenSSL refuses every certificate such a CA issued (the issuer may not
     * sign certificates), so the vhost would refuse everything; say so now. */
    if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(cert) & KU_KEY_CERT_SIGN))
        return apr_pstrcat(pool, "may not sign certificates (keyUsage lacks keyCertSign): ",
                           cfaop_format_dn(pool, X509_get_subject_name(cert)), NULL);
    return NULL;
}

const char *cfaop_anchor_expiry_warning(apr_pool_t *pool, X509 *cert,
                                        time_t now, int days)
{
    const ASN1_TIME *not_after = X509_get0_notAfter(cert);
    time_t limit = now + (time_t)days * 86400;

    /* ASN1_TIME_cmp_time_t: -1 before, -2 on a time it cannot read (then
     * no warning, as X509_cmp_time, deprecated in OpenSSL 4.0, gave 0) */
    if (ASN1_TIME_cmp_time_t(not_after, now) == -1)
        return apr_psprintf(pool, "has expired (notAfter %s): %s",
                            cfaop_format_time(pool, not_after),
                            cfaop_format_dn(pool, X509_get_subject_name(cert)));
    if (ASN1_TIME_cmp_time_t(not_after, limit) == -1)
        return apr_psprintf(pool, "expires within %d days (notAfter %s): %s", days,
                            cfaop_format_time(pool, not_after),
                            cfaop_format_dn(pool, X509_get_subject_name(cert)));
    return NULL;
}

static const char *check_all(apr_pool_t *pool, cfaop_anchor_set_t *set)
{
    int i, n = sk_X509_num(set->certs);

    for (i = 0; i < n; i++) {
        const char *why = cfaop_anchor_check_ca(pool, sk_X509_value(set->certs, i));
        if (why != NULL)
            return n == 1 ? apr_psprintf(pool, "%s: certificate %s", set->source, why)
                          : apr_psprintf(pool, "%s: certificate #%d %s", set->source, i + 1, why);
    }
    return NULL;
}

/* Mistakes made when a PEM file is pasted together by hand or copied out
 * of an API's JSON. OpenSSL reads a marker only at the start of a line and
 * skips any other text, so each of these would silently drop a certificate
 * (or all of them): say which line to fix instead. Only text files with a
 * marker are looked at (a DER file may hold any bytes). */
static int blank(const char *p, size_t len)
{
    while (len > 0 && (*p == ' ' || *p == '\t' || *p == '\r')) {
        p++;
        len--;
    }
    return len == 0;
}

static const char *find(const char *p, size_t len, const char *what)
{
    size_t n = strlen(what), i;

    for (i = 0; i + n <= len; i++)
        if (memcmp(p + i, what, n) == 0)
            return p + i;
    return NULL;
}

static const char *pem_line_error(apr_pool_t *pool, const char *line, size_t len)
{
    const char *b, *e, *label, *close;
    size_t lead = 0, rest;

    if (find(line, len, "\\n") != NULL && find(line, len, "-----") != NULL)
        return "has a literal \\n where a line break belongs (PEM text escaped for JSON, "
               "as an API returns it): write real line breaks, for example with jq -r";
    if ((b = find(line, len, "-----BEGIN ")) == NULL)
        return NULL;
    e = find(line, len, "-----END ");
    if (e != NULL && e < b)
        return "has a -----BEGIN marker on the same line as the -----END marker before it "
               "(two PEM files pasted together without a line break): put each -----BEGIN "
               "marker on a line of its own";
    while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
        lead++;
    if (b != line + lead)
        return "has text before its -----BEGIN marker: the marker must start the line";
    label = b + 11;
    rest = len - (size_t)(label - line);
    if ((close = find(label, rest, "-----")) == NULL)
        return NULL;
    if (close - label >= 11 && memcmp(close - 11, "PRIVATE KEY", 11) == 0)
        return apr_psprintf(pool, "is the start of a private key (%.*s), not of a "
                            "certificate: give the CA's certificate (BEGIN CERTIFICATE); a "
                            "CA file needs no key, and a key does not belong here",
                            (int)(close - label), label);
    if (!blank(close + 5, len - (size_t)(close + 5 - line)))
        return "holds a whole PEM block on one line: the -----BEGIN line, the base64 lines "
               "and the -----END line each need lines of their own";
    return NULL;
}

static const char *check_pem_layout(apr_pool_t *pool, const char *data, apr_size_t len,
                                    const char *source)
{
    const char *p = data, *stop = data + len;
    int line_no = 0;

    if (len == 0 || memchr(data, '\0', len) != NULL)
        return NULL;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (p < stop) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        size_t n = (size_t)((nl ? nl : stop) - p);
        const char *why;

        line_no++;
        if (memchr(p, '-', n) != NULL && (why = pem_line_error(pool, p, n)) != NULL)
            return apr_psprintf(pool, "%s: line %d %s", source, line_no, why);
        p = nl ? nl + 1 : stop;
    }
    return NULL;
}

static const char *parse_certs(apr_pool_t *pool, const char *data, apr_size_t len,
                               const char *source, STACK_OF(X509) **out)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    const char *err;
    BIO *bio;
    X509 *cert;

    if (certs == NULL)
        return "out of memory";
    if ((err = check_pem_layout(pool, data, len, source)) != NULL) {
        sk_X509_free(certs);
        return err;
    }
    apr_pool_cleanup_register(pool, certs, free_cert_stack, apr_pool_cleanup_null);
    /* OpenSSL 1.1.1's PEM reader needs "-----BEGIN" at the start of a
     * line, so a UTF-8 BOM would hide the first certificate there. */
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        data += 3;
        len -= 3;
    }
    bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL)
        return "out of memory";
    ERR_clear_error();
    while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_push(certs, cert)) {
            X509_free(cert);
            BIO_free(bio);
            return "out of memory";
        }
    }
    BIO_free(bio);
    /* The loop ends at the end of the text, or at a block it cannot read:
     * a damaged certificate must not silently drop the ones after it. */
    if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE
        && ERR_peek_last_error() != 0 && sk_X509_num(certs) > 0) {
        ERR_clear_error();
        return apr_psprintf(pool, "%s: certificate #%d cannot be read (damaged PEM or DER)",
                            source, sk_X509_num(certs) + 1);
    }
    if (sk_X509_num(certs) == 0 && len > 0 && (unsigned char)data[0] == 0x30) {
        const unsigned char *der = (const unsigned char *)data;
        cert = d2i_X509(NULL, &der, (long)len);
        if (cert != NULL && der == (const unsigned char *)data + len)
            sk_X509_push(certs, cert);
        else
            X509_free(cert);
    }
    ERR_clear_error();
    if (sk_X509_num(certs) == 0)
        return apr_psprintf(pool, "%s: no certificate found (expected PEM "
                            "\"BEGIN CERTIFICATE\" blocks or one DER certificate)", source);
    *out = certs;
    return NULL;
}

const char *cfaop_anchor_set_load_pem(apr_pool_t *pool, const char *pem,
                                      const char *source, int builtin,
                                      cfaop_anchor_set_t **out)
{
    cfaop_anchor_set_t *set = apr_pcalloc(pool, sizeof(*set));
    const char *err;

    set->source = source;
    set->builtin = builtin;
    if ((err = parse_certs(pool, pem, strlen(pem), source, &set->certs)) != NULL)
        return err;
    if ((err = check_all(pool, set)) != NULL)
        return err;
    *out = set;
    return NULL;
}

const char *cfaop_anchor_set_load_file(apr_pool_t *pool, const char *path,
                                       cfaop_anchor_set_t **out)
{
    cfaop_anchor_set_t *set = apr_pcalloc(pool, sizeof(*set));
    const char *err;
    char *data;
    apr_size_t len;

    if ((err = cfaop_read_file(pool, path, &data, &len)) != NULL)
        return err;
    set->source = path;
    if ((err = parse_certs(pool, data, len, path, &set->certs)) != NULL)
        return err;
    if ((err = check_all(pool, set)) != NULL)
        return err;
    *out = set;
    return NULL;
}
