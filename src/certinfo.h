/* SPDX-License-Identifier: Apache-2.0 */
/* certinfo.h: a certificate's identity as the module exports it (serial,
 * SHA-256 fingerprint, RFC 2253 DNs, mod_ssl-style dates), formatted once. */
#ifndef CFAOP_CERTINFO_H
#define CFAOP_CERTINFO_H

#include <time.h>
#include <apr_pools.h>
#include <openssl/x509.h>

typedef struct {
    const char *subject_dn;     /* RFC 2253, UTF-8 */
    const char *issuer_dn;      /* RFC 2253, UTF-8 */
    const char *serial;         /* upper-case hex, no colons */
    const char *fingerprint;    /* SHA-256 of the DER, lower-case hex */
    const char *not_before;     /* "Nov 23 00:00:00 2026 GMT" */
    const char *not_after;
} cfaop_certinfo_t;

/* Fills every field; a field OpenSSL cannot render is "" (never NULL). */
void cfaop_certinfo_fill(apr_pool_t *pool, X509 *cert, cfaop_certinfo_t *info);

char *cfaop_format_serial(apr_pool_t *pool, const ASN1_INTEGER *serial);
char *cfaop_format_dn(apr_pool_t *pool, const X509_NAME *name);
char *cfaop_format_time(apr_pool_t *pool, const ASN1_TIME *when);

/* The time as seconds since the epoch, UTC; 0 when OpenSSL cannot read it
 * (when NULL, or malformed). */
int cfaop_time_epoch(const ASN1_TIME *when, time_t *out);

/* SHA-256 of the certificate's DER into out[32]; 0 on failure. */
int cfaop_cert_sha256(X509 *cert, unsigned char out[32]);

#endif
