/* SPDX-License-Identifier: Apache-2.0 */
/* export.c: CF_AOP_* variable values. */
#include "export.h"

#include "ascii.h"
#include <apr_strings.h>

/* In the order they are added to a request's environment; the first two
 * are set for every connection, the rest only with a certificate. */
static const char *const var_names[CFAOP_EXPORT_MAX_VARS] = {
    "CF_AOP_VERIFIED",
    "CF_AOP_POLICY",
    "CF_AOP_CERT_SUBJECT_DN",
    "CF_AOP_CERT_ISSUER_DN",
    "CF_AOP_CERT_SERIAL",
    "CF_AOP_CERT_FINGERPRINT_SHA256",
    "CF_AOP_CERT_NOT_BEFORE",
    "CF_AOP_CERT_NOT_AFTER",
};

#define VAR_PREFIX "CF_AOP_"
#define VAR_PREFIX_LEN (sizeof(VAR_PREFIX) - 1)

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
    out->values[0] = out->verified;
    out->values[1] = out->policy;
    out->nvars = 2;
    if (leaf == NULL)
        return;
    cfaop_certinfo_fill(pool, leaf, &out->cert);
    out->values[2] = out->cert.subject_dn;
    out->values[3] = out->cert.issuer_dn;
    out->values[4] = out->cert.serial;
    out->values[5] = out->cert.fingerprint;
    out->values[6] = out->cert.not_before;
    out->values[7] = out->cert.not_after;
    out->nvars = CFAOP_EXPORT_MAX_VARS;
}

int cfaop_export_unset_stale(apr_table_t *env)
{
    const apr_array_header_t *arr = apr_table_elts(env);
    int i = 0, removed = 0;

    /* apr_table_unset drops every entry of that name and shifts the rest
     * down; entries before i cannot share a name with entry i (they lack
     * the prefix), so i then points at the next unseen entry. */
    while (i < arr->nelts) {
        const char *key = ((const apr_table_entry_t *)arr->elts)[i].key;

        if (key != NULL && cfaop_ascii_strncasecmp(key, VAR_PREFIX, VAR_PREFIX_LEN) == 0) {
            apr_table_unset(env, key);
            removed++;
        }
        else {
            i++;
        }
    }
    return removed;
}

void cfaop_export_to_table(const cfaop_export_t *exp, apr_table_t *env)
{
    int i;

    /* apr_table_setn would search the table once per variable, and the
     * variables share their first letters, which defeats APR's checksum:
     * one pass over the table instead, then appends, which do not search.
     * A CF_AOP_* entry already there must go first, because an append
     * does not replace it and apr_table_get returns the first one. */
    cfaop_export_unset_stale(env);
    for (i = 0; i < exp->nvars; i++)
        apr_table_addn(env, var_names[i], exp->values[i]);
}
