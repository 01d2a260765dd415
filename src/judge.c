/* judge.c: chain verification with the per-thread cache in front of it.
 * The cache only skips work whose answer cannot have changed: the same
 * bytes, the same anchors, inside the chain's validity window. */
#include "judge.h"
#include "chaincache.h"

void cfaop_judge(const cfaop_policy_t *policy, X509 *leaf, STACK_OF(X509) *presented,
                 time_t now, int use_cache, cfaop_verdict_t *verdict)
{
    cfaop_chain_digest_t digest;
    STACK_OF(X509) *verified = NULL;
    int cacheable;

    if (leaf == NULL) {
        cfaop_policy_verify(policy, NULL, NULL, verdict);
        return;
    }
    cacheable = use_cache && cfaop_chain_digest(leaf, presented, &digest);
    if (cacheable && cfaop_chaincache_lookup(&digest, policy, now) != NULL) {
        verdict->reason = CFAOP_REASON_NONE;
        verdict->x509_error = X509_V_OK;
        verdict->error_depth = 0;
        verdict->detail = "";
        return;
    }
    cfaop_policy_verify_chain(policy, leaf, presented, verdict, cacheable ? &verified : NULL);
    if (verified != NULL)
        cfaop_chaincache_store(&digest, policy, verified);
}
