/* SPDX-License-Identifier: Apache-2.0 */
/* judge.h: the whole verdict on one presented chain under one policy: the
 * chain (from this thread's cache when it can), then the revocation checks. */
#ifndef CFAOP_JUDGE_H
#define CFAOP_JUDGE_H

#include <time.h>
#include <openssl/x509.h>

#include "crl.h"
#include "pin.h"
#include "policy.h"
#include "serialset.h"

/* A vhost's checks after the chain, in the SPEC's order; NULL members are
 * off. All are frozen at configuration time and only read here. */
typedef struct {
    const cfaop_revocation_t *crls;     /* CFAOPRevocationFile: revoked */
    const cfaop_serialset_t *deny;      /* CFAOPDenySerial(File): denied-serial, leaf only */
    const cfaop_pinset_t *pins;         /* CFAOPPinSHA256 / CFAOPPinSPKI: pin-mismatch */
} cfaop_checks_t;

/* Judges leaf (with the other certificates the peer presented, which may
 * include the leaf) under policy and checks at time now. use_cache 0
 * always runs OpenSSL's chain verification. */
void cfaop_judge(const cfaop_policy_t *policy, const cfaop_checks_t *checks, X509 *leaf,
                 STACK_OF(X509) *presented, time_t now, int use_cache, cfaop_verdict_t *verdict);

#endif
