/* SPDX-License-Identifier: Apache-2.0 */
/* test_sni.c: the server_name extension reader, on well-formed and broken bodies. */
#include "test_util.h"

#include <string.h>

#include "sni.h"

/* An extension body with one host_name entry. */
static size_t body(unsigned char *buf, const char *name)
{
    size_t n = strlen(name);

    buf[0] = (unsigned char)((n + 3) >> 8);
    buf[1] = (unsigned char)(n + 3);
    buf[2] = 0;
    buf[3] = (unsigned char)(n >> 8);
    buf[4] = (unsigned char)n;
    memcpy(buf + 5, name, n);
    return n + 5;
}

START_TEST(reads_the_host_name)
{
    unsigned char buf[300];
    char out[CFAOP_SNI_MAX + 1];
    size_t len = body(buf, "App.Example.TEST");

    ck_assert_int_eq(cfaop_sni_from_extension(buf, len, out), 1);
    ck_assert_str_eq(out, "App.Example.TEST");
}
END_TEST

START_TEST(refuses_broken_bodies)
{
    unsigned char buf[600];
    char out[CFAOP_SNI_MAX + 1], big[300];
    size_t len = body(buf, "a.test");

    ck_assert_int_eq(cfaop_sni_from_extension(buf, len - 1, out), 0);     /* list length off */
    ck_assert_int_eq(cfaop_sni_from_extension(buf, 1, out), 0);
    ck_assert_int_eq(cfaop_sni_from_extension(NULL, 0, out), 0);
    buf[4] = 200;                                                          /* name past the end */
    ck_assert_int_eq(cfaop_sni_from_extension(buf, len, out), 0);
    len = body(buf, "axb");
    buf[6] = '\0';
    ck_assert_int_eq(cfaop_sni_from_extension(buf, len, out), 0);         /* NUL inside */
    memset(big, 'a', 256);
    big[256] = '\0';
    len = body(buf, big);
    ck_assert_int_eq(cfaop_sni_from_extension(buf, len, out), 0);         /* longer than DNS allows */
    len = body(buf, "");
    ck_assert_int_eq(cfaop_sni_from_extension(buf, len, out), 0);
}
END_TEST

START_TEST(skips_other_name_types)
{
    unsigned char buf[32] = { 0, 12, 7, 0, 2, 'x', 'y', 0, 0, 4, 'h', '.', 't', 'x' };
    char out[CFAOP_SNI_MAX + 1];

    buf[1] = 12;
    ck_assert_int_eq(cfaop_sni_from_extension(buf, 14, out), 1);
    ck_assert_str_eq(out, "h.tx");
}
END_TEST

Suite *sni_suite(void)
{
    Suite *s = suite_create("sni");
    TCase *tc = tu_tcase("sni");

    tcase_add_test(tc, reads_the_host_name);
    tcase_add_test(tc, refuses_broken_bodies);
    tcase_add_test(tc, skips_other_name_types);
    suite_add_tcase(s, tc);
    return s;
}
