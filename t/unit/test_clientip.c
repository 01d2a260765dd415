/* SPDX-License-Identifier: Apache-2.0 */
/* test_clientip.c: CF-Connecting-IP values: what is one address, what is
 * not and why, and the apr_sockaddr_t httpd is given. */
#include "test_util.h"

#include <ctype.h>
#include <locale.h>
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

/* Each value and what it reads as: its canonical text, or "refused: <why>". */
static const struct {
    const char *value;
    const char *want;
} cases[] = {
    /* IPv4 */
    { "203.0.113.9", "203.0.113.9" },
    { "255.255.255.255", "255.255.255.255" },
    { "127.0.0.1", "127.0.0.1" },
    { "240.16.0.1", "240.16.0.1" },                 /* Cloudflare's Pseudo IPv4 uses class E */
    /* IPv6, every form inet_pton reads */
    { "2001:db8::1", "2001:db8::1" },
    { "2001:DB8::1", "2001:db8::1" },
    { "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
    { "2001:db8:0:0:0:0:0:1", "2001:db8::1" },
    { "::1", "::1" },
    { "fe80::1", "fe80::1" },
    { "2a06:98c0:3600::103", "2a06:98c0:3600::103" },
    { "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
    { "64:ff9b::192.0.2.33", "64:ff9b::c000:221" },
    /* IPv4-mapped: the IPv4 address */
    { "::ffff:203.0.113.10", "203.0.113.10" },
    { "::FFFF:cb00:710a", "203.0.113.10" },
    { "0:0:0:0:0:ffff:203.0.113.10", "203.0.113.10" },
    /* lists, ports, brackets, zone ids, white space */
    { "203.0.113.9, 198.51.100.1", "refused: a list of addresses" },
    { "203.0.113.9,198.51.100.1", "refused: a list of addresses" },
    { "203.0.113.9,", "refused: a list of addresses" },
    { "203.0.113.9:443", "refused: an address with a port" },
    { "203.0.113.9:", "refused: not an IP address" },
    { "[2001:db8::1]", "refused: brackets" },
    { "[2001:db8::1]:443", "refused: brackets" },
    { "fe80::1%eth0", "refused: a zone id" },
    { "fe80::1%25eth0", "refused: a zone id" },
    { "fe80::1%1", "refused: a zone id" },
    { " 203.0.113.9", "refused: white space" },
    { "203.0.113.9 ", "refused: white space" },
    { "203.0.113.9\t", "refused: white space" },
    { "203.0.113 .9", "refused: white space" },
    { "2001:db8::1\r\n", "refused: white space" },
    /* leading zeros: 010 would be octal 8 to inet_aton, so no reading is guessed */
    { "010.0.0.1", "refused: not an IP address" },
    { "203.000.113.9", "refused: not an IP address" },
    { "::ffff:010.0.0.1", "refused: not an IP address" },
    /* garbage */
    { "", "refused: empty" },
    { "unknown", "refused: not an IP address" },
    { "localhost", "refused: not an IP address" },
    { "example.com", "refused: not an IP address" },
    { "abc", "refused: not an IP address" },
    { "1.2.3", "refused: not an IP address" },
    { "1.2.3.4.5", "refused: not an IP address" },
    { "256.1.1.1", "refused: not an IP address" },
    { "1.2.3.4.", "refused: not an IP address" },
    { "0x7f.0.0.1", "refused: not an IP address" },
    { "2130706433", "refused: not an IP address" },  /* 127.0.0.1 as one number */
    { "2001:db8:::1", "refused: not an IP address" },
    { "2001:db8::1::2", "refused: not an IP address" },
    { "2001:db8::12345", "refused: not an IP address" },
    { "1:2:3:4:5:6:7:8:9", "refused: not an IP address" },
    { "203.0.113.9\"", "refused: not an IP address" },
    { "203.0.113.9\xff", "refused: not an IP address" },
    { "203.0.113.9/24", "refused: not an IP address" },
    { "-1.2.3.4", "refused: not an IP address" },
    /* no client connects from the unspecified address */
    { "0.0.0.0", "refused: the unspecified address" },
    { "::", "refused: the unspecified address" },
    { "0:0:0:0:0:0:0:0", "refused: the unspecified address" },
    { "::ffff:0.0.0.0", "refused: the unspecified address" },
};

START_TEST(reads_each_value)
{
    ck_assert_msg(strcmp(parsed(cases[_i].value), cases[_i].want) == 0, "'%s' reads as '%s', not '%s'",
                  cases[_i].value, parsed(cases[_i].value), cases[_i].want);
}
END_TEST

START_TEST(fills_family_and_bytes)
{
    cfaop_clientip_t ip;

    ck_assert_ptr_null(cfaop_clientip_parse("203.0.113.9", &ip));
    ck_assert_int_eq(ip.family, APR_INET);
    ck_assert_int_eq(ip.addr[0], 203);
    ck_assert_int_eq(ip.addr[3], 9);
    ck_assert_ptr_null(cfaop_clientip_parse("2001:db8::1", &ip));
    ck_assert_int_eq(ip.family, APR_INET6);
    ck_assert_int_eq(ip.addr[1], 0x01);
    ck_assert_int_eq(ip.addr[15], 1);
    ck_assert_ptr_null(cfaop_clientip_parse("::ffff:203.0.113.10", &ip));
    ck_assert_int_eq(ip.family, APR_INET);
    ck_assert_int_eq(ip.addr[0], 203);
    ck_assert_int_eq(ip.addr[3], 10);
    ck_assert_str_eq(parsed(NULL), "refused: empty");
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

/* The apr_sockaddr_t of an accepted value, with what APR prints for it. */
static apr_sockaddr_t *sockaddr_of(const char *value, int family, const char *text)
{
    cfaop_clientip_t ip;
    apr_sockaddr_t *sa;
    char *printed;

    ck_assert_ptr_null(cfaop_clientip_parse(value, &ip));
    ck_assert_int_eq(cfaop_clientip_sockaddr(tu_pool, &ip, &sa), APR_SUCCESS);
    ck_assert_int_eq(sa->family, family);
    ck_assert_int_eq(sa->port, 0);
    ck_assert_int_eq(apr_sockaddr_ip_get(&printed, sa), APR_SUCCESS);
    ck_assert_str_eq(printed, text);
    return sa;
}

/* Require ip's test: apr_ipsubnet_test against "net/bits". */
static int in_subnet(const apr_sockaddr_t *sa, const char *net, const char *bits)
{
    apr_ipsubnet_t *subnet;

    ck_assert_int_eq(apr_ipsubnet_create(&subnet, net, bits, tu_pool), APR_SUCCESS);
    return apr_ipsubnet_test(subnet, (apr_sockaddr_t *)sa);
}

START_TEST(sockaddr_is_what_httpd_matches)
{
    apr_sockaddr_t *sa = sockaddr_of("203.0.113.9", APR_INET, "203.0.113.9");

    ck_assert(in_subnet(sa, "203.0.113.0", "24"));
    ck_assert(!in_subnet(sa, "198.51.100.0", "24"));
    sa = sockaddr_of("2001:DB8:0::1", APR_INET6, "2001:db8::1");
    ck_assert(in_subnet(sa, "2001:db8::", "32"));
    ck_assert(!in_subnet(sa, "203.0.113.0", "24"));
    /* a mapped address matches an IPv4 Require ip */
    sa = sockaddr_of("::ffff:203.0.113.10", APR_INET, "203.0.113.10");
    ck_assert(in_subnet(sa, "203.0.113.0", "24"));
}
END_TEST

/* The header's value as the glue reads it from request headers given as
 * "name", "value" pairs (NULL-terminated), each an entry of its own. */
static const char *header_of(const char *const *pairs)
{
    apr_table_t *t = apr_table_make(tu_pool, 4);

    for (; pairs[0] != NULL; pairs += 2)
        apr_table_addn(t, pairs[0], pairs[1]);
    return cfaop_clientip_header(tu_pool, t);
}

/* Under tr_TR.UTF-8 (a module may set it in the child) the C library does
 * not fold 'I' to 'i': the spellings of HTTP/2 and of proxies that
 * lower-case names must still be found, and two spellings that httpd did
 * not merge must still read as a list. */
START_TEST(finds_the_header_by_ascii_name)
{
    static const char *const lower[] = { "cf-connecting-ip", "203.0.113.9", NULL };
    static const char *const upper[] = { "CF-CONNECTING-IP", "203.0.113.9", NULL };
    static const char *const two[] = { "Host", "x", "cf-connecting-ip", "203.0.113.9",
                                       "CF-Connecting-IP", "198.51.100.1", NULL };
    static const char *const other[] = { "CF_Connecting_IP", "203.0.113.9",
                                         "CF-Connecting-IPv6", "2001:db8::1", NULL };
    const char *old = setlocale(LC_ALL, NULL);
    char *saved = old ? strdup(old) : NULL;
    int turkish = _i == 1;

    if (turkish && (setlocale(LC_ALL, "tr_TR.UTF-8") == NULL || tolower('I') == 'i')) {
        free(saved);
        ck_abort_msg("the tr_TR.UTF-8 locale is missing (make deps installs it)");
    }
    ck_assert_str_eq(header_of(lower), "203.0.113.9");
    ck_assert_str_eq(header_of(upper), "203.0.113.9");
    ck_assert_str_eq(header_of(two), "203.0.113.9, 198.51.100.1");
    ck_assert_ptr_null(header_of(other));
    setlocale(LC_ALL, saved ? saved : "C");
    free(saved);
}
END_TEST

/* Header names, and whether each is a '_' spelling of CF-Connecting-IP. */
static const struct {
    const char *name;
    int underscored;
} names[] = {
    { "CF_Connecting_IP", 1 }, { "cf_connecting_ip", 1 }, { "CF-Connecting_IP", 1 },
    { "cf_connecting-ip", 1 }, { "CF_CONNECTING_IP", 1 },
    { "CF-Connecting-IP", 0 }, { "cf-connecting-ip", 0 },       /* the real one */
    { "CF_Connecting_IPv6", 0 }, { "CF_Connecting", 0 }, { "X_CF_Connecting_IP", 0 },
    { "CF__Connecting_IP", 0 }, { "CF_Connecting_IP_", 0 }, { "", 0 },
};

START_TEST(underscored_names)
{
    ck_assert_msg(cfaop_clientip_underscored(names[_i].name) == names[_i].underscored, "%s", names[_i].name);
}
END_TEST

Suite *clientip_suite(void)
{
    Suite *s = suite_create("clientip");
    TCase *tc = tu_tcase("clientip");

    tcase_add_loop_test(tc, reads_each_value, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, fills_family_and_bytes);
    tcase_add_test(tc, bounds_the_length);
    tcase_add_test(tc, sockaddr_is_what_httpd_matches);
    tcase_add_loop_test(tc, finds_the_header_by_ascii_name, 0, 2);   /* C, then tr_TR.UTF-8 */
    tcase_add_loop_test(tc, underscored_names, 0, (int)(sizeof(names) / sizeof(names[0])));
    suite_add_tcase(s, tc);
    return s;
}
