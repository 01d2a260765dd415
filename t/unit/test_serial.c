/* SPDX-License-Identifier: Apache-2.0 */
/* test_serial.c: every accepted serial form reduced to the same canonical
 * bytes, the rejected ones with their reason, formatting and ASN1_INTEGERs. */
#include "revocation_util.h"

#include <stdint.h>
#include <apr_strings.h>
#include <openssl/bn.h>

#include "serial.h"

/* Parses text and returns its canonical hex (or fails the test). */
static const char *canon(const char *text)
{
    cfaop_serial_t s;
    const char *err;

    memset(&s, 0xAA, sizeof(s));
    err = cfaop_serial_parse(tu_pool, text, &s);
    ck_assert_msg(err == NULL, "'%s' rejected: %s", text, err ? err : "");
    ck_assert_int_le(s.len, CFAOP_SERIAL_MAX);
    ck_assert_int_eq(s.negative, 0);
    ck_assert_msg(s.len == 0 || s.bytes[0] != 0, "'%s': leading zero byte kept", text);
    return cfaop_serial_format(tu_pool, &s);
}

#define ck_canon(text, hex) ck_assert_str_eq(canon(text), (hex))

/* The static reason a text is rejected for. */
static const char *why(const char *text)
{
    cfaop_serial_t s;
    const char *err = cfaop_serial_parse_mem(text, strlen(text), &s);

    ck_assert_msg(err != NULL, "'%s' accepted as %s", text, cfaop_serial_format(tu_pool, &s));
    return err;
}

static const char *repeat(const char *unit, int n)
{
    const char *out = "";
    while (n-- > 0)
        out = apr_pstrcat(tu_pool, out, unit, NULL);
    return out;
}

START_TEST(bare_hex)
{
    ck_canon("01AB", "01AB");
    ck_canon("01ab", "01AB");
    ck_canon("1aB", "01AB");                /* odd count: a leading nibble */
    ck_canon("7", "07");
    ck_canon("DEADBEEF", "DEADBEEF");
    ck_canon("00000001AB", "01AB");         /* leading zeros ignored */
}
END_TEST

START_TEST(openssl_serial_equals)
{
    ck_canon("serial=01AB", "01AB");
    ck_canon("SERIAL=01ab", "01AB");
    ck_canon("Serial=0001AB", "01AB");
}
END_TEST

START_TEST(colon_groups)
{
    ck_canon("01:ab", "01AB");
    ck_canon("01:AB:cd", "01ABCD");
    ck_canon("1:ab", "01AB");               /* 1-digit groups are whole bytes */
    ck_canon("1:2:3", "010203");
    ck_canon("00:00:01:ab", "01AB");
    ck_canon("0:0:0", "00");
}
END_TEST

START_TEST(c_prefix)
{
    ck_canon("0x01ab", "01AB");
    ck_canon("0X01AB", "01AB");
    ck_canon("0x1ab", "01AB");
    ck_canon("0x0", "00");
}
END_TEST

START_TEST(openssl_text_form)
{
    ck_canon("4096 (0x1000)", "1000");
    ck_canon("255  (0xff)", "FF");
    ck_assert_str_eq(why("4096 (0x1001)"), why("1 (0x2)"));
    ck_assert_ptr_nonnull(strstr(why("4096 (0x1001)"), "differ"));
    ck_assert_ptr_nonnull(strstr(why("4096 (0xzz)"), "0x"));
    ck_assert_ptr_nonnull(strstr(why("12a (0x12a)"), "only decimal digits"));
}
END_TEST

START_TEST(decimal_with_prefix)
{
    /* Cloudflare's API reports serial_number in decimal. */
    ck_canon("dec:649698018354122709790786741470479045506643347777",
             "71CD777BCA0D49F55E1FA8E18CE3E01FDF714941");
    ck_canon("DEC:255", "FF");
    ck_canon("dec:256", "0100");
    ck_canon("dec:000256", "0100");
    ck_canon("dec:0", "00");
    ck_canon("dec:4096", canon("0x1000"));
    /* 2^160 - 1 is the largest 20-octet serial. */
    ck_canon("dec:1461501637330902918203684832716283019655932542975", repeat("FF", 20));
    ck_canon(apr_pstrcat(tu_pool, "dec:", repeat("0", 30), "1", NULL), "01");
}
END_TEST

START_TEST(same_number_every_form)
{
    const char *forms[] = { "71cd777bca0d49f55e1fa8e18ce3e01fdf714941",
                            "serial=71CD777BCA0D49F55E1FA8E18CE3E01FDF714941",
                            "71:cd:77:7b:ca:0d:49:f5:5e:1f:a8:e1:8c:e3:e0:1f:df:71:49:41",
                            "0x71CD777BCA0D49F55E1FA8E18CE3E01FDF714941",
                            "0071CD777BCA0D49F55E1FA8E18CE3E01FDF714941",
                            "dec:649698018354122709790786741470479045506643347777",
                            NULL };
    cfaop_serial_t first, s;
    int i;

    ck_assert_ptr_null(cfaop_serial_parse(tu_pool, forms[0], &first));
    for (i = 1; forms[i] != NULL; i++) {
        ck_assert_ptr_null(cfaop_serial_parse(tu_pool, forms[i], &s));
        ck_assert_msg(cfaop_serial_equal(&first, &s), "form %d differs", i);
    }
}
END_TEST

START_TEST(surrounding_whitespace)
{
    ck_canon("  01AB", "01AB");
    ck_canon("01AB \t", "01AB");
    ck_canon("\t01:ab\r\n", "01AB");
    ck_canon(" dec:256 ", "0100");
    ck_assert_ptr_nonnull(strstr(why("01 AB"), "whitespace"));
    ck_assert_ptr_nonnull(strstr(why("01: AB"), "whitespace"));
    ck_assert_ptr_nonnull(strstr(why("0x01 02"), "whitespace"));
    ck_assert_ptr_nonnull(strstr(why("dec:12 3"), "whitespace"));
}
END_TEST

START_TEST(rejects_empty)
{
    ck_assert_str_eq(why(""), "it is empty");
    ck_assert_str_eq(why("   \t"), "it is empty");
    ck_assert_ptr_nonnull(strstr(why("0x"), "no digits"));
    ck_assert_ptr_nonnull(strstr(why("serial="), "no digits"));
    ck_assert_ptr_nonnull(strstr(why("dec:"), "no digits"));
}
END_TEST

START_TEST(rejects_non_hex)
{
    ck_assert_ptr_nonnull(strstr(why("01AG"), "not a hexadecimal digit"));
    ck_assert_ptr_nonnull(strstr(why("xyz"), "not a hexadecimal digit"));
    ck_assert_ptr_nonnull(strstr(why("01AB#"), "not a hexadecimal digit"));
    ck_assert_ptr_nonnull(strstr(why("01AB;"), "not a hexadecimal digit"));
    ck_assert_ptr_nonnull(strstr(why("0x01g"), "0x"));
    ck_assert_ptr_nonnull(strstr(why("serial=zz"), "serial="));
    ck_assert_ptr_nonnull(strstr(why("h'01ab'"), "not a hexadecimal digit"));
}
END_TEST

START_TEST(rejects_mixed_forms)
{
    ck_assert_ptr_nonnull(strstr(why("0x01:02"), "0x"));
    ck_assert_ptr_nonnull(strstr(why("serial=01:02"), "serial="));
    ck_assert_ptr_nonnull(strstr(why("serial=0x01"), "serial="));
    ck_assert_ptr_nonnull(strstr(why("0xserial=01"), "0x"));
    ck_assert_ptr_nonnull(strstr(why("dec:0x10"), "dec:"));
    ck_assert_ptr_nonnull(strstr(why("dec:1:2"), "dec:"));
}
END_TEST

START_TEST(rejects_bad_colon_groups)
{
    const char *bad[] = { "1:234", "123:4", "01::02", ":01", "01:", ":", "01:g2", NULL };
    int i;

    for (i = 0; bad[i] != NULL; i++)
        ck_assert_msg(strstr(why(bad[i]), "1 or 2 hexadecimal digits") != NULL,
                      "'%s': %s", bad[i], why(bad[i]));
}
END_TEST

START_TEST(rejects_bad_decimal)
{
    ck_assert_ptr_nonnull(strstr(why("dec:12a"), "decimal digits"));
    ck_assert_ptr_nonnull(strstr(why("dec:-1"), "decimal digits"));
    ck_assert_ptr_nonnull(strstr(why("dec:1.5"), "decimal digits"));
    ck_assert_ptr_nonnull(strstr(why("decimal:15"), "1 or 2"));
}
END_TEST

START_TEST(rejects_negative)
{
    ck_assert_ptr_nonnull(strstr(why("-01"), "negative"));
    ck_assert_ptr_nonnull(strstr(why(" -0x01"), "negative"));
}
END_TEST

START_TEST(rejects_over_20_octets)
{
    const char *max = repeat("FF", 20);
    const char *msg;

    ck_canon(max, max);
    ck_canon(apr_pstrcat(tu_pool, "000000", max, NULL), max);     /* zeros do not count */
    ck_canon(apr_pstrcat(tu_pool, "00:00:", repeat("ff:", 19), "ff", NULL), max);
    ck_assert_ptr_nonnull(strstr(why(apr_pstrcat(tu_pool, "1", max, NULL)), "20 octets"));
    ck_assert_ptr_nonnull(strstr(why(apr_pstrcat(tu_pool, "0x1", max, NULL)), "20 octets"));
    ck_assert_ptr_nonnull(strstr(why(apr_pstrcat(tu_pool, "01:", repeat("ff:", 19), "ff", NULL)),
                                 "20 octets"));
    ck_assert_ptr_nonnull(strstr(why("dec:1461501637330902918203684832716283019655932542976"),
                                 "20 octets"));   /* 2^160 */
    ck_assert_ptr_nonnull(strstr(why(apr_pstrcat(tu_pool, "dec:", repeat("9", 60), NULL)),
                                 "20 octets"));
    msg = cfaop_serial_parse(tu_pool, apr_pstrcat(tu_pool, "1", max, NULL), &(cfaop_serial_t){ 0 });
    ck_assert_contains(msg, "RFC 5280");
}
END_TEST

START_TEST(message_quotes_text)
{
    cfaop_serial_t s;
    const char *msg = cfaop_serial_parse(tu_pool, "0xZZ", &s);

    ck_assert_str_eq(msg, "'0xZZ' is not a serial number: only hexadecimal digits may follow 0x");
}
END_TEST

START_TEST(parse_mem_stops_at_len)
{
    cfaop_serial_t s;

    /* No NUL needed: a line of a file is parsed where it lies. */
    ck_assert_ptr_null(cfaop_serial_parse_mem("01ABzz", 4, &s));
    ck_assert_str_eq(cfaop_serial_format(tu_pool, &s), "01AB");
}
END_TEST

START_TEST(zero_is_empty_magnitude)
{
    cfaop_serial_t a, b;

    ck_assert_ptr_null(cfaop_serial_parse(tu_pool, "00", &a));
    ck_assert_int_eq(a.len, 0);
    ck_assert_ptr_null(cfaop_serial_parse(tu_pool, "dec:0", &b));
    ck_assert(cfaop_serial_equal(&a, &b));
    ck_assert_str_eq(cfaop_serial_format(tu_pool, &a), "00");
}
END_TEST

static ASN1_INTEGER *asn1_hex(const char *hex)
{
    BIGNUM *bn = NULL;
    ASN1_INTEGER *ai;

    ck_assert_int_gt(BN_hex2bn(&bn, hex), 0);
    ai = BN_to_ASN1_INTEGER(bn, NULL);
    BN_free(bn);
    ck_assert_ptr_nonnull(ai);
    return ai;
}

START_TEST(from_asn1_matches_parse)
{
    ASN1_INTEGER *ai = asn1_hex("71CD777BCA0D49F55E1FA8E18CE3E01FDF714941");
    cfaop_serial_t from_cert, parsed;

    ck_assert_int_eq(cfaop_serial_from_asn1(ai, &from_cert), 1);
    ck_assert_ptr_null(cfaop_serial_parse(tu_pool,
                                          "dec:649698018354122709790786741470479045506643347777",
                                          &parsed));
    ck_assert(cfaop_serial_equal(&from_cert, &parsed));
    ASN1_INTEGER_free(ai);
}
END_TEST

START_TEST(from_asn1_strips_zeros_and_zero)
{
    ASN1_INTEGER *ai = ASN1_INTEGER_new();
    cfaop_serial_t s;

    ck_assert_int_eq(ASN1_STRING_set(ai, "\x00\x00\x01\xab", 4), 1);
    ck_assert_int_eq(cfaop_serial_from_asn1(ai, &s), 1);
    ck_assert_str_eq(cfaop_serial_format(tu_pool, &s), "01AB");
    ck_assert_int_eq(ASN1_INTEGER_set(ai, 0), 1);
    ck_assert_int_eq(cfaop_serial_from_asn1(ai, &s), 1);
    ck_assert_int_eq(s.len, 0);
    ck_assert_int_eq(cfaop_serial_from_asn1(NULL, &s), 0);
    ASN1_INTEGER_free(ai);
}
END_TEST

START_TEST(from_asn1_negative_is_distinct)
{
    ASN1_INTEGER *neg = asn1_hex("-01AB"), *pos = asn1_hex("01AB");
    cfaop_serial_t n, p;

    ck_assert_int_eq(cfaop_serial_from_asn1(neg, &n), 1);
    ck_assert_int_eq(cfaop_serial_from_asn1(pos, &p), 1);
    ck_assert_int_eq(n.negative, 1);
    ck_assert(!cfaop_serial_equal(&n, &p));
    ck_assert_str_eq(cfaop_serial_format(tu_pool, &n), "-01AB");
    ASN1_INTEGER_free(neg);
    ASN1_INTEGER_free(pos);
}
END_TEST

START_TEST(from_asn1_over_20_octets)
{
    ASN1_INTEGER *ai = asn1_hex(apr_pstrcat(tu_pool, "01", repeat("00", 20), NULL));
    ASN1_INTEGER *max = asn1_hex(repeat("FF", 20));
    cfaop_serial_t s;

    ck_assert_int_eq(cfaop_serial_from_asn1(ai, &s), 0);
    ck_assert_int_eq(cfaop_serial_from_asn1(max, &s), 1);
    ck_assert_int_eq(s.len, 20);
    ASN1_INTEGER_free(ai);
    ASN1_INTEGER_free(max);
}
END_TEST

/* ---- the converters against slow models ----------------------------- */

static const char M_HEX[] = "it has a character that is not a hexadecimal digit";
static const char M_SPACE[] = "it has whitespace inside (one serial number is expected)";
static const char M_LONG[] = "it is longer than 20 octets, the RFC 5280 limit for a "
                             "certificate serial number";

/* A fixed sequence, so that a failure reproduces. */
static uint64_t rnd_state;

static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (unsigned)((rnd_state >> 33) % n);
}

/* The canonical hex of a run of hex digits, the slow way; NULL when it
 * does not fit 20 octets. */
static const char *hex_model(const char *digits, size_t n)
{
    char *out = apr_palloc(tu_pool, n + 3), *o = out;
    size_t i;

    while (n > 0 && *digits == '0') {
        digits++;
        n--;
    }
    if (n > 40)
        return NULL;
    if (n == 0)
        return "00";
    if (n % 2)
        *o++ = '0';
    for (i = 0; i < n; i++)
        *o++ = (char)(digits[i] >= 'a' ? digits[i] - 'a' + 'A' : digits[i]);
    *o = '\0';
    return out;
}

static const char *parse_len(const char *text, size_t len, cfaop_serial_t *s)
{
    memset(s, 0xAA, sizeof(*s));
    return cfaop_serial_parse_mem(text, len, s);
}

/* Runs of every length up to past the limit, with and without leading
 * zeros, in each hex form, then with one character spoiled, anywhere,
 * including bytes at the edges of the digit ranges and above 0x7f (the
 * converter reads eight digits at a time). */
START_TEST(hex_runs_match_model)
{
    static const char alphabet[] = "0123456789abcdefABCDEF";
    static const char spoilers[] = "/:@G`g.#\x7f\x80\xb0\xc1\xe1\xff\x01 \t";
    static const char *const prefixes[] = { "", "0x", "0X", "serial=", "SERIAL=", "Serial=" };
    static const char *const reasons[] = { M_HEX, "only hexadecimal digits may follow 0x",
                                           "only hexadecimal digits may follow 0x",
                                           "only hexadecimal digits may follow serial=",
                                           "only hexadecimal digits may follow serial=",
                                           "only hexadecimal digits may follow serial=" };
    char text[128];
    int iter;

    rnd_state = 1;
    for (iter = 0; iter < 20000; iter++) {
        unsigned form = rnd(6), zeros = rnd(3) == 0 ? rnd(12) : 0;
        size_t plen = strlen(prefixes[form]), n = zeros + 1 + rnd(46), i, k;
        const char *want, *got;
        cfaop_serial_t s;
        char bad;

        memcpy(text, prefixes[form], plen);
        for (i = 0; i < n; i++)
            text[plen + i] = i < zeros ? '0' : alphabet[rnd(sizeof(alphabet) - 1)];
        text[plen + n] = '\0';
        want = hex_model(text + plen, n);
        got = parse_len(text, plen + n, &s);
        if (want == NULL) {
            ck_assert_msg(got == M_LONG || (got && strcmp(got, M_LONG) == 0), "'%s': %s", text,
                          got ? got : "accepted");
        }
        else {
            ck_assert_msg(got == NULL, "'%s' rejected: %s", text, got);
            ck_assert_str_eq(cfaop_serial_format(tu_pool, &s), want);
            ck_assert(s.len == 0 || s.bytes[0] != 0);
        }

        /* Spoiled: the first bad character decides, before the length. */
        k = rnd((unsigned)n);
        bad = spoilers[rnd(sizeof(spoilers) - 1)];
        if (form == 0 && bad == ':')
            continue;                   /* a colon makes the colon form */
        if ((bad == ' ' || bad == '\t') && (k == n - 1 || (form == 0 && k == 0)))
            continue;                   /* whitespace at an end is trimmed */
        text[plen + k] = bad;
        got = parse_len(text, plen + n, &s);
        ck_assert_msg(got != NULL, "'%s' accepted", text);
        ck_assert_str_eq(got, bad == ' ' || bad == '\t' ? M_SPACE : reasons[form]);
    }
}
END_TEST

/* dec: against OpenSSL's decimal conversion, across the 20-octet limit. */
START_TEST(decimal_runs_match_bignum)
{
    static const char spoilers[] = "/:aA.\x80\xb9-+ ";
    char text[96];
    int iter;

    rnd_state = 2;
    for (iter = 0; iter < 5000; iter++) {
        unsigned zeros = rnd(3) == 0 ? rnd(6) : 0;
        size_t n = zeros + 1 + rnd(52), i, k;
        BIGNUM *bn = NULL;
        cfaop_serial_t s;
        const char *got;
        char bad;

        memcpy(text, "dec:", 4);
        for (i = 0; i < n; i++)
            text[4 + i] = i < zeros ? '0' : (char)('0' + rnd(10));
        text[4 + n] = '\0';
        ck_assert_int_gt(BN_dec2bn(&bn, text + 4), 0);
        got = parse_len(text, 4 + n, &s);
        if (BN_num_bytes(bn) > 20) {
            ck_assert_msg(got != NULL && strcmp(got, M_LONG) == 0, "'%s': %s", text,
                          got ? got : "accepted");
        }
        else {
            char *hex = BN_bn2hex(bn);

            ck_assert_msg(got == NULL, "'%s' rejected: %s", text, got);
            ck_assert_str_eq(cfaop_serial_format(tu_pool, &s), BN_is_zero(bn) ? "00" : hex);
            OPENSSL_free(hex);
        }
        BN_free(bn);

        k = rnd((unsigned)n);
        bad = spoilers[rnd(sizeof(spoilers) - 1)];
        if (bad == ' ' && k == n - 1)
            continue;
        text[4 + k] = bad;
        got = parse_len(text, 4 + n, &s);
        ck_assert_msg(got != NULL, "'%s' accepted", text);
        ck_assert_str_eq(got, bad == ' ' ? M_SPACE : "only decimal digits may follow dec:");
    }
    /* The largest 20-octet number, and one more. */
    ck_canon("dec:1461501637330902918203684832716283019655932542975", repeat("FF", 20));
    ck_canon("dec:0001461501637330902918203684832716283019655932542975", repeat("FF", 20));
    ck_assert_str_eq(why("dec:1461501637330902918203684832716283019655932542976"), M_LONG);
}
END_TEST

/* Only the first character selects a prefix test; what is not a prefix
 * is read as the other forms read it, in any case. */
START_TEST(prefix_edges)
{
    ck_canon("DEC:10", "0A");
    ck_canon("Dec:10", "0A");
    ck_canon("sErIaL=0a", "0A");
    ck_canon("0X0a", "0A");
    ck_canon("0x000000000000000000000000000000000000000000000000000a", "0A");
    ck_canon("dec", "0DEC");            /* hex digits, no colon: bare hex */
    ck_canon("de:c", "DE0C");
    ck_canon("0", "00");
    ck_canon("0000", "00");
    ck_canon("00:00:0a", "0A");
    ck_assert_str_eq(why("DEC:"), "no digits follow dec:");
    ck_assert_str_eq(why("0X"), "no digits follow 0x");
    ck_assert_str_eq(why("SERIAL="), "no digits follow serial=");
    ck_assert_str_eq(why("serial"), M_HEX);
    ck_assert_str_eq(why("seria=01"), M_HEX);
    ck_assert_str_eq(why("s"), M_HEX);
    ck_assert_str_eq(why("0y01"), M_HEX);
    ck_assert_str_eq(why("decl:01"), "colon-separated groups must be 1 or 2 hexadecimal "
                                     "digits each");
    /* A spoiled run that is also too long is refused for the character. */
    ck_assert_str_eq(why(apr_pstrcat(tu_pool, repeat("A", 50), "G", NULL)), M_HEX);
    ck_assert_str_eq(why(apr_pstrcat(tu_pool, "0x", repeat("A", 50), " 1", NULL)), M_SPACE);
    ck_assert_str_eq(why(apr_pstrcat(tu_pool, "dec:", repeat("9", 60), "x", NULL)),
                     "only decimal digits may follow dec:");
    /* Whitespace inside a colon form, wherever the groups go wrong first. */
    ck_assert_str_eq(why("123:4 5"), M_SPACE);
    ck_assert_str_eq(why(apr_pstrcat(tu_pool, repeat("ff:", 25), "ff \t01", NULL)), M_SPACE);
}
END_TEST

/* Bare decimal digits are read as hex; the module warns, so this says
 * which forms are ambiguous. */
START_TEST(ambiguous_bare_digits)
{
    ck_assert_int_eq(cfaop_serial_ambiguous("1234", 4), 1);
    ck_assert_int_eq(cfaop_serial_ambiguous(" 10\t", 4), 1);
    ck_assert_int_eq(cfaop_serial_ambiguous("0012", 4), 1);
    /* the same number either way */
    ck_assert_int_eq(cfaop_serial_ambiguous("7", 1), 0);
    ck_assert_int_eq(cfaop_serial_ambiguous("0009", 4), 0);
    ck_assert_int_eq(cfaop_serial_ambiguous("0", 1), 0);
    /* a prefix or a letter says which base */
    ck_assert_int_eq(cfaop_serial_ambiguous("dec:1234", 8), 0);
    ck_assert_int_eq(cfaop_serial_ambiguous("0x1234", 6), 0);
    ck_assert_int_eq(cfaop_serial_ambiguous("serial=1234", 11), 0);
    ck_assert_int_eq(cfaop_serial_ambiguous("12:34", 5), 0);
    ck_assert_int_eq(cfaop_serial_ambiguous("12AB", 4), 0);
    ck_assert_int_eq(cfaop_serial_ambiguous("4096 (0x1000)", 13), 0);
    ck_assert_int_eq(cfaop_serial_ambiguous("", 0), 0);
}
END_TEST

Suite *serial_suite(void)
{
    Suite *s = suite_create("serial");
    TCase *tc = tu_tcase("serial");

    tcase_add_test(tc, bare_hex);
    tcase_add_test(tc, openssl_serial_equals);
    tcase_add_test(tc, colon_groups);
    tcase_add_test(tc, c_prefix);
    tcase_add_test(tc, openssl_text_form);
    tcase_add_test(tc, decimal_with_prefix);
    tcase_add_test(tc, same_number_every_form);
    tcase_add_test(tc, surrounding_whitespace);
    tcase_add_test(tc, rejects_empty);
    tcase_add_test(tc, rejects_non_hex);
    tcase_add_test(tc, rejects_mixed_forms);
    tcase_add_test(tc, rejects_bad_colon_groups);
    tcase_add_test(tc, rejects_bad_decimal);
    tcase_add_test(tc, rejects_negative);
    tcase_add_test(tc, rejects_over_20_octets);
    tcase_add_test(tc, message_quotes_text);
    tcase_add_test(tc, parse_mem_stops_at_len);
    tcase_add_test(tc, zero_is_empty_magnitude);
    tcase_add_test(tc, from_asn1_matches_parse);
    tcase_add_test(tc, from_asn1_strips_zeros_and_zero);
    tcase_add_test(tc, from_asn1_negative_is_distinct);
    tcase_add_test(tc, from_asn1_over_20_octets);
    tcase_add_test(tc, hex_runs_match_model);
    tcase_add_test(tc, decimal_runs_match_bignum);
    tcase_add_test(tc, prefix_edges);
    tcase_add_test(tc, ambiguous_bare_digits);
    suite_add_tcase(s, tc);
    return s;
}
