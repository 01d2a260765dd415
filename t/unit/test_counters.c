/* SPDX-License-Identifier: Apache-2.0 */
/* test_counters.c: the counter layout (kind x reason -> index), snapshot
 * and totals, and the shared record of the last leaf with its warning. */
#include "test_util.h"

#include <string.h>

#include "counters.h"

START_TEST(every_counted_pair_has_its_own_index)
{
    int seen[CFAOP_COUNTERS_PER_VHOST];
    int kind, reason, counted = 0;

    memset(seen, 0, sizeof(seen));
    for (kind = 0; kind < CFAOP_COUNT_KINDS; kind++)
        for (reason = 0; reason < CFAOP_REASON_COUNT; reason++) {
            int idx = cfaop_count_index(kind, reason);
            ck_assert_int_eq(idx >= 0, cfaop_count_shown(kind, reason));
            if (idx < 0)
                continue;
            ck_assert_int_lt(idx, CFAOP_COUNTERS_PER_VHOST);
            ck_assert_int_eq(seen[idx], 0);
            ck_assert_int_eq(idx, CFAOP_COUNT_IDX(kind, reason));
            seen[idx] = 1;
            counted++;
        }
    /* passed: ok; refused, reported, declined: 11 reasons each; 421:
     * host-mismatch; 403: the 10 others */
    ck_assert_int_eq(counted, 1 + 3 * 11 + 1 + 10);
}
END_TEST

START_TEST(pairs_that_are_never_counted)
{
    ck_assert_int_eq(cfaop_count_index(CFAOP_COUNT_PASSED, CFAOP_REASON_UNTRUSTED), -1);
    ck_assert_int_eq(cfaop_count_index(CFAOP_COUNT_REFUSED, CFAOP_REASON_NONE), -1);
    ck_assert_int_eq(cfaop_count_index(CFAOP_COUNT_421, CFAOP_REASON_NO_CERT), -1);
    ck_assert_int_eq(cfaop_count_index(CFAOP_COUNT_403, CFAOP_REASON_HOST_MISMATCH), -1);
    ck_assert_int_eq(cfaop_count_index(CFAOP_COUNT_KINDS, CFAOP_REASON_NONE), -1);
    ck_assert_int_eq(cfaop_count_index(CFAOP_COUNT_REFUSED, CFAOP_REASON_COUNT), -1);
}
END_TEST

START_TEST(add_snapshot_and_sum)
{
    cfaop_vhost_counters_t a, b, snap;
    cfaop_counter_totals_t t;
    int i;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    for (i = 0; i < 5; i++)
        cfaop_count_add(&a, cfaop_count_index(CFAOP_COUNT_PASSED, CFAOP_REASON_NONE));
    cfaop_count_add(&a, cfaop_count_index(CFAOP_COUNT_REFUSED, CFAOP_REASON_UNTRUSTED));
    cfaop_count_add(&a, cfaop_count_index(CFAOP_COUNT_REFUSED, CFAOP_REASON_NO_CERT));
    cfaop_count_add(&b, cfaop_count_index(CFAOP_COUNT_REPORTED, CFAOP_REASON_EXPIRED));
    cfaop_count_add(&b, cfaop_count_index(CFAOP_COUNT_DECLINED, CFAOP_REASON_HOST_MISMATCH));
    cfaop_count_add(&b, cfaop_count_index(CFAOP_COUNT_421, CFAOP_REASON_HOST_MISMATCH));
    cfaop_count_add(&b, cfaop_count_index(CFAOP_COUNT_403, CFAOP_REASON_NO_CERT));
    cfaop_count_add(&b, cfaop_count_index(CFAOP_COUNT_403, CFAOP_REASON_NO_CERT));
    /* a pair that is not counted, and no block: nothing happens */
    cfaop_count_add(&b, cfaop_count_index(CFAOP_COUNT_421, CFAOP_REASON_NO_CERT));
    cfaop_count_add(NULL, 0);

    memset(&t, 0, sizeof(t));
    cfaop_counters_snapshot(&a, &snap);
    ck_assert_uint_eq(snap.c[CFAOP_COUNT_IDX(CFAOP_COUNT_PASSED, CFAOP_REASON_NONE)], 5);
    cfaop_counters_sum(&snap, &t);
    cfaop_counters_snapshot(&b, &snap);
    cfaop_counters_sum(&snap, &t);
    ck_assert_uint_eq(t.passed, 5);
    ck_assert_uint_eq(t.refused, 2);
    ck_assert_uint_eq(t.reported, 1);
    ck_assert_uint_eq(t.declined, 1);
    ck_assert_uint_eq(t.refused_421, 1);
    ck_assert_uint_eq(t.refused_403, 2);
}
END_TEST

static const unsigned char serial_a[] = { 0x5A, 0x7A, 0x00, 0x01 };
static const unsigned char serial_b[] = { 0x00, 0x8E, 0x00, 0xFF };

START_TEST(leaf_slot_stores_and_reads)
{
    cfaop_leaf_slot_t slot;
    cfaop_leaf_t leaf;

    memset(&slot, 0, sizeof(slot));
    ck_assert(cfaop_leaf_slot_read(&slot, &leaf));
    ck_assert_int_eq(leaf.seen, 0);
    ck_assert(!cfaop_leaf_slot_same(&slot, serial_a, sizeof(serial_a)));
    ck_assert(cfaop_leaf_slot_store(&slot, serial_a, sizeof(serial_a), 1800000000));
    ck_assert(cfaop_leaf_slot_same(&slot, serial_a, sizeof(serial_a)));
    ck_assert(!cfaop_leaf_slot_same(&slot, serial_b, sizeof(serial_b)));
    ck_assert(cfaop_leaf_slot_read(&slot, &leaf));
    ck_assert_int_eq(leaf.seen, 1);
    ck_assert_int_eq(leaf.not_after, 1800000000);
    ck_assert_str_eq(cfaop_leaf_serial_hex(tu_pool, leaf.serial, leaf.serial_len), "5A7A0001");
    ck_assert_int_eq(slot.seq % 2, 0);
    /* a writer holding the slot: another does not write, and a reader
     * sees no torn record */
    slot.lock = 1;
    ck_assert(!cfaop_leaf_slot_store(&slot, serial_b, sizeof(serial_b), 1));
    ck_assert(cfaop_leaf_slot_same(&slot, serial_a, sizeof(serial_a)));
    slot.seq++;
    ck_assert(!cfaop_leaf_slot_read(&slot, &leaf));
    ck_assert_int_eq(leaf.seen, 0);
}
END_TEST

START_TEST(serial_hex_as_openssl_prints_it)
{
    static const unsigned char zero[] = { 0x00 };
    static const unsigned char small[] = { 0x0A };

    ck_assert_str_eq(cfaop_leaf_serial_hex(tu_pool, serial_b, sizeof(serial_b)), "8E00FF");
    ck_assert_str_eq(cfaop_leaf_serial_hex(tu_pool, zero, sizeof(zero)), "0");
    ck_assert_str_eq(cfaop_leaf_serial_hex(tu_pool, small, sizeof(small)), "0A");
}
END_TEST

START_TEST(days_left_round_down)
{
    ck_assert_int_eq(cfaop_days_left(1000 + 86400 * 10, 1000), 10);
    ck_assert_int_eq(cfaop_days_left(1000 + 86400 * 10 - 1, 1000), 9);
    ck_assert_int_eq(cfaop_days_left(1000, 1000), 0);
    ck_assert_int_eq(cfaop_days_left(999, 1000), -1);
    ck_assert_int_eq(cfaop_days_left(1000 - 86400, 1000), -1);
    ck_assert_int_eq(cfaop_days_left(1000 - 86401, 1000), -2);
}
END_TEST

START_TEST(expiry_warning_once_a_day_per_leaf)
{
    cfaop_leaf_slot_t slot;
    const apr_int64_t day = 86400, now = 20000 * day + 3600;
    const apr_int64_t soon = now + 10 * day;

    memset(&slot, 0, sizeof(slot));
    /* far from expiry: never */
    ck_assert(!cfaop_leaf_warn_due(&slot, serial_a, sizeof(serial_a), now + 31 * day, now, 30));
    ck_assert(!cfaop_leaf_warn_due(&slot, serial_a, sizeof(serial_a), now + 30 * day, now, 30));
    /* within 30 days: once, then not again the same day */
    ck_assert(cfaop_leaf_warn_due(&slot, serial_a, sizeof(serial_a), soon, now, 30));
    ck_assert(!cfaop_leaf_warn_due(&slot, serial_a, sizeof(serial_a), soon, now + 60, 30));
    ck_assert(!cfaop_leaf_warn_due(&slot, serial_a, sizeof(serial_a), soon, now + 20 * 3600 - 1, 30));
    /* another leaf the same day is its own */
    ck_assert(cfaop_leaf_warn_due(&slot, serial_b, sizeof(serial_b), soon, now, 30));
    ck_assert(!cfaop_leaf_warn_due(&slot, serial_a, sizeof(serial_a), soon, now, 30));
    /* the next day: again */
    ck_assert(cfaop_leaf_warn_due(&slot, serial_a, sizeof(serial_a), soon, now + day, 30));
    ck_assert(!cfaop_leaf_warn_due(&slot, serial_a, sizeof(serial_a), soon, now + day + 1, 30));
    /* a slot another process is writing: no warning from this one now */
    slot.lock = 1;
    ck_assert(!cfaop_leaf_warn_due(&slot, serial_b, sizeof(serial_b), soon, now + 2 * day, 30));
    slot.lock = 0;
    ck_assert(cfaop_leaf_warn_due(&slot, serial_b, sizeof(serial_b), soon, now + 2 * day, 30));
}
END_TEST

START_TEST(expiry_warning_table_keeps_the_recent_leaves)
{
    cfaop_leaf_slot_t slot;
    const apr_int64_t day = 86400, now = 20000 * day;
    unsigned char serial[1];
    int i;

    memset(&slot, 0, sizeof(slot));
    /* more leaves than the table holds, each warned once that day */
    for (i = 0; i < CFAOP_LEAF_WARNED_MAX + 2; i++) {
        serial[0] = (unsigned char)i;
        ck_assert(cfaop_leaf_warn_due(&slot, serial, 1, now + day, now + i, 30));
    }
    /* the last ones are remembered */
    serial[0] = (unsigned char)(CFAOP_LEAF_WARNED_MAX + 1);
    ck_assert(!cfaop_leaf_warn_due(&slot, serial, 1, now + day, now + 100, 30));
}
END_TEST

Suite *counters_suite(void)
{
    Suite *s = suite_create("counters");
    TCase *tc = tu_tcase("counters");

    tcase_add_test(tc, every_counted_pair_has_its_own_index);
    tcase_add_test(tc, pairs_that_are_never_counted);
    tcase_add_test(tc, add_snapshot_and_sum);
    tcase_add_test(tc, leaf_slot_stores_and_reads);
    tcase_add_test(tc, serial_hex_as_openssl_prints_it);
    tcase_add_test(tc, days_left_round_down);
    tcase_add_test(tc, expiry_warning_once_a_day_per_leaf);
    tcase_add_test(tc, expiry_warning_table_keeps_the_recent_leaves);
    suite_add_tcase(s, tc);
    return s;
}
