/* SPDX-License-Identifier: Apache-2.0 */
/* leg1_verify.c: origin-side verification of the RFC 9440 certificate. */
#include "leg1_verify.h"
#include "anchors.h"
#include "certinfo.h"
#include "codec.h"
#include "export.h"
#include "pin.h"

#include <string.h>
#include <apr_strings.h>

const char *cfaop_leg1_client_policy(apr_pool_t *pool, const char *path,
                                     cfaop_policy_t **policy)
{
    cfaop_anchor_set_t *set = NULL;
    const cfaop_anchor_set_t *sets[1];
    const char *err;

    if ((err = cfaop_anchor_set_load_file(pool, path, &set)) != NULL)
        return err;
    sets[0] = set;
    *policy = cfaop_policy_create(pool, "client-ca", sets, 1, CFAOP_LEG1_VERIFY_DEPTH, &err);
    if (*policy == NULL)
        return apr_pstrcat(pool, path, ": ", err, NULL);
    return NULL;
}

static const char *failed(apr_pool_t *pool, cfaop_verdict_t *verdict,
                          cfaop_reason_t reason, const char *detail)
{
    verdict->reason = reason;
    verdict->detail = detail;
    return cfaop_verified_value(pool, verdict);
}

/* The header that gave CF_CLIENT_CERT_FINGERPRINT_SHA256, for messages. */
static const char *fingerprint_header(const cfaop_leg1_t *leg1)
{
    int i;

    for (i = 0; i < leg1->vars->nelts; i++) {
        const cfaop_leg1_var_t *v = &APR_ARRAY_IDX(leg1->vars, i, cfaop_leg1_var_t);
        if (v->value == leg1->fingerprint)
            return v->header;
    }
    return "cf-cert-fingerprint-sha256";
}

const char *cfaop_leg1_origin_verify(apr_pool_t *pool, const cfaop_leg1_t *leg1,
                                     const cfaop_policy_t *policy, cfaop_verdict_t *verdict)
{
    unsigned char claimed[CFAOP_PIN_LEN], actual[CFAOP_PIN_LEN];

    verdict->reason = CFAOP_REASON_NONE;
    verdict->x509_error = 0;            /* X509_V_OK */
    verdict->error_depth = 0;
    verdict->detail = "";
    if (!leg1->finished)
        return failed(pool, verdict, CFAOP_REASON_INVALID, "the Leg-1 headers were not finished");
    if (leg1->invalid != NULL)
        return failed(pool, verdict, CFAOP_REASON_INVALID, leg1->invalid);
    if (leg1->cert == NULL) {
        verdict->reason = CFAOP_REASON_NO_CERT;
        return cfaop_verified_value(pool, verdict);
    }
    /* The value stays out of the message: it came from the client side. */
    if (leg1->fingerprint != NULL
        && cfaop_pin_parse_sha256(pool, leg1->fingerprint, claimed) != NULL)
        return failed(pool, verdict, CFAOP_REASON_INVALID,
                      apr_pstrcat(pool, fingerprint_header(leg1), ": not a SHA-256 "
                                  "fingerprint (64 hex digits, colons between bytes)", NULL));
    if (policy == NULL)
        return failed(pool, verdict, CFAOP_REASON_UNTRUSTED, "no CFAOPClientCA is configured");

    cfaop_policy_verify(policy, leg1->cert, leg1->chain, verdict);
    if (verdict->reason != CFAOP_REASON_NONE)
        return cfaop_verified_value(pool, verdict);

    /* As CFAOPPinSHA256 is to the AOP certificate: checked after the chain. */
    if (leg1->fingerprint != NULL) {
        if (!cfaop_cert_sha256(leg1->cert, actual))
            return failed(pool, verdict, CFAOP_REASON_INVALID,
                          "cannot compute the certificate's SHA-256");
        if (memcmp(claimed, actual, sizeof(actual)) != 0)
            return failed(pool, verdict, CFAOP_REASON_PIN_MISMATCH,
                          apr_pstrcat(pool, fingerprint_header(leg1), " is ",
                                      cfaop_hex_encode(pool, "", claimed, sizeof(claimed), 0),
                                      ", the Client-Cert's SHA-256 is ",
                                      cfaop_hex_encode(pool, "", actual, sizeof(actual), 0), NULL));
    }
    return cfaop_verified_value(pool, verdict);
}
