/* SPDX-License-Identifier: Apache-2.0 */
/* export.h: the CF_AOP_* values of one connection, built once from its
 * verdict and certificate, then copied into each request's environment. */
#ifndef CFAOP_EXPORT_H
#define CFAOP_EXPORT_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <openssl/x509.h>

#include "certinfo.h"
#include "policy.h"

#define CFAOP_EXPORT_MAX_VARS 8

typedef struct {
    const char *verified;       /* SUCCESS, FAILED:<reason>, NONE */
    const char *policy;         /* "zone" or "hostname:<entry>" */
    cfaop_certinfo_t cert;
    /* the same values in the order of the variable names, so that each
     * request adds them in one loop: 2 without a certificate, 8 with */
    int nvars;
    const char *values[CFAOP_EXPORT_MAX_VARS];
} cfaop_export_t;

/* The CF_AOP_VERIFIED value for a verdict. */
const char *cfaop_verified_value(apr_pool_t *pool, const cfaop_verdict_t *verdict);

void cfaop_export_build(apr_pool_t *pool, const cfaop_verdict_t *verdict,
                        const char *policy_name, X509 *leaf, cfaop_export_t *out);

/* Removes every entry of env whose name starts with CF_AOP_ (in any case,
 * as APR compares names); returns how many distinct names went. */
int cfaop_export_unset_stale(apr_table_t *env);

/* Sets the CF_AOP_* variables in env, each exactly once; any CF_AOP_*
 * entry env already had is removed first. Values are not copied: the
 * export must live as long as the table, e.g. in the connection pool. */
void cfaop_export_to_table(const cfaop_export_t *exp, apr_table_t *env);

#endif
