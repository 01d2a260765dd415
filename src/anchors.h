/* SPDX-License-Identifier: Apache-2.0 */
/* anchors.h: trust anchors read from CA files (or the built-in Cloudflare CA)
 * and the checks an anchor must pass at configuration time. */
#ifndef CFAOP_ANCHORS_H
#define CFAOP_ANCHORS_H

#include <time.h>
#include <apr_pools.h>
#include <openssl/x509.h>

/* One CFAOPTrustedCA argument: its certificates, owned by the pool. */
typedef struct {
    const char *source;         /* the file's path, or "cloudflare" */
    int builtin;                /* the shared Cloudflare origin-pull CA */
    STACK_OF(X509) *certs;
} cfaop_anchor_set_t;

/* Reads every certificate of a PEM file (or one DER certificate) and checks
 * each is a CA. Returns NULL and sets *out, or an error message naming the
 * file (and the certificate, when the file holds several). */
const char *cfaop_anchor_set_load_file(apr_pool_t *pool, const char *path,
                                       cfaop_anchor_set_t **out);

/* The same for PEM text in memory; source names it in messages. */
const char *cfaop_anchor_set_load_pem(apr_pool_t *pool, const char *pem,
                                      const char *source, int builtin,
                                      cfaop_anchor_set_t **out);

/* NULL when cert is a CA (basicConstraints CA:TRUE), else why not. */
const char *cfaop_anchor_check_ca(apr_pool_t *pool, X509 *cert);

/* A warning when cert has expired or expires within `days` of now, else NULL. */
const char *cfaop_anchor_expiry_warning(apr_pool_t *pool, X509 *cert,
                                        time_t now, int days);

/* Reads a whole file of at most 16 MiB, for parsers that work on memory,
 * through cfaop_read_stable (readfile.h); NULL or an error. */
const char *cfaop_read_file(apr_pool_t *pool, const char *path,
                            char **data, apr_size_t *len);

#endif
