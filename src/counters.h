/* SPDX-License-Identifier: Apache-2.0 */
/* counters.h: the status counters' layout (vhost x kind x reason -> index),
 * their snapshot and totals, and the shared record of the last leaf per policy. */
#ifndef CFAOP_COUNTERS_H
#define CFAOP_COUNTERS_H

#include <time.h>
#include <apr.h>
#include <apr_pools.h>

#include "reason.h"

/* What a counter counts. Each kind has one counter per reason, so that
 * an index is kind * CFAOP_REASON_COUNT + reason: arithmetic on numbers
 * known when the hot path runs, no lookup. */
typedef enum {
    CFAOP_COUNT_PASSED = 0,             /* handshakes that passed (reason ok only) */
    CFAOP_COUNT_REFUSED,                /* handshakes refused, per reason */
    CFAOP_COUNT_REPORTED,               /* ReportOnly: would have been refused */
    CFAOP_COUNT_DECLINED,               /* resumptions declined, per reason */
    CFAOP_COUNT_421,                    /* requests refused with 421 */
    CFAOP_COUNT_403,                    /* requests refused with 403 */
    CFAOP_COUNT_KINDS
} cfaop_count_kind_t;

/* Counters of one vhost, one slot of shared memory. */
#define CFAOP_COUNTERS_PER_VHOST (CFAOP_COUNT_KINDS * CFAOP_REASON_COUNT)

typedef struct {
    apr_uint32_t c[CFAOP_COUNTERS_PER_VHOST];
} cfaop_vhost_counters_t;

/* The index of a pair known to be counted: what the hot path adds to the
 * block's address, which it got when the configuration was loaded. */
#define CFAOP_COUNT_IDX(kind, reason) ((int)(kind) * CFAOP_REASON_COUNT + (int)(reason))

/* The index of (kind, reason) in a vhost's block; -1 when the pair is not
 * one that is counted (a passed handshake has reason ok, a refusal never). */
int cfaop_count_index(cfaop_count_kind_t kind, cfaop_reason_t reason);

/* Whether the status output shows (kind, reason): every counted pair. */
int cfaop_count_shown(cfaop_count_kind_t kind, cfaop_reason_t reason);

/* Adds one, atomically; idx from cfaop_count_index (a negative idx or a
 * NULL block does nothing: the counters are unavailable). */
void cfaop_count_add(cfaop_vhost_counters_t *block, int idx);

/* Copies a block as it is now, each counter read atomically. */
void cfaop_counters_snapshot(const cfaop_vhost_counters_t *block, cfaop_vhost_counters_t *out);

/* Sums of a snapshot: all handshakes passed, refused, reported; all
 * resumptions declined; all requests refused. */
typedef struct {
    apr_uint64_t passed, refused, reported, declined, refused_421, refused_403;
} cfaop_counter_totals_t;

/* Adds snap's counters to *totals (call once per vhost to sum a server). */
void cfaop_counters_sum(const cfaop_vhost_counters_t *snap, cfaop_counter_totals_t *totals);

/* ---- the last leaf per policy ------------------------------------------ */

#define CFAOP_LEAF_SERIAL_MAX 32        /* octets kept of a serial (RFC 5280: at most 20) */
#define CFAOP_LEAF_WARNED_MAX 4         /* leaves per policy whose expiry warning is remembered */

/* One policy's record in shared memory, written by any child. A writer
 * takes `lock` (and skips when another holds it: the next handshake writes
 * again); `seq` is odd while a write is under way, so a reader that sees it
 * change reads again. */
typedef struct {
    apr_uint32_t seq;
    apr_uint32_t lock;
    apr_uint32_t serial_len;            /* 0: no leaf seen */
    unsigned char serial[CFAOP_LEAF_SERIAL_MAX];
    apr_int64_t not_after;              /* seconds since the epoch */
    apr_uint32_t warned_hash[CFAOP_LEAF_WARNED_MAX];   /* leaves warned about... */
    apr_uint32_t warned_day[CFAOP_LEAF_WARNED_MAX];    /* ...on this day (days since the epoch) */
} cfaop_leaf_slot_t;

typedef struct {
    int seen;
    unsigned char serial[CFAOP_LEAF_SERIAL_MAX];
    apr_size_t serial_len;
    apr_int64_t not_after;
} cfaop_leaf_t;

/* 1 when the slot holds this serial (a quick check, before any write). */
int cfaop_leaf_slot_same(const cfaop_leaf_slot_t *slot, const unsigned char *serial, apr_size_t len);

/* Records the leaf; 0 when another writer held the slot (nothing written). */
int cfaop_leaf_slot_store(cfaop_leaf_slot_t *slot, const unsigned char *serial, apr_size_t len,
                          apr_int64_t not_after);

/* A consistent copy of the slot; 0 when writers kept it changing. */
int cfaop_leaf_slot_read(const cfaop_leaf_slot_t *slot, cfaop_leaf_t *out);

/* Whether the expiry warning for this leaf is due now: it expires within
 * `days` days of now and it was not warned about today (in any process
 * sharing the slot). Records the warning when it says 1. */
int cfaop_leaf_warn_due(cfaop_leaf_slot_t *slot, const unsigned char *serial, apr_size_t len,
                        apr_int64_t not_after, apr_int64_t now, int days);

/* Whole days from now to when (negative once past), rounded down. */
long cfaop_days_left(apr_int64_t when, apr_int64_t now);

/* The serial as upper-case hex, no colons (as CF_AOP_CERT_SERIAL). */
const char *cfaop_leaf_serial_hex(apr_pool_t *pool, const unsigned char *serial, apr_size_t len);

#endif
