/* SPDX-License-Identifier: Apache-2.0 */
/* rfc9440.h: the RFC 9440 Client-Cert (one structured-field byte sequence)
 * and Client-Cert-Chain (a list of them) field values, parsed strictly into certificates. */
#ifndef CFAOP_RFC9440_H
#define CFAOP_RFC9440_H

#include <stddef.h>
#include <apr_pools.h>
#include <openssl/x509.h>

/* The most certificates a Client-Cert-Chain may carry. */
#define CFAOP_RFC9440_CHAIN_MAX 8

/* One DER certificate that uses exactly [der, der+len); NULL and *cert
 * (freed with the pool), or why not. */
const char *cfaop_der_to_x509(apr_pool_t *pool, const unsigned char *der, size_t len,
                              X509 **cert);

/* A Client-Cert value: optional SP/HTAB, ":" base64 ":", optional SP/HTAB,
 * nothing else (parameters are refused). NULL and *cert (freed with the
 * pool), or why not. The value need not be NUL-terminated. */
const char *cfaop_rfc9440_parse_cert(apr_pool_t *pool, const char *value, size_t len,
                                     X509 **cert);

/* A Client-Cert-Chain value: 1 to CFAOP_RFC9440_CHAIN_MAX byte sequences
 * separated by ",", each a DER certificate, with optional SP/HTAB around
 * members; no parameters, no inner lists, no empty members. NULL and
 * *chain (in order, freed with the pool), or why not. */
const char *cfaop_rfc9440_parse_chain(apr_pool_t *pool, const char *value, size_t len,
                                      STACK_OF(X509) **chain);

/* PEM text of a certificate, and of every certificate of a chain one
 * after the other (as CF_CLIENT_CERT_PEM / _CHAIN_PEM); NULL on failure. */
char *cfaop_pem_cert(apr_pool_t *pool, X509 *cert);
char *cfaop_pem_chain(apr_pool_t *pool, STACK_OF(X509) *chain);

#endif
