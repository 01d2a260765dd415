/* judge.h: the whole verdict on one presented chain under one policy: the
 * chain (from this thread's cache when it can), then the revocation checks. */
#ifndef CFAOP_JUDGE_H
#define CFAOP_JUDGE_H

#include <time.h>
#include <openssl/x509.h>

#include "policy.h"

/* Judges leaf (with the other certificates the peer presented, which may
 * include the leaf) under policy at time now. use_cache 0 always runs
 * OpenSSL's chain verification. */
void cfaop_judge(const cfaop_policy_t *policy, X509 *leaf, STACK_OF(X509) *presented,
                 time_t now, int use_cache, cfaop_verdict_t *verdict);

#endif
