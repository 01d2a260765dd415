/* SPDX-License-Identifier: Apache-2.0 */
/* policy.c: trust policies and chain verification. */
#include "policy.h"

#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

/* OpenSSL's own default depth: deep enough for any real chain. */
#define CFAOP_POLICY_RECHECK_DEPTH 100

static apr_status_t free_store(void *data)
{
    X509_STORE_free((X509_STORE *)data);
    return APR_SUCCESS;
}

static apr_status_t free_names(void *data)
{
    sk_X509_NAME_pop_free((STACK_OF(X509_NAME) *)data, X509_NAME_free);
    return APR_SUCCESS;
}

/* Whether cert appeared earlier in the sets (before set i, entry j). */
static int already_added(const cfaop_anchor_set_t *const *sets, int i, int j, X509 *cert)
{
    int si, sj;

    for (si = 0; si <= i; si++)
        for (sj = 0; sj < (si == i ? j : sk_X509_num(sets[si]->certs)); sj++)
            if (X509_cmp(sk_X509_value(sets[si]->certs, sj), cert) == 0)
                return 1;
    return 0;
}

cfaop_policy_t *cfaop_policy_create(apr_pool_t *pool, const char *name,
                                    const cfaop_anchor_set_t *const *sets, int nsets,
                                    int depth, const char **error)
{
    cfaop_policy_t *policy = apr_pcalloc(pool, sizeof(*policy));
    int i, j, anchors = 0;

    policy->name = name;
    policy->depth = depth;
    policy->store = X509_STORE_new();
    policy->ca_names = sk_X509_NAME_new_null();
    if (policy->store == NULL || policy->ca_names == NULL) {
        X509_STORE_free(policy->store);
        sk_X509_NAME_free(policy->ca_names);
        *error = "out of memory";
        return NULL;
    }
    apr_pool_cleanup_register(pool, policy->store, free_store, apr_pool_cleanup_null);
    apr_pool_cleanup_register(pool, policy->ca_names, free_names, apr_pool_cleanup_null);

    for (i = 0; i < nsets; i++) {
        for (j = 0; j < sk_X509_num(sets[i]->certs); j++) {
            X509 *cert = sk_X509_value(sets[i]->certs, j);
            X509_NAME *subject;

            /* The same CA listed twice (rotation overlap) is one anchor,
             * advertised once. */
            if (already_added(sets, i, j, cert))
                continue;
            if (!X509_STORE_add_cert(policy->store, cert)) {
                ERR_clear_error();
                *error = apr_psprintf(pool, "%s: cannot add certificate #%d to the trust store",
                                      sets[i]->source, j + 1);
                return NULL;
            }
            anchors++;
            subject = X509_NAME_dup(X509_get_subject_name(cert));
            if (subject == NULL || !sk_X509_NAME_push(policy->ca_names, subject)) {
                X509_NAME_free(subject);
                *error = "out of memory";
                return NULL;
            }
        }
    }
    if (anchors == 0) {
        *error = "no trust anchors";
        return NULL;
    }
    /* Every configured certificate is an anchor in its own right, so an
     * intermediate named in a CA file is trusted without its root; the
     * depth then counts from that anchor, as CFAOPVerifyDepth documents. */
    X509_STORE_set_flags(policy->store, X509_V_FLAG_PARTIAL_CHAIN);
    *error = NULL;
    return policy;
}

cfaop_policy_t *cfaop_policy_alias(apr_pool_t *pool, const cfaop_policy_t *base,
                                   const char *name)
{
    cfaop_policy_t *policy = apr_pmemdup(pool, base, sizeof(*base));

    policy->name = name;
    return policy;
}

/* OpenSSL stops building at the depth limit before it looks for an anchor,
 * so a chain ending in a root the client sent itself, trusted by nobody,
 * reads "chain too long" with CFAOPVerifyDepth 1. The same chain verified
 * without the limit (and otherwise the same parameters, time included)
 * tells whether it reaches an anchor at all: untrusted and bad-signature
 * come before depth-exceeded in the SPEC's order. */
static void recheck_unbounded(X509_STORE_CTX *bounded, const cfaop_policy_t *policy, X509 *leaf,
                              STACK_OF(X509) *untrusted, cfaop_verdict_t *verdict)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    cfaop_reason_t reason;
    int error;

    if (ctx == NULL || !X509_STORE_CTX_init(ctx, policy->store, leaf, untrusted)
        || !X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(ctx), X509_STORE_CTX_get0_param(bounded))) {
        X509_STORE_CTX_free(ctx);
        ERR_clear_error();
        return;
    }
    X509_STORE_CTX_set_depth(ctx, CFAOP_POLICY_RECHECK_DEPTH);
    if (X509_verify_cert(ctx) != 1) {
        error = X509_STORE_CTX_get_error(ctx);
        reason = cfaop_reason_from_x509_error(error);
        if (reason == CFAOP_REASON_UNTRUSTED || reason == CFAOP_REASON_BAD_SIGNATURE) {
            verdict->x509_error = error;
            verdict->error_depth = X509_STORE_CTX_get_error_depth(ctx);
            verdict->reason = reason;
        }
    }
    X509_STORE_CTX_free(ctx);
}

void cfaop_policy_verify(const cfaop_policy_t *policy, X509 *leaf,
                         STACK_OF(X509) *untrusted, cfaop_verdict_t *verdict)
{
    cfaop_policy_verify_chain(policy, leaf, untrusted, verdict, NULL);
}

void cfaop_policy_verify_chain(const cfaop_policy_t *policy, X509 *leaf,
                               STACK_OF(X509) *untrusted, cfaop_verdict_t *verdict,
                               STACK_OF(X509) **verified)
{
    cfaop_policy_verify_chain_at(policy, leaf, untrusted, 0, verdict, verified);
}

void cfaop_policy_verify_chain_at(const cfaop_policy_t *policy, X509 *leaf,
                                  STACK_OF(X509) *untrusted, time_t now,
                                  cfaop_verdict_t *verdict, STACK_OF(X509) **verified)
{
    X509_STORE_CTX *ctx;
    int ok;

    verdict->x509_error = X509_V_OK;
    verdict->error_depth = 0;
    verdict->detail = "";
    if (verified != NULL)
        *verified = NULL;
    if (leaf == NULL) {
        verdict->reason = CFAOP_REASON_NO_CERT;
        return;
    }
    ctx = X509_STORE_CTX_new();
    if (ctx == NULL || !X509_STORE_CTX_init(ctx, policy->store, leaf, untrusted)) {
        X509_STORE_CTX_free(ctx);
        ERR_clear_error();
        verdict->reason = CFAOP_REASON_INVALID;
        verdict->x509_error = X509_V_ERR_OUT_OF_MEM;
        verdict->detail = X509_verify_cert_error_string(X509_V_ERR_OUT_OF_MEM);
        return;
    }
    /* What OpenSSL applies to a TLS client: the sslclient purpose and trust. */
    X509_STORE_CTX_set_default(ctx, "ssl_client");
    /* OpenSSL's depth counts intermediates; ours counts as SSLVerifyDepth. */
    X509_STORE_CTX_set_depth(ctx, policy->depth - 1);
    /* The chain cache judges its window with the caller's clock: OpenSSL
     * reads the same second, so both agree at notBefore and notAfter. */
    if (now > 0)
        X509_STORE_CTX_set_time(ctx, 0, now);

    ok = X509_verify_cert(ctx);
    if (ok == 1) {
        verdict->reason = CFAOP_REASON_NONE;
        if (verified != NULL)
            *verified = X509_STORE_CTX_get1_chain(ctx);
    }
    else {
        verdict->x509_error = X509_STORE_CTX_get_error(ctx);
        if (verdict->x509_error == X509_V_OK)
            verdict->x509_error = X509_V_ERR_UNSPECIFIED;
        verdict->error_depth = X509_STORE_CTX_get_error_depth(ctx);
        verdict->reason = cfaop_reason_from_x509_error(verdict->x509_error);
        if (verdict->reason == CFAOP_REASON_DEPTH_EXCEEDED)
            recheck_unbounded(ctx, policy, leaf, untrusted, verdict);
        verdict->detail = X509_verify_cert_error_string(verdict->x509_error);
    }
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
}
