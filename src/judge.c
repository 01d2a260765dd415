/* SPDX-License-Identifier: Apache-2.0 */
/* judge.c: chain verification with the per-thread cache in front of it,
 * then revocation, deny list and pins from data parsed at startup. The
 * cache only skips work whose answer cannot have changed: the same bytes,
 * the same anchors, inside the chain's validity window. */
#include "judge.h"
#include "chaincache.h"

static void fail(cfaop_verdict_t *verdict, cfaop_reason_t reason, int depth, const char *detail)
{
    verdict->reason = reason;
    verdict->x509_error = X509_V_OK;
    verdict->error_depth = depth;
    verdict->detail = detail;
}

/* The checks that follow a chain which verified, in the SPEC's order. */
static void apply_checks(const cfaop_checks_t *checks, X509 *leaf, STACK_OF(X509) *verified,
                         cfaop_verdict_t *verdict)
{
    int revoked;

    if (checks == NULL)
        return;
    if (checks->crls != NULL && (revoked = cfaop_revocation_check(checks->crls, verified)) >= 0)
        fail(verdict, CFAOP_REASON_REVOKED, revoked,
             revoked == 0 ? "certificate revoked by its issuer's CRL"
                          : "an intermediate of the chain is revoked by its issuer's CRL");
    else if (checks->deny != NULL && cfaop_serialset_contains_cert(checks->deny, leaf))
        fail(verdict, CFAOP_REASON_DENIED_SERIAL, 0, "serial number is on the deny list");
    else if (checks->pins != NULL && !cfaop_pinset_match(checks->pins, leaf))
        fail(verdict, CFAOP_REASON_PIN_MISMATCH, 0,
             "neither the certificate's SHA-256 nor its SPKI SHA-256 is pinned");
}

void cfaop_judge(const cfaop_policy_t *policy, const cfaop_checks_t *checks, X509 *leaf,
                 STACK_OF(X509) *presented, time_t now, int use_cache, cfaop_verdict_t *verdict)
{
    cfaop_chain_digest_t digest;
    STACK_OF(X509) *verified = NULL;
    int cacheable;

    if (leaf == NULL) {
        cfaop_policy_verify(policy, NULL, NULL, verdict);
        return;
    }
    cacheable = use_cache && cfaop_chain_digest(leaf, presented, &digest);
    if (cacheable && (verified = cfaop_chaincache_lookup(&digest, policy, now)) != NULL) {
        fail(verdict, CFAOP_REASON_NONE, 0, "");
        apply_checks(checks, leaf, verified, verdict);
        return;
    }
    cfaop_policy_verify_chain_at(policy, leaf, presented, now, verdict, &verified);
    if (verified == NULL)
        return;
    apply_checks(checks, leaf, verified, verdict);
    if (cacheable)
        cfaop_chaincache_store(&digest, policy, verified);   /* the chain, not the checks */
    else
        sk_X509_pop_free(verified, X509_free);
}
