/* SPDX-License-Identifier: Apache-2.0 */
/* crl.h: CFAOPRevocationFile CRLs, signature-checked against the anchors and
 * turned into per-issuer revoked-serial sets at load time; the chain check. */
#ifndef CFAOP_CRL_H
#define CFAOP_CRL_H

#include <time.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <openssl/x509.h>

#include "serialset.h"

/* Every CRL loaded, for the logs. */
typedef struct {
    const char *source;         /* the file it came from */
    int index;                  /* 1-based position among the file's CRLs */
    const char *issuer_dn;      /* RFC 2253 */
    time_t next_update;         /* 0 when the CRL has none */
    const char *next_update_text;   /* "Nov 23 00:00:00 2026 GMT", or "" */
    apr_size_t entries;         /* revoked serials it lists */
} cfaop_crl_info_t;

/* The revocation index of one policy: for each CRL issuer, identified by
 * its subject name and the SHA-256 of its SubjectPublicKeyInfo (what a
 * chain certificate's issuer has, whichever certificate carries that
 * name and key), the union of the serials its CRLs revoke. */
typedef struct cfaop_revocation cfaop_revocation_t;

cfaop_revocation_t *cfaop_revocation_create(apr_pool_t *pool);

/* Reads a revocation file: PEM with one or more "X509 CRL" blocks (and
 * optionally the "CERTIFICATE"s of intermediates that issued some of
 * them), or one DER CRL. Each CRL must be signed by a certificate of
 * `anchors` (the policy's store) or by a certificate of the same file that
 * chains to them by signature (validity dates are not checked here), whose
 * keyUsage, if present, allows cRLSign. Delta and indirect CRLs and
 * unknown critical extensions are refused. A CRL past its nextUpdate is
 * loaded (see cfaop_revocation_stale). Adds to the index, which must not
 * be frozen yet. NULL, or a message naming the file (and the CRL's issuer);
 * after an error the index may hold part of the file: discard it. The CRLs
 * themselves are freed before this returns (on glibc the freed heap is
 * trimmed), so a 1M-entry CRL leaves only its serial set behind. */
const char *cfaop_revocation_load_file(cfaop_revocation_t *rev, const char *path,
                                       X509_STORE *anchors);

/* Whether every CRL that cfaop_revocation_load_file added to rev would load
 * the same against other anchors (another vhost's): signed by an anchor of
 * the name and key that verified it, or by a certificate of its file of
 * that name and key that chains to them, with cRLSign. 0 when it would not,
 * or cannot tell: load the file against those anchors for the message. */
int cfaop_revocation_accepted_by(const cfaop_revocation_t *rev, X509_STORE *anchors);

/* Adds everything another, frozen index holds (its issuers' serials, by
 * reference, and its CRLs for the logs) to rev, which must not be frozen
 * yet: one file loaded once and shared, combined with the other files a
 * vhost names. from must live as long as rev. NULL or an error. */
const char *cfaop_revocation_add_all(cfaop_revocation_t *rev, const cfaop_revocation_t *from);

/* Builds the lookup tables. Call once after the last load; afterwards the
 * index is read-only and safe for concurrent checks. NULL or an error. */
const char *cfaop_revocation_freeze(cfaop_revocation_t *rev);

/* chain: a verified chain, leaf first, anchor last (X509_STORE_CTX_get1_chain).
 * Checks every certificate but the last against the CRLs of its issuer
 * (the next certificate); an issuer with no CRL is not checked. Returns the
 * chain index of the first revoked certificate (0 = the leaf), or -1.
 * Per certificate: a name comparison per CRL issuer and one hashed lookup;
 * the issuer's SPKI is digested only when its certificate is not the one
 * that signed the CRL (e.g. a re-issued CA). No OpenSSL CRL code runs. If
 * that digest cannot be made the certificate counts as revoked (fail closed). */
int cfaop_revocation_check(const cfaop_revocation_t *rev, STACK_OF(X509) *chain);

/* The CRLs loaded so far (cfaop_crl_info_t), in load order. */
const apr_array_header_t *cfaop_revocation_crls(const cfaop_revocation_t *rev);

/* Distinct revoked serials over all issuers (exact once frozen). */
apr_size_t cfaop_revocation_count(const cfaop_revocation_t *rev);

/* A message for each CRL whose nextUpdate is before now ("FILE: the CRL
 * of ISSUER is past its nextUpdate (DATE); it is still applied ..."), as
 * const char *; an empty array when none. For the glue's startup warning
 * and its hourly one. */
apr_array_header_t *cfaop_revocation_stale(const cfaop_revocation_t *rev,
                                           apr_pool_t *pool, time_t now);

/* The earliest nextUpdate of all CRLs, 0 when none has one: a caller can
 * compare it with the time before building messages. */
time_t cfaop_revocation_next_update(const cfaop_revocation_t *rev);

#endif
