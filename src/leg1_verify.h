/* SPDX-License-Identifier: Apache-2.0 */
/* leg1_verify.h: Verify mode: the RFC 9440 certificate checked at the origin
 * against CFAOPClientCA and against the SHA-256 fingerprint Cloudflare reported. */
#ifndef CFAOP_LEG1_VERIFY_H
#define CFAOP_LEG1_VERIFY_H

#include <apr_pools.h>

#include "leg1.h"
#include "policy.h"

/* Leaf + up to CFAOP_RFC9440_CHAIN_MAX intermediates + room for an anchor
 * that is itself an intermediate (counted as CFAOPVerifyDepth counts). */
#define CFAOP_LEG1_VERIFY_DEPTH 10

/* The policy of a CFAOPClientCA file: each certificate in it an anchor (CA:TRUE
 * required, partial chains allowed, as for CFAOPTrustedCA), the ssl_client
 * purpose, depth CFAOP_LEG1_VERIFY_DEPTH. NULL and *policy, or why not. */
const char *cfaop_leg1_client_policy(apr_pool_t *pool, const char *path,
                                     cfaop_policy_t **policy);

/* The CF_CLIENT_CERT_ORIGIN_VERIFIED value of a finished leg1, first of:
 *   invalid headers                           FAILED:invalid
 *   no Client-Cert                            NONE
 *   a fingerprint header that is not SHA-256  FAILED:invalid
 *   (hex as CFAOPPinSHA256 takes it: cfaop_pin_parse_sha256)
 *   chain verification against policy        FAILED:<untrusted, expired, ...>
 *   (Client-Cert-Chain as untrusted certificates; policy NULL: untrusted)
 *   fingerprint header differing from the certificate's   FAILED:pin-mismatch
 *   else                                      SUCCESS
 * verdict gets the reason and a detail for the log. */
const char *cfaop_leg1_origin_verify(apr_pool_t *pool, const cfaop_leg1_t *leg1,
                                     const cfaop_policy_t *policy, cfaop_verdict_t *verdict);

#endif
