/* SPDX-License-Identifier: Apache-2.0 */
/* serialset.c: records of 21 bytes (sign/length byte, 20 zero-padded
 * magnitude bytes) in a dense array, indexed by an open-addressing table. */
#include "serialset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_tables.h>

/* A record: tag (length | 0x80 when negative), then the magnitude, zero padded. */
#define REC_SIZE (1 + CFAOP_SERIAL_MAX)
#define REC_NEGATIVE 0x80

/* A table slot, 32 bits: the top SLOT_TAG_BITS of the record's hash, then
 * its index + 1 (0 marks an empty slot). The hash bits let a lookup skip
 * all but one in 32 of the records it passes without reading them. Not
 * 64 bits: building the table is writes at random into memory it first
 * faults in, so its size is what freezing costs (a million serials froze
 * in about 30 ms with 64-bit slots, about 20 ms with these). */
#define SLOT_INDEX_BITS 27
#define SLOT_TAG_BITS (32 - SLOT_INDEX_BITS)
#define SLOT_INDEX(s) ((s) & ((UINT32_C(1) << SLOT_INDEX_BITS) - 1))
#define SLOT_TAG(s) ((s) >> SLOT_INDEX_BITS)
#define HASH_TAG(h) ((uint32_t)((h) >> (64 - SLOT_TAG_BITS)))

#if CFAOP_SERIALSET_MAX >= (1 << SLOT_INDEX_BITS)
#error "a slot's index field cannot hold CFAOP_SERIALSET_MAX records"
#endif

/* How many records ahead freeze hashes, to prefetch their slots. */
#define PREFETCH 16

struct cfaop_serialset {
    unsigned char *records;     /* malloc'd, count * REC_SIZE */
    apr_size_t count;
    apr_size_t capacity;        /* records allocated */
    uint32_t *slots;            /* malloc'd, mask + 1 of them, once frozen */
    apr_size_t mask;
    int frozen;
    apr_array_header_t *includes;       /* const cfaop_serialset_t *, each frozen; or NULL */
    apr_pool_t *pool;
};

static apr_status_t free_set(void *data)
{
    cfaop_serialset_t *set = data;

    free(set->records);
    free(set->slots);
    set->records = NULL;
    set->slots = NULL;
    set->count = set->capacity = set->mask = 0;
    return APR_SUCCESS;
}

static void make_record(unsigned char rec[REC_SIZE], const cfaop_serial_t *serial)
{
    unsigned len = serial->len <= CFAOP_SERIAL_MAX ? serial->len : CFAOP_SERIAL_MAX;

    memset(rec, 0, REC_SIZE);
    rec[0] = (unsigned char)(len | (serial->negative && len > 0 ? REC_NEGATIVE : 0));
    memcpy(rec + 1, serial->bytes, len);
}

/* MurmurHash3's 64-bit finalizer: every input bit reaches every output bit. */
static uint64_t fmix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

static uint64_t hash_record(const unsigned char rec[REC_SIZE])
{
    uint64_t w0, w1, w2 = 0;

    memcpy(&w0, rec, 8);
    memcpy(&w1, rec + 8, 8);
    memcpy(&w2, rec + 16, REC_SIZE - 16);
    return fmix64(fmix64(fmix64(w0 ^ UINT64_C(0x9e3779b97f4a7c15)) ^ w1) ^ w2);
}

cfaop_serialset_t *cfaop_serialset_create(apr_pool_t *pool)
{
    cfaop_serialset_t *set = apr_pcalloc(pool, sizeof(*set));

    set->pool = pool;
    apr_pool_cleanup_register(pool, set, free_set, apr_pool_cleanup_null);
    return set;
}

static const char *add_record(cfaop_serialset_t *set, const unsigned char rec[REC_SIZE])
{
    if (set->frozen)
        return "the serial set is already built";
    if (set->count >= CFAOP_SERIALSET_MAX)
        return "more than 100000000 serial numbers";
    if (set->count == set->capacity) {
        apr_size_t capacity = set->capacity ? set->capacity * 2 : 1024;
        unsigned char *records = realloc(set->records, capacity * REC_SIZE);
        if (records == NULL)
            return "out of memory";
        set->records = records;
        set->capacity = capacity;
    }
    memcpy(set->records + set->count * REC_SIZE, rec, REC_SIZE);
    set->count++;
    return NULL;
}

const char *cfaop_serialset_add(cfaop_serialset_t *set, const cfaop_serial_t *serial)
{
    unsigned char rec[REC_SIZE];

    make_record(rec, serial);
    return add_record(set, rec);
}

/* Only the set's own records: what it includes is not its own. */
static const char *include_own(cfaop_serialset_t *set, const cfaop_serialset_t *shared)
{
    int i;

    if (shared == set || shared->count == 0)
        return NULL;
    if (!shared->frozen)
        return "a shared serial set must be built before it is included";
    if (set->frozen)
        return "the serial set is already built";
    if (set->includes == NULL)
        set->includes = apr_array_make(set->pool, 2, sizeof(const cfaop_serialset_t *));
    for (i = 0; i < set->includes->nelts; i++)
        if (APR_ARRAY_IDX(set->includes, i, const cfaop_serialset_t *) == shared)
            return NULL;
    APR_ARRAY_PUSH(set->includes, const cfaop_serialset_t *) = shared;
    return NULL;
}

static const char *include_all(cfaop_serialset_t *set, const cfaop_serialset_t *from)
{
    const char *err;
    int i;

    for (i = 0; from->includes != NULL && i < from->includes->nelts; i++)
        if ((err = include_own(set, APR_ARRAY_IDX(from->includes, i,
                                                  const cfaop_serialset_t *))) != NULL)
            return err;
    return NULL;
}

const char *cfaop_serialset_include(cfaop_serialset_t *set, const cfaop_serialset_t *shared)
{
    const char *err;

    if (shared == NULL)
        return NULL;
    if ((err = include_all(set, shared)) != NULL)
        return err;
    return include_own(set, shared);
}

const char *cfaop_serialset_add_all(cfaop_serialset_t *set, const cfaop_serialset_t *from)
{
    apr_size_t i;
    const char *err;

    if (from == NULL || from == set)
        return NULL;
    if ((err = include_all(set, from)) != NULL)
        return err;
    for (i = 0; i < from->count; i++) {
        if ((err = add_record(set, from->records + i * REC_SIZE)) != NULL)
            return err;
    }
    return NULL;
}

const char *cfaop_serialset_freeze(cfaop_serialset_t *set)
{
    apr_size_t size = 16, i, kept = 0;
    uint32_t *slots;
    uint64_t ahead[PREFETCH];

    if (set->frozen)
        return NULL;
    if (set->count == 0) {
        set->frozen = 1;
        return NULL;
    }
    /* Load factor at most 1/2: a lookup probes ~1.5 slots on a hit, ~2.5 on a miss. */
    while (size < set->count * 2)
        size *= 2;
    if ((slots = calloc(size, sizeof(*slots))) == NULL)
        return "out of memory";

    /* Index each record once, moving it down over the duplicates before it.
     * The table is far bigger than the caches: the slot of the record
     * PREFETCH places ahead is fetched while this one is placed. */
    for (i = 0; i < PREFETCH && i < set->count; i++)
        ahead[i] = hash_record(set->records + i * REC_SIZE);
    for (i = 0; i < set->count; i++) {
        unsigned char *rec = set->records + i * REC_SIZE;
        uint64_t h = ahead[i % PREFETCH];
        uint32_t tag = HASH_TAG(h);
        apr_size_t pos = (apr_size_t)h & (size - 1);
        int duplicate = 0;

        if (i + PREFETCH < set->count) {
            uint64_t next = hash_record(set->records + (i + PREFETCH) * REC_SIZE);
            ahead[i % PREFETCH] = next;
            __builtin_prefetch(&slots[(apr_size_t)next & (size - 1)], 1);
        }
        while (slots[pos] != 0) {
            if (SLOT_TAG(slots[pos]) == tag
                && memcmp(set->records + (SLOT_INDEX(slots[pos]) - 1) * REC_SIZE,
                          rec, REC_SIZE) == 0) {
                duplicate = 1;
                break;
            }
            pos = (pos + 1) & (size - 1);
        }
        if (duplicate)
            continue;
        if (kept != i)
            memcpy(set->records + kept * REC_SIZE, rec, REC_SIZE);
        slots[pos] = (tag << SLOT_INDEX_BITS) | (uint32_t)(kept + 1);
        kept++;
    }
    set->count = kept;
    if (kept < set->capacity) {
        unsigned char *records = realloc(set->records, kept * REC_SIZE);
        if (records != NULL) {
            set->records = records;
            set->capacity = kept;
        }
    }
    set->slots = slots;
    set->mask = size - 1;
    set->frozen = 1;
    return NULL;
}

int cfaop_serialset_frozen(const cfaop_serialset_t *set)
{
    return set != NULL && set->frozen;
}

/* The set's own records only. */
static int contains_own(const cfaop_serialset_t *set, const unsigned char rec[REC_SIZE], uint64_t h)
{
    uint32_t tag = HASH_TAG(h);
    apr_size_t pos, i;

    if (set->count == 0)
        return 0;
    if (!set->frozen) {
        for (i = 0; i < set->count; i++)
            if (memcmp(set->records + i * REC_SIZE, rec, REC_SIZE) == 0)
                return 1;
        return 0;
    }
    for (pos = (apr_size_t)h & set->mask; set->slots[pos] != 0; pos = (pos + 1) & set->mask) {
        if (SLOT_TAG(set->slots[pos]) == tag
            && memcmp(set->records + (SLOT_INDEX(set->slots[pos]) - 1) * REC_SIZE,
                      rec, REC_SIZE) == 0)
            return 1;
    }
    return 0;
}

int cfaop_serialset_contains(const cfaop_serialset_t *set, const cfaop_serial_t *serial)
{
    unsigned char rec[REC_SIZE];
    uint64_t h;
    int i;

    if (set == NULL)
        return 0;
    make_record(rec, serial);
    h = hash_record(rec);
    if (contains_own(set, rec, h))
        return 1;
    for (i = 0; set->includes != NULL && i < set->includes->nelts; i++)
        if (contains_own(APR_ARRAY_IDX(set->includes, i, const cfaop_serialset_t *), rec, h))
            return 1;
    return 0;
}

int cfaop_serialset_contains_cert(const cfaop_serialset_t *set, X509 *cert)
{
    cfaop_serial_t serial;

    if (set == NULL || cert == NULL || (set->count == 0 && set->includes == NULL))
        return 0;
    if (!cfaop_serial_from_asn1(X509_get0_serialNumber(cert), &serial))
        return 0;
    return cfaop_serialset_contains(set, &serial);
}

apr_size_t cfaop_serialset_count(const cfaop_serialset_t *set)
{
    apr_size_t count;
    int i;

    if (set == NULL)
        return 0;
    count = set->count;
    for (i = 0; set->includes != NULL && i < set->includes->nelts; i++)
        count += APR_ARRAY_IDX(set->includes, i, const cfaop_serialset_t *)->count;
    return count;
}

apr_size_t cfaop_serialset_memory(const cfaop_serialset_t *set)
{
    if (set == NULL)
        return 0;
    return set->capacity * REC_SIZE + (set->slots ? (set->mask + 1) * sizeof(*set->slots) : 0);
}
