/* SPDX-License-Identifier: Apache-2.0 */
/* policy.h: a trust policy (anchors, depth, the CA names to advertise) and
 * the verification of a presented chain against it, as a verdict with a reason. */
#ifndef CFAOP_POLICY_H
#define CFAOP_POLICY_H

#include <apr_pools.h>
#include <openssl/x509.h>

#include "anchors.h"
#include "reason.h"

typedef struct cfaop_policy {
    const char *name;                   /* "zone" or "hostname:<entry>" */
    int depth;                          /* CFAOPVerifyDepth: 1 = signed by an anchor */
    X509_STORE *store;                  /* the anchors, and nothing else */
    STACK_OF(X509_NAME) *ca_names;      /* subjects of the anchors */
} cfaop_policy_t;

typedef struct {
    cfaop_reason_t reason;
    int x509_error;             /* OpenSSL's first error, X509_V_OK if none */
    int error_depth;            /* where in the chain OpenSSL saw it */
    const char *detail;         /* OpenSSL's text for the error, or "" */
} cfaop_verdict_t;

/* Builds an immutable policy from anchor sets (read-only once built, shared
 * by all children). Returns NULL and sets *error on failure. */
cfaop_policy_t *cfaop_policy_create(apr_pool_t *pool, const char *name,
                                    const cfaop_anchor_set_t *const *sets, int nsets,
                                    int depth, const char **error);

/* The same trust under another name (a hostname entry sharing its CA
 * files with another); the anchors are shared, not copied. */
cfaop_policy_t *cfaop_policy_alias(apr_pool_t *pool, const cfaop_policy_t *base,
                                   const char *name);

/* Verifies leaf (with the untrusted certificates the peer sent) against the
 * policy at the current time. leaf NULL gives no-cert. */
void cfaop_policy_verify(const cfaop_policy_t *policy, X509 *leaf,
                         STACK_OF(X509) *untrusted, cfaop_verdict_t *verdict);

/* The same, also handing back the verified chain (leaf first, anchor
 * last; caller frees with sk_X509_pop_free) when it passes. */
void cfaop_policy_verify_chain(const cfaop_policy_t *policy, X509 *leaf,
                               STACK_OF(X509) *untrusted, cfaop_verdict_t *verdict,
                               STACK_OF(X509) **verified);
/* The same, at time now (seconds since the epoch; 0: the current time). */
void cfaop_policy_verify_chain_at(const cfaop_policy_t *policy, X509 *leaf,
                                  STACK_OF(X509) *untrusted, time_t now,
                                  cfaop_verdict_t *verdict, STACK_OF(X509) **verified);

#endif
