/* SPDX-License-Identifier: Apache-2.0 */
/* serialset.h: a set of canonical serial numbers, built once at configuration
 * time and then read-only: constant-time lookups whatever its size (1M and more). */
#ifndef CFAOP_SERIALSET_H
#define CFAOP_SERIALSET_H

#include <apr_pools.h>
#include <openssl/x509.h>

#include "serial.h"

/* More than this is a mistake, not a revocation list. */
#define CFAOP_SERIALSET_MAX 100000000

typedef struct cfaop_serialset cfaop_serialset_t;

/* An empty set; its memory is released when pool is cleared or destroyed. */
cfaop_serialset_t *cfaop_serialset_create(apr_pool_t *pool);

/* Adds one serial (a duplicate is harmless: it collapses at freeze).
 * NULL, or why not (the set is frozen, too many serials, out of memory). */
const char *cfaop_serialset_add(cfaop_serialset_t *set, const cfaop_serial_t *serial);

/* Makes every serial of a shared, frozen set part of this one by
 * reference: one deny file named by many vhosts is in memory once. The
 * shared set must outlive this one. Including a set twice (or a set that
 * set already includes) is harmless. NULL, or why not (the shared set is
 * not frozen, this one is, out of memory). */
const char *cfaop_serialset_include(cfaop_serialset_t *set, const cfaop_serialset_t *shared);

/* Adds every serial of another set (frozen or not) to this one: its own
 * serials are copied, the sets it includes are included. */
const char *cfaop_serialset_add_all(cfaop_serialset_t *set, const cfaop_serialset_t *from);

/* Builds the hash table; no add afterwards. After this the set is never
 * written again, so any number of threads may look up concurrently.
 * Idempotent. NULL or "out of memory". */
const char *cfaop_serialset_freeze(cfaop_serialset_t *set);

int cfaop_serialset_frozen(const cfaop_serialset_t *set);

/* 1 when serial is in the set. O(1) once frozen; before that a linear scan
 * (fine while configuring, never meant for the handshake). A NULL set is empty. */
int cfaop_serialset_contains(const cfaop_serialset_t *set, const cfaop_serial_t *serial);

/* 1 when the certificate's serial is in the set. A serial longer than
 * CFAOP_SERIAL_MAX octets cannot have been added, so it is not. */
int cfaop_serialset_contains_cert(const cfaop_serialset_t *set, X509 *cert);

/* Distinct serials once frozen; before that, the number of adds; plus
 * the serials of the sets it includes (a serial in two counts twice). */
apr_size_t cfaop_serialset_count(const cfaop_serialset_t *set);

/* Bytes of memory the set holds (records and table; not the sets it
 * includes, which are shared), for the logs and the bench. */
apr_size_t cfaop_serialset_memory(const cfaop_serialset_t *set);

#endif
