/* SPDX-License-Identifier: Apache-2.0 */
/* counters.c: the status counters' layout and snapshot, and the per-policy
 * record of the last leaf that passed, shared by all children without a lock. */
#include <string.h>
#include <apr_atomic.h>
#include <apr_strings.h>

#include "counters.h"

int cfaop_count_shown(cfaop_count_kind_t kind, cfaop_reason_t reason)
{
    if ((int)reason < 0 || reason >= CFAOP_REASON_COUNT)
        return 0;
    switch (kind) {
    case CFAOP_COUNT_PASSED:
        return reason == CFAOP_REASON_NONE;
    case CFAOP_COUNT_REFUSED:
    case CFAOP_COUNT_REPORTED:
    case CFAOP_COUNT_DECLINED:
        return reason != CFAOP_REASON_NONE;
    case CFAOP_COUNT_421:
        /* the request check answers 421 for a Host of another policy only */
        return reason == CFAOP_REASON_HOST_MISMATCH;
    case CFAOP_COUNT_403:
        return reason != CFAOP_REASON_NONE && reason != CFAOP_REASON_HOST_MISMATCH;
    default:
        return 0;
    }
}

int cfaop_count_index(cfaop_count_kind_t kind, cfaop_reason_t reason)
{
    if (!cfaop_count_shown(kind, reason))
        return -1;
    return CFAOP_COUNT_IDX(kind, reason);
}

void cfaop_count_add(cfaop_vhost_counters_t *block, int idx)
{
    if (block != NULL && idx >= 0 && idx < CFAOP_COUNTERS_PER_VHOST)
        apr_atomic_inc32(&block->c[idx]);
}

void cfaop_counters_snapshot(const cfaop_vhost_counters_t *block, cfaop_vhost_counters_t *out)
{
    int i;

    for (i = 0; i < CFAOP_COUNTERS_PER_VHOST; i++)
        out->c[i] = apr_atomic_read32((volatile apr_uint32_t *)&block->c[i]);
}

void cfaop_counters_sum(const cfaop_vhost_counters_t *snap, cfaop_counter_totals_t *totals)
{
    apr_uint64_t *by_kind[CFAOP_COUNT_KINDS] = {
        &totals->passed, &totals->refused, &totals->reported,
        &totals->declined, &totals->refused_421, &totals->refused_403
    };
    int kind, reason;

    for (kind = 0; kind < CFAOP_COUNT_KINDS; kind++)
        for (reason = 0; reason < CFAOP_REASON_COUNT; reason++) {
            int idx = cfaop_count_index((cfaop_count_kind_t)kind, (cfaop_reason_t)reason);
            if (idx >= 0)
                *by_kind[kind] += snap->c[idx];
        }
}

/* ---- the last leaf per policy ------------------------------------------ */

/* A full barrier read: apr_atomic_read32 is a plain volatile load. */
static apr_uint32_t read_seq(const cfaop_leaf_slot_t *slot)
{
    return apr_atomic_add32((volatile apr_uint32_t *)&slot->seq, 0);
}

int cfaop_leaf_slot_same(const cfaop_leaf_slot_t *slot, const unsigned char *serial, apr_size_t len)
{
    if (len > CFAOP_LEAF_SERIAL_MAX)
        len = CFAOP_LEAF_SERIAL_MAX;
    return slot->serial_len == len && memcmp(slot->serial, serial, len) == 0;
}

static int lock_slot(cfaop_leaf_slot_t *slot)
{
    if (apr_atomic_cas32(&slot->lock, 1, 0) != 0)
        return 0;
    apr_atomic_inc32(&slot->seq);       /* odd: being written */
    return 1;
}

static void unlock_slot(cfaop_leaf_slot_t *slot)
{
    apr_atomic_inc32(&slot->seq);       /* even again */
    apr_atomic_set32(&slot->lock, 0);
}

int cfaop_leaf_slot_store(cfaop_leaf_slot_t *slot, const unsigned char *serial, apr_size_t len,
                          apr_int64_t not_after)
{
    if (len > CFAOP_LEAF_SERIAL_MAX)
        len = CFAOP_LEAF_SERIAL_MAX;
    if (!lock_slot(slot))
        return 0;
    memcpy(slot->serial, serial, len);
    slot->serial_len = (apr_uint32_t)len;
    slot->not_after = not_after;
    unlock_slot(slot);
    return 1;
}

int cfaop_leaf_slot_read(const cfaop_leaf_slot_t *slot, cfaop_leaf_t *out)
{
    int tries;

    for (tries = 0; tries < 100; tries++) {
        apr_uint32_t before = read_seq(slot), after;

        if (before & 1)
            continue;
        out->serial_len = slot->serial_len;
        if (out->serial_len > CFAOP_LEAF_SERIAL_MAX)
            out->serial_len = CFAOP_LEAF_SERIAL_MAX;
        memcpy(out->serial, slot->serial, out->serial_len);
        out->not_after = slot->not_after;
        after = read_seq(slot);
        if (before == after) {
            out->seen = out->serial_len > 0;
            return 1;
        }
    }
    out->seen = 0;
    return 0;
}

long cfaop_days_left(apr_int64_t when, apr_int64_t now)
{
    apr_int64_t d = when - now;

    /* rounded towards minus infinity: one second past is day -1 */
    return (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

/* FNV-1a: which leaf a warning was for, kept in 32 bits of shared memory;
 * 0 is kept for "no entry". */
static apr_uint32_t serial_hash(const unsigned char *serial, apr_size_t len)
{
    apr_uint32_t h = 2166136261u;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        h ^= serial[i];
        h *= 16777619u;
    }
    return h ? h : 1;
}

int cfaop_leaf_warn_due(cfaop_leaf_slot_t *slot, const unsigned char *serial, apr_size_t len,
                        apr_int64_t not_after, apr_int64_t now, int days)
{
    apr_uint32_t h, today;
    int i, oldest = 0, due = 0;

    if (not_after - now >= (apr_int64_t)days * 86400 || now < 0)
        return 0;
    if (len > CFAOP_LEAF_SERIAL_MAX)
        len = CFAOP_LEAF_SERIAL_MAX;
    h = serial_hash(serial, len);
    today = (apr_uint32_t)(now / 86400) + 1;    /* 0 stays "never" */
    for (i = 0; i < CFAOP_LEAF_WARNED_MAX; i++)
        if (slot->warned_hash[i] == h && slot->warned_day[i] == today)
            return 0;               /* the quick answer, without the lock */
    if (!lock_slot(slot))
        return 0;                   /* another process is writing: it may be warning */
    for (i = 0; i < CFAOP_LEAF_WARNED_MAX; i++) {
        if (slot->warned_hash[i] == h)
            break;
        if (slot->warned_day[i] < slot->warned_day[oldest])
            oldest = i;
    }
    if (i == CFAOP_LEAF_WARNED_MAX)
        i = oldest;
    if (slot->warned_hash[i] != h || slot->warned_day[i] != today) {
        slot->warned_hash[i] = h;
        slot->warned_day[i] = today;
        due = 1;
    }
    unlock_slot(slot);
    return due;
}

const char *cfaop_leaf_serial_hex(apr_pool_t *pool, const unsigned char *serial, apr_size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out, *p;
    apr_size_t i = 0;

    /* as OpenSSL prints the number: no leading zero octets, "0" for zero */
    while (i < len && serial[i] == 0)
        i++;
    if (i == len)
        return "0";
    out = p = apr_palloc(pool, 2 * (len - i) + 1);
    for (; i < len; i++) {
        *p++ = hex[serial[i] >> 4];
        *p++ = hex[serial[i] & 0xF];
    }
    *p = '\0';
    return out;
}
