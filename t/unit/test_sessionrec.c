/* SPDX-License-Identifier: Apache-2.0 */
/* test_sessionrec.c: the record kept with a TLS session (src/sessionrec.c). */
#include <check.h>
#include <string.h>
#include <time.h>
#include <apr_strings.h>
#include <openssl/crypto.h>

#include "test_util.h"
#include "sessionrec.h"

START_TEST(round_trip_keeps_policy_and_intermediates)
{
    tu_cred_t root = tu_make_ca("root");
    tu_cred_t mid = tu_make_intermediate("mid", &root);
    tu_cred_t leaf = tu_make_leaf("leaf", &mid, 7, time(NULL) - TU_DAY, time(NULL) + TU_DAY);
    STACK_OF(X509) *presented = tu_stack(leaf.cert, mid.cert, NULL);
    STACK_OF(X509) *chain = NULL;
    const char *name = NULL;
    unsigned char *rec;
    size_t len;

    ck_assert_int_eq(cfaop_sessionrec_encode("hostname:*.example.com", leaf.cert, presented,
                                             &rec, &len), 1);
    ck_assert_ptr_null(cfaop_sessionrec_decode(tu_pool, rec, len, &name, &chain));
    ck_assert_str_eq(name, "hostname:*.example.com");
    ck_assert_int_eq(sk_X509_num(chain), 1);
    ck_assert_int_eq(X509_cmp(sk_X509_value(chain, 0), mid.cert), 0);
    sk_X509_pop_free(chain, X509_free);
    OPENSSL_free(rec);
}
END_TEST

START_TEST(zone_policy_without_intermediates)
{
    tu_cred_t root = tu_make_ca("root");
    tu_cred_t leaf = tu_make_leaf("leaf", &root, 8, time(NULL) - TU_DAY, time(NULL) + TU_DAY);
    STACK_OF(X509) *chain = NULL;
    const char *name = NULL;
    unsigned char *rec;
    size_t len;

    ck_assert_int_eq(cfaop_sessionrec_encode("zone", leaf.cert, tu_stack(leaf.cert, NULL),
                                             &rec, &len), 1);
    ck_assert_ptr_null(cfaop_sessionrec_decode(tu_pool, rec, len, &name, &chain));
    ck_assert_str_eq(name, "zone");
    ck_assert_int_eq(sk_X509_num(chain), 0);
    sk_X509_pop_free(chain, X509_free);
    OPENSSL_free(rec);
}
END_TEST

START_TEST(malformed_records_are_refused)
{
    tu_cred_t root = tu_make_ca("root");
    tu_cred_t leaf = tu_make_leaf("leaf", &root, 9, time(NULL) - TU_DAY, time(NULL) + TU_DAY);
    STACK_OF(X509) *chain = NULL;
    const char *name = NULL;
    unsigned char *rec, *copy;
    size_t len;

    ck_assert_int_eq(cfaop_sessionrec_encode("zone", leaf.cert, NULL, &rec, &len), 1);
    /* every truncation */
    for (size_t cut = 0; cut < 9; cut++) {
        ck_assert_ptr_nonnull(cfaop_sessionrec_decode(tu_pool, rec, cut, &name, &chain));
        ck_assert_ptr_null(chain);
        ck_assert_ptr_null(name);
    }
    copy = apr_pmemdup(tu_pool, rec, len);
    copy[0] = 'X';                                      /* magic */
    ck_assert_ptr_nonnull(cfaop_sessionrec_decode(tu_pool, copy, len, &name, &chain));
    copy = apr_pmemdup(tu_pool, rec, len);
    copy[4] = 200;                                      /* name longer than the record */
    ck_assert_ptr_nonnull(cfaop_sessionrec_decode(tu_pool, copy, len, &name, &chain));
    OPENSSL_free(rec);
}
END_TEST

START_TEST(overlong_policy_name_is_not_encoded)
{
    tu_cred_t root = tu_make_ca("root");
    tu_cred_t leaf = tu_make_leaf("leaf", &root, 10, time(NULL) - TU_DAY, time(NULL) + TU_DAY);
    char name[CFAOP_SESSIONREC_NAME_MAX + 2];
    unsigned char *rec = (unsigned char *)"sentinel";
    size_t len = 1;

    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    ck_assert_int_eq(cfaop_sessionrec_encode(name, leaf.cert, NULL, &rec, &len), 0);
    ck_assert_ptr_null(rec);
    ck_assert_uint_eq(len, 0);
}
END_TEST

Suite *sessionrec_suite(void)
{
    Suite *s = suite_create("sessionrec");
    TCase *tc = tu_tcase("sessionrec");

    tcase_add_test(tc, round_trip_keeps_policy_and_intermediates);
    tcase_add_test(tc, zone_policy_without_intermediates);
    tcase_add_test(tc, malformed_records_are_refused);
    tcase_add_test(tc, overlong_policy_name_is_not_encoded);
    suite_add_tcase(s, tc);
    return s;
}
