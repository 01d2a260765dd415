/* SPDX-License-Identifier: Apache-2.0 */
/* reason.h: the module's stable reason codes, their names, the OpenSSL
 * X509 errors they come from and the X509 error set to make OpenSSL send the right alert. */
#ifndef CFAOP_REASON_H
#define CFAOP_REASON_H

typedef enum {
    CFAOP_REASON_NONE = 0,      /* passed */
    CFAOP_REASON_NO_CERT,
    CFAOP_REASON_UNTRUSTED,
    CFAOP_REASON_BAD_SIGNATURE,
    CFAOP_REASON_DEPTH_EXCEEDED,
    CFAOP_REASON_EXPIRED,
    CFAOP_REASON_NOT_YET_VALID,
    CFAOP_REASON_INVALID,
    CFAOP_REASON_REVOKED,
    CFAOP_REASON_DENIED_SERIAL,
    CFAOP_REASON_PIN_MISMATCH,
    CFAOP_REASON_HOST_MISMATCH,
    CFAOP_REASON_COUNT
} cfaop_reason_t;

/* "untrusted", "no-cert", ...; "ok" for CFAOP_REASON_NONE. */
const char *cfaop_reason_name(cfaop_reason_t reason);

/* The reason for the first error OpenSSL's chain verification reported. */
cfaop_reason_t cfaop_reason_from_x509_error(int x509_error);

/* The X509 error to leave in the store context when rejecting, chosen so
 * that OpenSSL's own error-to-alert table sends the alert the SPEC names.
 * For CFAOP_REASON_INVALID the original OpenSSL error is kept. */
int cfaop_reason_x509_error(cfaop_reason_t reason, int original_x509_error);

#endif
