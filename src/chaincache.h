/* SPDX-License-Identifier: Apache-2.0 */
/* chaincache.h: each thread's memory of chains that passed verification,
 * keyed by the SHA-256 of the presented chain's DER and the policy. */
#ifndef CFAOP_CHAINCACHE_H
#define CFAOP_CHAINCACHE_H

#include <time.h>
#include <openssl/x509.h>

#include "policy.h"

/* Entries per thread: Cloudflare presents one chain per zone (a few per
 * vhost with per-hostname certificates), so a small table is plenty. */
#define CFAOP_CHAINCACHE_SLOTS 64

typedef struct {
    unsigned char digest[32];
} cfaop_chain_digest_t;

/* SHA-256 over the DER of the leaf and then of each other certificate the
 * peer presented, in order (certificates equal to the leaf are skipped, so
 * the stack may or may not start with the leaf). 0 on failure. */
int cfaop_chain_digest(X509 *leaf, STACK_OF(X509) *presented, cfaop_chain_digest_t *out);

/* A new configuration generation makes every cached entry stale; the glue
 * bumps it each time the configuration is loaded. */
void cfaop_chaincache_new_generation(void);

/* The verified chain cached for this digest and policy when `now` lies in
 * the chain's validity window, else NULL. The chain stays owned by the
 * cache and is valid until this thread's next store. */
STACK_OF(X509) *cfaop_chaincache_lookup(const cfaop_chain_digest_t *digest,
                                        const cfaop_policy_t *policy, time_t now);

/* Remembers a chain that passed (takes ownership of verified). */
void cfaop_chaincache_store(const cfaop_chain_digest_t *digest,
                            const cfaop_policy_t *policy, STACK_OF(X509) *verified);

/* Frees this thread's cached chains. Worker threads do it by themselves
 * when they exit; the glue calls this for the thread that ends a process
 * (exit() runs no thread destructors). */
void cfaop_chaincache_release_thread(void);

#endif
