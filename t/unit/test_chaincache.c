/* SPDX-License-Identifier: Apache-2.0 */
/* test_chaincache.c: the per-thread chain cache (hits, policy and
 * generation keys, the validity window) and that a thread's chains are
 * freed when it exits or is released. */
#include "test_util.h"

#include <pthread.h>
#include <time.h>

#include "chaincache.h"

/* Counts frees of certificates marked with `marker`. */
static int cert_index = -1;
static int marker;
static int marked_freed;

static void count_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
    if (ptr == &marker)
        __atomic_add_fetch(&marked_freed, 1, __ATOMIC_SEQ_CST);
}

static const int policy_a, policy_b;
#define POLICY_A ((const cfaop_policy_t *)&policy_a)
#define POLICY_B ((const cfaop_policy_t *)&policy_b)

typedef struct {
    cfaop_chain_digest_t digest;
    STACK_OF(X509) *chain;      /* owned by the cache once stored */
} stored_t;

static X509 *leaf_cert(long serial)
{
    tu_cred_t ca = tu_make_ca("cache CA");
    time_t now = time(NULL);

    return tu_make_leaf("cache leaf", &ca, serial, now - TU_DAY, now + TU_DAY).cert;
}

/* A chain of one fresh, marked copy of leaf (valid from -1 to +1 day):
 * the cache holds its only reference. */
static stored_t marked_copy(X509 *leaf)
{
    X509 *copy = X509_dup(leaf);
    stored_t out;

    if (cert_index < 0)
        cert_index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_X509, 0, NULL, NULL, NULL, count_free);
    ck_assert_int_ge(cert_index, 0);
    ck_assert_ptr_nonnull(copy);
    ck_assert_int_eq(X509_set_ex_data(copy, cert_index, &marker), 1);
    ck_assert_int_eq(cfaop_chain_digest(copy, NULL, &out.digest), 1);
    out.chain = sk_X509_new_null();
    ck_assert_int_eq(sk_X509_push(out.chain, copy), 1);
    return out;
}

START_TEST(hit_needs_same_policy_and_generation)
{
    stored_t s = marked_copy(leaf_cert(11));
    time_t now = time(NULL);

    cfaop_chaincache_store(&s.digest, POLICY_A, s.chain);
    ck_assert_ptr_eq(cfaop_chaincache_lookup(&s.digest, POLICY_A, now), s.chain);
    ck_assert_ptr_null(cfaop_chaincache_lookup(&s.digest, POLICY_B, now));
    /* Outside the leaf's validity: a miss, so dates are checked each time. */
    ck_assert_ptr_null(cfaop_chaincache_lookup(&s.digest, POLICY_A, now + 2 * TU_DAY));
    ck_assert_ptr_null(cfaop_chaincache_lookup(&s.digest, POLICY_A, now - 2 * TU_DAY));
    cfaop_chaincache_new_generation();
    ck_assert_ptr_null(cfaop_chaincache_lookup(&s.digest, POLICY_A, now));
    cfaop_chaincache_release_thread();
}
END_TEST

START_TEST(release_frees_this_threads_chains)
{
    stored_t s = marked_copy(leaf_cert(12));

    marked_freed = 0;
    cfaop_chaincache_store(&s.digest, POLICY_A, s.chain);
    ck_assert_int_eq(marked_freed, 0);
    cfaop_chaincache_release_thread();
    ck_assert_int_eq(marked_freed, 1);
    ck_assert_ptr_null(cfaop_chaincache_lookup(&s.digest, POLICY_A, time(NULL)));
}
END_TEST

static void *store_then_exit(void *arg)
{
    stored_t *s = arg;
    time_t now = time(NULL);

    cfaop_chaincache_store(&s->digest, POLICY_A, s->chain);
    return cfaop_chaincache_lookup(&s->digest, POLICY_A, now) == s->chain ? s : NULL;
}

START_TEST(thread_exit_frees_its_chains)
{
    stored_t s = marked_copy(leaf_cert(13));
    pthread_t thread;
    void *result = NULL;

    marked_freed = 0;
    ck_assert_int_eq(pthread_create(&thread, NULL, store_then_exit, &s), 0);
    ck_assert_int_eq(pthread_join(thread, &result), 0);
    ck_assert_ptr_eq(result, &s);       /* it was cached in that thread */
    ck_assert_int_eq(marked_freed, 1);  /* and freed when the thread ended */
    /* Another thread's entry is never seen here. */
    ck_assert_ptr_null(cfaop_chaincache_lookup(&s.digest, POLICY_A, time(NULL)));
}
END_TEST

static void *store_release_then_exit(void *arg)
{
    stored_t *s = arg;

    cfaop_chaincache_store(&s->digest, POLICY_A, s->chain);
    cfaop_chaincache_release_thread();
    return NULL;
}

/* A thread released before it exits frees each chain once. */
START_TEST(released_thread_exits_cleanly)
{
    stored_t s = marked_copy(leaf_cert(15));
    pthread_t thread;

    marked_freed = 0;
    ck_assert_int_eq(pthread_create(&thread, NULL, store_release_then_exit, &s), 0);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_int_eq(marked_freed, 1);
}
END_TEST

START_TEST(replacing_a_slot_frees_the_old_chain)
{
    X509 *leaf = leaf_cert(14);
    stored_t s = marked_copy(leaf), again;

    marked_freed = 0;
    cfaop_chaincache_store(&s.digest, POLICY_A, s.chain);
    again = marked_copy(leaf);  /* same certificate, so the same slot */
    ck_assert_int_eq(memcmp(&again.digest, &s.digest, sizeof(s.digest)), 0);
    cfaop_chaincache_store(&again.digest, POLICY_A, again.chain);
    ck_assert_int_eq(marked_freed, 1);
    cfaop_chaincache_release_thread();
    ck_assert_int_eq(marked_freed, 2);
}
END_TEST

Suite *chaincache_suite(void)
{
    Suite *s = suite_create("chaincache");
    TCase *tc = tu_tcase("chaincache");

    tcase_add_test(tc, hit_needs_same_policy_and_generation);
    tcase_add_test(tc, release_frees_this_threads_chains);
    tcase_add_test(tc, thread_exit_frees_its_chains);
    tcase_add_test(tc, released_thread_exits_cleanly);
    tcase_add_test(tc, replacing_a_slot_frees_the_old_chain);
    suite_add_tcase(s, tc);
    return s;
}
