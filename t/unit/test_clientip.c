/* SPDX-License-Identifier: Apache-2.0 */
/* test_clientip.c: CF-Connecting-IP values: what is one address, what is
 * not and why, and the apr_sockaddr_t httpd is given. */
#include "test_util.h"

#include <string.h>
#include <apr_strings.h>

#include "clientip.h"

/* The canonical text of an accepted value, or "refused: <why>". */
static const char *parsed(const char *value)
{
    cfaop_clientip_t ip;
    const char *why = cfaop_clientip_parse(value, &ip);

    return why ? apr_pstrcat(tu_pool, "refused: ", why, NULL) : apr_pstrdup(tu_pool, ip.text);
}

START_TEST(accepts_ipv4)
{
    cfaop_clientip_t ip;

    ck_assert_ptr_null(cfaop_clientip_parse("203.0.113.9", &ip));
    ck_assert_int_eq(ip.family, APR_INET);
    ck_assert_str_eq(ip.text, "203.0.113.9");
    ck_assert_int_eq(ip.addr[0], 203);
    ck_assert_int_eq(ip.addr[3], 9);
    ck_assert_str_eq(parsed("255.255.255.255"), "255.255.255.255");
    ck_assert_str_eq(parsed("1.2.3.4"), "1.2.3.4");
    /* Cloudflare's Pseudo IPv4 hands out class E addresses. */
    ck_assert_str_eq(parsed("240.16.0.1"), "240.16.0.1");
    ck_assert_str_eq(parsed("127.0.0.1"), "127.0.0.1");
}
END_TEST

START_TEST(accepts_ipv6_in_every_form)
{
    cfaop_clientip_t ip;

    ck_assert_ptr_null(cfaop_clientip_parse("2001:db8::1", &ip));
    ck_assert_int_eq(ip.family, APR_INET6);
    ck_assert_str_eq(ip.text, "2001:db8::1");
    ck_assert_str_eq(parsed("2001:DB8::1"), "2001:db8::1");
    ck_assert_str_eq(parsed("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
    ck_assert_str_eq(parsed("2001:db8:0:0:0:0:0:1"), "2001:db8::1");
    ck_assert_str_eq(parsed("::1"), "::1");
    ck_assert_str_eq(parsed("fe80::1"), "fe80::1");
    ck_assert_str_eq(parsed("2a06:98c0:3600::103"), "2a06:98c0:3600::103");
    /* the longest text an address has */
    ck_assert_str_eq(parsed("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"),
                     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    ck_assert_str_eq(parsed("64:ff9b::192.0.2.33"), "64:ff9b::c000:221");
}
END_TEST

START_TEST(v4_mapped_is_ipv4)
{
    cfaop_clientip_t ip;

    ck_assert_ptr_null(cfaop_clientip_parse("::ffff:203.0.113.10", &ip));
    ck_assert_int_eq(ip.family, APR_INET);
    ck_assert_str_eq(ip.text, "203.0.113.10");
    ck_assert_str_eq(parsed("::FFFF:cb00:710a"), "203.0.113.10");
    ck_assert_str_eq(parsed("0:0:0:0:0:ffff:203.0.113.10"), "203.0.113.10");
    /* ::ffff:0.0.0.0 is the unspecified IPv4 address */
    ck_assert_str_eq(parsed("::ffff:0.0.0.0"), "refused: the unspecified address");
}
END_TEST

START_TEST(refuses_lists_ports_brackets_zones)
{
    ck_assert_str_eq(parsed("203.0.113.9, 198.51.100.1"), "refused: a list of addresses");
    ck_assert_str_eq(parsed("203.0.113.9,198.51.100.1"), "refused: a list of addresses");
    ck_assert_str_eq(parsed("203.0.113.9,"), "refused: a list of addresses");
    ck_assert_str_eq(parsed("203.0.113.9:443"), "refused: an address with a port");
    ck_assert_str_eq(parsed("203.0.113.9:"), "refused: not an IP address");
    ck_assert_str_eq(parsed("[2001:db8::1]"), "refused: brackets");
    ck_assert_str_eq(parsed("[2001:db8::1]:443"), "refused: brackets");
    ck_assert_str_eq(parsed("fe80::1%eth0"), "refused: a zone id");
    ck_assert_str_eq(parsed("fe80::1%25eth0"), "refused: a zone id");
    ck_assert_str_eq(parsed("fe80::1%1"), "refused: a zone id");
}
END_TEST

START_TEST(refuses_white_space)
{
    ck_assert_str_eq(parsed(" 203.0.113.9"), "refused: white space");
    ck_assert_str_eq(parsed("203.0.113.9 "), "refused: white space");
    ck_assert_str_eq(parsed("203.0.113.9\t"), "refused: white space");
    ck_assert_str_eq(parsed("203.0.113 .9"), "refused: white space");
    ck_assert_str_eq(parsed("2001:db8::1\r\n"), "refused: white space");
}
END_TEST

START_TEST(refuses_garbage)
{
    ck_assert_str_eq(parsed(""), "refused: empty");
    ck_assert_str_eq(parsed(NULL), "refused: empty");
    ck_assert_str_eq(parsed("unknown"), "refused: not an IP address");
    ck_assert_str_eq(parsed("localhost"), "refused: not an IP address");
    ck_assert_str_eq(parsed("example.com"), "refused: not an IP address");
    ck_assert_str_eq(parsed("abc"), "refused: not an IP address");
    ck_assert_str_eq(parsed("1.2.3"), "refused: not an IP address");
    ck_assert_str_eq(parsed("1.2.3.4.5"), "refused: not an IP address");
    ck_assert_str_eq(parsed("256.1.1.1"), "refused: not an IP address");
    ck_assert_str_eq(parsed("1.2.3.4."), "refused: not an IP address");
    ck_assert_str_eq(parsed("0x7f.0.0.1"), "refused: not an IP address");
    ck_assert_str_eq(parsed("2130706433"), "refused: not an IP address");   /* 127.0.0.1 as a number */
    ck_assert_str_eq(parsed("2001:db8:::1"), "refused: not an IP address");
    ck_assert_str_eq(parsed("2001:db8::1::2"), "refused: not an IP address");
    ck_assert_str_eq(parsed("2001:db8::12345"), "refused: not an IP address");
    ck_assert_str_eq(parsed("1:2:3:4:5:6:7:8:9"), "refused: not an IP address");
    ck_assert_str_eq(parsed("203.0.113.9\""), "refused: not an IP address");
    ck_assert_str_eq(parsed("203.0.113.9\xff"), "refused: not an IP address");
    ck_assert_str_eq(parsed("203.0.113.9/24"), "refused: not an IP address");
    ck_assert_str_eq(parsed("-1.2.3.4"), "refused: not an IP address");
    ck_assert_str_eq(parsed("0.0.0.0"), "refused: the unspecified address");
    ck_assert_str_eq(parsed("::"), "refused: the unspecified address");
    ck_assert_str_eq(parsed("0:0:0:0:0:0:0:0"), "refused: the unspecified address");
}
END_TEST

START_TEST(refuses_leading_zeros)
{
    /* 010 would be octal 8 for inet_aton: no reading of the text is left
     * to guess. */
    ck_assert_str_eq(parsed("010.0.0.1"), "refused: not an IP address");
    ck_assert_str_eq(parsed("203.000.113.9"), "refused: not an IP address");
    ck_assert_str_eq(parsed("::ffff:010.0.0.1"), "refused: not an IP address");
}
END_TEST

START_TEST(bounds_the_length)
{
    char big[4096];

    /* 46 bytes: one more than the longest address */
    ck_assert_str_eq(parsed("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2550"),
                     "refused: longer than an address can be");
    ck_assert_str_eq(parsed("0000:0000:0000:0000:0000:0000:0000:0000:000001"),
                     "refused: longer than an address can be");
    /* 45 bytes: the bound itself is read (and refused for what it is) */
    ck_assert_str_eq(parsed("0000:0000:0000:0000:0000:0000:0000:0000:00001"),
                     "refused: not an IP address");
    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_str_eq(parsed(big), "refused: longer than an address can be");
    /* a list too long to be one address is said to be too long */
    memset(big, 0, sizeof(big));
    while (strlen(big) < 100)
        strcat(big, "203.0.113.9, ");
    ck_assert_str_eq(parsed(big), "refused: longer than an address can be");
}
END_TEST

START_TEST(sockaddr_is_what_httpd_matches)
{
    cfaop_clientip_t ip;
    apr_sockaddr_t *sa;
    apr_ipsubnet_t *net;
    char *text;

    ck_assert_ptr_null(cfaop_clientip_parse("203.0.113.9", &ip));
    ck_assert_int_eq(cfaop_clientip_sockaddr(tu_pool, &ip, &sa), APR_SUCCESS);
    ck_assert_int_eq(sa->family, APR_INET);
    ck_assert_int_eq(sa->port, 0);
    ck_assert_int_eq(apr_sockaddr_ip_get(&text, sa), APR_SUCCESS);
    ck_assert_str_eq(text, "203.0.113.9");
    ck_assert_int_eq(apr_ipsubnet_create(&net, "203.0.113.0", "24", tu_pool), APR_SUCCESS);
    ck_assert(apr_ipsubnet_test(net, sa));
    ck_assert_int_eq(apr_ipsubnet_create(&net, "198.51.100.0", "24", tu_pool), APR_SUCCESS);
    ck_assert(!apr_ipsubnet_test(net, sa));

    ck_assert_ptr_null(cfaop_clientip_parse("2001:DB8:0::1", &ip));
    ck_assert_int_eq(cfaop_clientip_sockaddr(tu_pool, &ip, &sa), APR_SUCCESS);
    ck_assert_int_eq(sa->family, APR_INET6);
    ck_assert_int_eq(sa->port, 0);
    ck_assert_int_eq(apr_sockaddr_ip_get(&text, sa), APR_SUCCESS);
    ck_assert_str_eq(text, "2001:db8::1");
    ck_assert_int_eq(apr_ipsubnet_create(&net, "2001:db8::", "32", tu_pool), APR_SUCCESS);
    ck_assert(apr_ipsubnet_test(net, sa));

    /* a mapped address matches an IPv4 Require ip */
    ck_assert_ptr_null(cfaop_clientip_parse("::ffff:203.0.113.10", &ip));
    ck_assert_int_eq(cfaop_clientip_sockaddr(tu_pool, &ip, &sa), APR_SUCCESS);
    ck_assert_int_eq(sa->family, APR_INET);
    ck_assert_int_eq(apr_ipsubnet_create(&net, "203.0.113.0", "24", tu_pool), APR_SUCCESS);
    ck_assert(apr_ipsubnet_test(net, sa));
}
END_TEST

Suite *clientip_suite(void)
{
    Suite *s = suite_create("clientip");
    TCase *tc = tu_tcase("clientip");

    tcase_add_test(tc, accepts_ipv4);
    tcase_add_test(tc, accepts_ipv6_in_every_form);
    tcase_add_test(tc, v4_mapped_is_ipv4);
    tcase_add_test(tc, refuses_lists_ports_brackets_zones);
    tcase_add_test(tc, refuses_white_space);
    tcase_add_test(tc, refuses_garbage);
    tcase_add_test(tc, refuses_leading_zeros);
    tcase_add_test(tc, bounds_the_length);
    tcase_add_test(tc, sockaddr_is_what_httpd_matches);
    suite_add_tcase(s, tc);
    return s;
}
