/* export.c: CF_AOP_* variable values. */
#include "export.h"

#include <apr_strings.h>

const char *cfaop_verified_value(apr_pool_t *pool, const cfaop_verdict_t *verdict)
{
    if (verdict->reason == CFAOP_REASON_NONE)
        return "SUCCESS";
    if (verdict->reason == CFAOP_REASON_NO_CERT)
        return "NONE";
    return apr_pstrcat(pool, "FAILED:", cfaop_reason_name(verdict->reason), NULL);
}

void cfaop_export_build(apr_pool_t *pool, const cfaop_verdict_t *verdict,
                        const char *policy_name, X509 *leaf, cfaop_export_t *out)
{
    out->verified = cfaop_verified_value(pool, verdict);
    out->policy = policy_name;
    out->has_cert = leaf != NULL;
    if (leaf != NULL)
        cfaop_certinfo_fill(pool, leaf, &out->cert);
}

void cfaop_export_to_table(const cfaop_export_t *exp, apr_table_t *env)
{
    apr_table_setn(env, "CF_AOP_VERIFIED", exp->verified);
    apr_table_setn(env, "CF_AOP_POLICY", exp->policy);
    if (!exp->has_cert)
        return;
    apr_table_setn(env, "CF_AOP_CERT_SUBJECT_DN", exp->cert.subject_dn);
    apr_table_setn(env, "CF_AOP_CERT_ISSUER_DN", exp->cert.issuer_dn);
    apr_table_setn(env, "CF_AOP_CERT_SERIAL", exp->cert.serial);
    apr_table_setn(env, "CF_AOP_CERT_FINGERPRINT_SHA256", exp->cert.fingerprint);
    apr_table_setn(env, "CF_AOP_CERT_NOT_BEFORE", exp->cert.not_before);
    apr_table_setn(env, "CF_AOP_CERT_NOT_AFTER", exp->cert.not_after);
}
