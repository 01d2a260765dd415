/* SPDX-License-Identifier: Apache-2.0 */
/* sessionrec.h: what the module keeps with a TLS session so that its
 * resumption is judged again: the accepting policy and the intermediates. */
#ifndef CFAOP_SESSIONREC_H
#define CFAOP_SESSIONREC_H

#include <stddef.h>
#include <apr_pools.h>
#include <openssl/x509.h>

#define CFAOP_SESSIONREC_NAME_MAX 255

/* "CFS1", one byte of policy-name length, the name, then a chainblob.
 * Fresh OPENSSL_malloc'd bytes, or 0 when it cannot be built. */
int cfaop_sessionrec_encode(const char *policy_name, X509 *leaf, STACK_OF(X509) *chain,
                            unsigned char **out, size_t *outlen);

/* NULL and the policy name (in pool) and the intermediates (caller frees
 * with sk_X509_pop_free), or why the record is malformed. */
const char *cfaop_sessionrec_decode(apr_pool_t *pool, const unsigned char *rec, size_t len,
                                    const char **policy_name, STACK_OF(X509) **chain);

#endif
