/* SPDX-License-Identifier: Apache-2.0 */
/* test_judge.c: the whole verdict on a presented chain (cfaop_judge), with
 * the chain cache on and off: which reason a failing chain gets. */
#include "test_util.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/err.h>

#include "anchors.h"
#include "chaincache.h"
#include "judge.h"
#include "policy.h"
#include "reason.h"

static const cfaop_policy_t *policy_trusting(X509 *anchor, int depth)
{
    cfaop_anchor_set_t *set = NULL;
    const cfaop_anchor_set_t *sets[1];
    const char *err = cfaop_anchor_set_load_pem(tu_pool, tu_cert_pem(anchor), "anchors.pem", 0, &set);
    cfaop_policy_t *policy;

    ck_assert_msg(err == NULL, "anchor set: %s", err);
    sets[0] = set;
    policy = cfaop_policy_create(tu_pool, "zone", sets, 1, depth, &err);
    ck_assert_msg(policy != NULL, "policy: %s", err);
    return policy;
}

/* The reason, the same with the cache off and on (twice: miss, then hit). */
static cfaop_reason_t judged(const cfaop_policy_t *policy, X509 *leaf, STACK_OF(X509) *sent)
{
    cfaop_verdict_t off, on;
    int round;

    ERR_clear_error();
    cfaop_judge(policy, NULL, leaf, sent, time(NULL), 0, &off);
    for (round = 0; round < 2; round++) {
        cfaop_judge(policy, NULL, leaf, sent, time(NULL), 1, &on);
        ck_assert_msg(on.reason == off.reason, "cache on: %s, off: %s",
                      cfaop_reason_name(on.reason), cfaop_reason_name(off.reason));
    }
    ck_assert_msg(ERR_peek_error() == 0, "judging left an OpenSSL error queued");
    cfaop_chaincache_release_thread();
    return off.reason;
}

/* A client that sends its own self-signed root along with the leaf: with
 * CFAOPVerifyDepth 1 OpenSSL stops at the depth first, but the chain ends
 * in a root nobody trusts, which is what the SPEC reports first. */
START_TEST(own_root_sent_is_untrusted)
{
    tu_cred_t anchor = tu_make_ca("Trusted CA");
    tu_cred_t own = tu_make_ca("Client's own root");
    tu_cred_t leaf = tu_make_leaf("leaf of own root", &own, 11, time(NULL) - TU_DAY,
                                  time(NULL) + TU_DAY);
    tu_cred_t mid = tu_make_intermediate("Client's intermediate", &own);
    tu_cred_t leaf2 = tu_make_leaf("leaf under own intermediate", &mid, 12,
                                   time(NULL) - TU_DAY, time(NULL) + TU_DAY);
    int depth;

    for (depth = 1; depth <= 3; depth++) {
        const cfaop_policy_t *policy = policy_trusting(anchor.cert, depth);

        ck_assert_str_eq(cfaop_reason_name(judged(policy, leaf.cert,
                                                  tu_stack(leaf.cert, own.cert, NULL))), "untrusted");
        ck_assert_str_eq(cfaop_reason_name(judged(policy, leaf2.cert,
                                                  tu_stack(leaf2.cert, mid.cert, own.cert, NULL))),
                         "untrusted");
        ck_assert_str_eq(cfaop_reason_name(judged(policy, leaf.cert, NULL)), "untrusted");
    }
}
END_TEST

/* A chain that does reach an anchor, but through more certificates than
 * CFAOPVerifyDepth allows, stays depth-exceeded. */
START_TEST(too_deep_to_anchor_is_depth_exceeded)
{
    tu_cred_t anchor = tu_make_ca("Trusted CA");
    tu_cred_t mid = tu_make_intermediate("Trusted intermediate", &anchor);
    tu_cred_t leaf = tu_make_leaf("leaf under intermediate", &mid, 13, time(NULL) - TU_DAY,
                                  time(NULL) + TU_DAY);

    ck_assert_str_eq(cfaop_reason_name(judged(policy_trusting(anchor.cert, 1), leaf.cert,
                                              tu_stack(leaf.cert, mid.cert, NULL))),
                     "depth-exceeded");
    ck_assert_str_eq(cfaop_reason_name(judged(policy_trusting(anchor.cert, 1), leaf.cert,
                                              tu_stack(leaf.cert, mid.cert, anchor.cert, NULL))),
                     "depth-exceeded");
    ck_assert_str_eq(cfaop_reason_name(judged(policy_trusting(anchor.cert, 2), leaf.cert,
                                              tu_stack(leaf.cert, mid.cert, NULL))), "ok");
}
END_TEST

Suite *judge_suite(void)
{
    Suite *s = suite_create("judge");
    TCase *tc = tu_tcase("judge");

    tcase_add_test(tc, own_root_sent_is_untrusted);
    tcase_add_test(tc, too_deep_to_anchor_is_depth_exceeded);
    suite_add_tcase(s, tc);
    return s;
}
