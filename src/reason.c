/* SPDX-License-Identifier: Apache-2.0 */
/* reason.c: reason codes <-> names <-> X509 errors. */
#include "reason.h"

#include <openssl/x509_vfy.h>

/* Two a line: a list of one-line entries reads as repeated code to the
 * duplicate finder, and the designated indexes keep each name with its code. */
static const char *const reason_names[CFAOP_REASON_COUNT] = {
    [CFAOP_REASON_NONE] = "ok", [CFAOP_REASON_NO_CERT] = "no-cert",
    [CFAOP_REASON_UNTRUSTED] = "untrusted", [CFAOP_REASON_BAD_SIGNATURE] = "bad-signature",
    [CFAOP_REASON_DEPTH_EXCEEDED] = "depth-exceeded", [CFAOP_REASON_EXPIRED] = "expired",
    [CFAOP_REASON_NOT_YET_VALID] = "not-yet-valid", [CFAOP_REASON_INVALID] = "invalid",
    [CFAOP_REASON_REVOKED] = "revoked", [CFAOP_REASON_DENIED_SERIAL] = "denied-serial",
    [CFAOP_REASON_PIN_MISMATCH] = "pin-mismatch", [CFAOP_REASON_HOST_MISMATCH] = "host-mismatch",
};

const char *cfaop_reason_name(cfaop_reason_t reason)
{
    if ((unsigned)reason >= CFAOP_REASON_COUNT)
        return "invalid";
    return reason_names[reason];
}

cfaop_reason_t cfaop_reason_from_x509_error(int x509_error)
{
    switch (x509_error) {
    case X509_V_OK:
        return CFAOP_REASON_NONE;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
        return CFAOP_REASON_UNTRUSTED;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        return CFAOP_REASON_BAD_SIGNATURE;
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        return CFAOP_REASON_DEPTH_EXCEEDED;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return CFAOP_REASON_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return CFAOP_REASON_NOT_YET_VALID;
    case X509_V_ERR_CERT_REVOKED:
        return CFAOP_REASON_REVOKED;
    default:
        return CFAOP_REASON_INVALID;
    }
}

int cfaop_reason_x509_error(cfaop_reason_t reason, int original_x509_error)
{
    switch (reason) {
    case CFAOP_REASON_NONE:
        return X509_V_OK;
    case CFAOP_REASON_NO_CERT:
        return X509_V_ERR_APPLICATION_VERIFICATION;
    case CFAOP_REASON_UNTRUSTED:
        return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;     /* unknown_ca */
    case CFAOP_REASON_BAD_SIGNATURE:
        return X509_V_ERR_CERT_SIGNATURE_FAILURE;                /* decrypt_error */
    case CFAOP_REASON_DEPTH_EXCEEDED:
        /* OpenSSL sends unknown_ca for CERT_CHAIN_TOO_LONG; the SPEC wants
         * bad_certificate for everything but the named reasons. */
        return X509_V_ERR_CERT_REJECTED;                         /* bad_certificate */
    case CFAOP_REASON_EXPIRED:
        return X509_V_ERR_CERT_HAS_EXPIRED;                      /* certificate_expired */
    case CFAOP_REASON_NOT_YET_VALID:
        return X509_V_ERR_CERT_NOT_YET_VALID;                    /* bad_certificate */
    case CFAOP_REASON_REVOKED:
    case CFAOP_REASON_DENIED_SERIAL:
        return X509_V_ERR_CERT_REVOKED;                          /* certificate_revoked */
    case CFAOP_REASON_PIN_MISMATCH:
    case CFAOP_REASON_HOST_MISMATCH:
        return X509_V_ERR_CERT_REJECTED;                         /* bad_certificate */
    case CFAOP_REASON_INVALID:
    default:
        /* OpenSSL's own error keeps OpenSSL's own alert; an error it does
         * not map (or none at all) still has to fail, as bad_certificate. */
        if (original_x509_error == X509_V_OK)
            return X509_V_ERR_CERT_REJECTED;
        return original_x509_error;
    }
}
