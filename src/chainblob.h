/* SPDX-License-Identifier: Apache-2.0 */
/* chainblob.h: the intermediates a client presented, packed into the bytes
 * stored with its TLS session so a resumed session can be verified again. */
#ifndef CFAOP_CHAINBLOB_H
#define CFAOP_CHAINBLOB_H

#include <stddef.h>
#include <openssl/x509.h>

/* Enough for any real chain; a longer one is not kept (fail closed later). */
#define CFAOP_CHAINBLOB_MAX_CERTS 10
#define CFAOP_CHAINBLOB_MAX_BYTES (64 * 1024)

/* Packs the certificates of chain other than leaf (possibly none) into a
 * fresh OPENSSL_malloc'd buffer. Returns 0 when leaf is NULL, the chain is
 * over the limits or cannot be encoded (then *out is NULL). */
int cfaop_chainblob_encode(X509 *leaf, STACK_OF(X509) *chain,
                           unsigned char **out, size_t *outlen);

/* Unpacks a blob; NULL for malformed input. Caller frees with
 * sk_X509_pop_free(..., X509_free). An empty (len 0) blob gives an empty stack. */
STACK_OF(X509) *cfaop_chainblob_decode(const unsigned char *blob, size_t len);

#endif
