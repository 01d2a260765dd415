/* SPDX-License-Identifier: Apache-2.0 */
/* pin.h: leaf pins (CFAOPPinSHA256: certificate SHA-256 in hex; CFAOPPinSPKI:
 * base64 SHA-256 of the SubjectPublicKeyInfo) and the check of a leaf against them. */
#ifndef CFAOP_PIN_H
#define CFAOP_PIN_H

#include <apr_pools.h>
#include <openssl/x509.h>

#define CFAOP_PIN_LEN 32

typedef struct cfaop_pinset cfaop_pinset_t;

/* 64 hex digits in any case; a colon may separate any two bytes, as in
 * `openssl x509 -noout -fingerprint -sha256` ("AB:CD:..."). NULL or why not. */
const char *cfaop_pin_parse_sha256(apr_pool_t *pool, const char *text,
                                   unsigned char out[CFAOP_PIN_LEN]);

/* Standard base64 (A-Z a-z 0-9 + /, '=' padding: 44 characters) of 32
 * bytes, as `openssl pkey -pubin -outform der | openssl dgst -sha256
 * -binary | base64` prints. NULL or why not. */
const char *cfaop_pin_parse_spki(apr_pool_t *pool, const char *text,
                                 unsigned char out[CFAOP_PIN_LEN]);

/* SHA-256 of the DER SubjectPublicKeyInfo of cert into out; 0 on failure. */
int cfaop_spki_sha256(X509 *cert, unsigned char out[CFAOP_PIN_LEN]);

/* An empty set: pinning off. */
cfaop_pinset_t *cfaop_pinset_create(apr_pool_t *pool);

/* Parse one directive argument and add it (a repeated pin is kept once).
 * NULL or a message quoting the argument. */
const char *cfaop_pinset_add_sha256(cfaop_pinset_t *set, const char *text);
const char *cfaop_pinset_add_spki(cfaop_pinset_t *set, const char *text);

/* Number of pins of each kind; both 0 (or a NULL set) means pinning is off. */
int cfaop_pinset_count_sha256(const cfaop_pinset_t *set);
int cfaop_pinset_count_spki(const cfaop_pinset_t *set);

/* 1 when the leaf passes: pinning is off, or its certificate SHA-256 is a
 * CFAOPPinSHA256 pin, or its SPKI SHA-256 is a CFAOPPinSPKI pin (a match
 * of either kind is enough). 0 otherwise, or when leaf is NULL or cannot
 * be digested. Reads the set only: safe from any thread. */
int cfaop_pinset_match(const cfaop_pinset_t *set, X509 *leaf);

#endif
