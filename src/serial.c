/* SPDX-License-Identifier: Apache-2.0 */
/* serial.c: serial number syntax (hex forms, dec:, OpenSSL's text form)
 * and the canonical bytes every lookup compares. */
#include "serial.h"
#include "ascii.h"
#include "codec.h"

#include <stdint.h>
#include <string.h>
#include <apr_strings.h>

static const char E_EMPTY[] = "it is empty";
static const char E_HEX[] = "it has a character that is not a hexadecimal digit";
static const char E_SPACE[] = "it has whitespace inside (one serial number is expected)";
static const char E_NEGATIVE[] = "a certificate serial number is never negative";
static const char E_TOO_LONG[] = "it is longer than 20 octets, the RFC 5280 limit "
                                 "for a certificate serial number";
static const char E_COLON[] = "colon-separated groups must be 1 or 2 hexadecimal "
                              "digits each";
static const char E_TEXT_DEC[] = "only decimal digits may come before \"(0x\"";
static const char E_TEXT_FORM[] = "the decimal number and the hexadecimal number in "
                                  "parentheses differ";

/* After each prefix: a character that may not follow it, and nothing at all. */
typedef struct {
    const char *bad, *empty;
} prefix_errors_t;
static const prefix_errors_t P_0X = { "only hexadecimal digits may follow 0x", "no digits follow 0x" };
static const prefix_errors_t P_SERIAL_EQ = { "only hexadecimal digits may follow serial=",
                                             "no digits follow serial=" };
static const prefix_errors_t P_DEC = { "only decimal digits may follow dec:", "no digits follow dec:" };

/* A table, not comparisons: a million-line deny file has 40 million
 * digits of random letters and numbers, where branches mispredict. A hex
 * digit maps to 0x10 | its value and anything else to 0, so that one AND
 * of two entries tells whether both are digits. */
#define H(c, v) [c] = 0x10 | (v)
static const unsigned char hex_table[256] = {
    H('0', 0), H('1', 1), H('2', 2), H('3', 3), H('4', 4), H('5', 5), H('6', 6),
    H('7', 7), H('8', 8), H('9', 9), H('a', 10), H('b', 11), H('c', 12), H('d', 13),
    H('e', 14), H('f', 15), H('A', 10), H('B', 11), H('C', 12), H('D', 13), H('E', 14),
    H('F', 15),
};
#undef H

/* ASCII only: strncasecmp follows the locale, and httpd may run under one
 * where 'I' does not fold to 'i'. The prefixes are lower case. */
static int has_prefix(const char *p, size_t len, const char *prefix)
{
    size_t i;

    for (i = 0; prefix[i] != '\0'; i++) {
        char ch = i < len ? p[i] : '\0';
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch != prefix[i])
            return 0;
    }
    return 1;
}

static int has_space(const char *p, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (cfaop_ascii_isspace((unsigned char)p[i]))
            return 1;
    return 0;
}

/* Strips leading zero bytes of a big-endian buffer into out. */
static void set_canonical(cfaop_serial_t *out, const unsigned char *be, size_t len)
{
    while (len > 0 && *be == 0) {
        be++;
        len--;
    }
    memset(out, 0, sizeof(*out));
    out->len = (unsigned char)len;
    memcpy(out->bytes, be, len);
}

/* The reason a run with a character outside accept is refused: the first
 * such character decides, whitespace has its own message. */
static const char *why_not(const char *p, size_t len, int (*accept)(char), const char *bad)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (!accept(p[i]))
            return cfaop_ascii_isspace((unsigned char)p[i]) ? E_SPACE : bad;
    return NULL;
}

static int is_hex(char ch)
{
    return hex_table[(unsigned char)ch] != 0;
}

static int is_decimal(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Plain hex digits. Returns NULL, or bad / E_TOO_LONG / E_SPACE, a bad
 * character taking precedence over the length.
 * One forward pass: once the leading zeros are skipped the digit count
 * fixes where each octet goes, and the first digit is not zero, so the
 * octets are canonical as they are written. */
static const char *parse_hex_run(const char *p, size_t len, const char *bad,
                                 cfaop_serial_t *out)
{
    const unsigned char *u;
    unsigned char *b;
    size_t i = 0;

    while (len > 0 && *p == '0') {
        p++;
        len--;
    }
    if (len > 2 * CFAOP_SERIAL_MAX) {
        const char *why = why_not(p, len, is_hex, bad);
        return why != NULL ? why : E_TOO_LONG;
    }
    /* Written in place: a copy of a struct just filled by narrow stores
     * stalls on store forwarding, which cost as much as the conversion. */
    memset(out, 0, sizeof(*out));
    out->len = (unsigned char)((len + 1) / 2);
    u = (const unsigned char *)p;
    b = out->bytes;
    if (len % 2) {
        unsigned t = hex_table[u[0]];
        if (t == 0)
            return why_not(p, len, is_hex, bad);
        *b++ = (unsigned char)(t & 0x0f);
        i = 1;
    }
    for (; i < len; i += 2) {
        unsigned hi = hex_table[u[i]], lo = hex_table[u[i + 1]];
        if ((hi & lo) == 0)
            return why_not(p, len, is_hex, bad);
        *b++ = (unsigned char)((hi << 4) | (lo & 0x0f));
    }
    return NULL;
}

/* "01:ab:c" with groups of 1 or 2 digits, one byte each. */
static const char *parse_colon(const char *p, size_t len, cfaop_serial_t *out)
{
    unsigned char buf[CFAOP_SERIAL_MAX];
    size_t i = 0, n = 0;
    int started = 0;

    while (1) {
        size_t start = i;
        int v = 0;

        while (i < len && p[i] != ':') {
            int d = cfaop_hex_value((unsigned char)p[i]);
            if (d < 0)
                return cfaop_ascii_isspace((unsigned char)p[i]) ? E_SPACE : E_COLON;
            if (i - start == 2)
                return E_COLON;
            v = v * 16 + d;
            i++;
        }
        if (i == start)
            return E_COLON;
        if (v != 0 || started) {
            if (n == CFAOP_SERIAL_MAX)
                return E_TOO_LONG;
            buf[n++] = (unsigned char)v;
            started = 1;
        }
        if (i == len)
            break;
        i++;                    /* the colon; a trailing one gives an empty group */
    }
    set_canonical(out, buf, n);
    return NULL;
}

/* Decimal digits into at most CFAOP_SERIAL_MAX octets, validated while
 * converting; a bad character takes precedence over the length. */
static const char *parse_decimal(const char *p, size_t len, const char *bad,
                                 cfaop_serial_t *out)
{
    /* Six 32-bit limbs, least significant first: 192 bits hold any 49
     * digits (< 2^163), so an overflow of 160 bits shows in limb 5. */
    uint32_t limb[6] = { 0 };
    unsigned char buf[CFAOP_SERIAL_MAX];
    size_t i;
    int j, used = 0;

    while (len > 0 && *p == '0') {
        p++;
        len--;
    }
    /* 2^160 has 49 decimal digits; anything longer cannot fit. */
    if (len > 49) {
        const char *why = why_not(p, len, is_decimal, bad);
        return why != NULL ? why : E_TOO_LONG;
    }
    /* Nine digits at a time: limb = limb * 10^k + chunk, over the limbs
     * in use so far only. */
    for (i = 0; i < len;) {
        uint32_t chunk = 0, scale = 1;
        uint64_t carry;

        for (j = 0; j < 9 && i < len; j++, i++) {
            uint32_t d = (uint32_t)(unsigned char)p[i] - '0';
            if (d > 9)
                return why_not(p, len, is_decimal, bad);
            chunk = chunk * 10 + d;
            scale *= 10;
        }
        carry = chunk;
        for (j = 0; j < used; j++) {
            uint64_t v = (uint64_t)limb[j] * scale + carry;
            limb[j] = (uint32_t)v;
            carry = v >> 32;
        }
        if (carry != 0)
            limb[used++] = (uint32_t)carry;
    }
    if (limb[5] != 0)
        return E_TOO_LONG;
    for (j = 0; j < 5; j++) {
        uint32_t v = limb[4 - j];
        buf[4 * j] = (unsigned char)(v >> 24);
        buf[4 * j + 1] = (unsigned char)(v >> 16);
        buf[4 * j + 2] = (unsigned char)(v >> 8);
        buf[4 * j + 3] = (unsigned char)v;
    }
    set_canonical(out, buf, CFAOP_SERIAL_MAX);
    return NULL;
}

/* "4096 (0x1000)": what X509_print prints for a serial that fits a long. */
static int is_text_form(const char *p, size_t len)
{
    const char *open = memchr(p, '(', len);
    return open != NULL && p[len - 1] == ')' && open > p && cfaop_ascii_isspace((unsigned char)open[-1]);
}

static const char *parse_text_form(const char *p, size_t len, cfaop_serial_t *out)
{
    const char *open = memchr(p, '(', len);
    const char *dec_end = open, *hex = open + 1;
    size_t hex_len = (size_t)(p + len - 1 - hex);
    cfaop_serial_t dec_value, hex_value_;
    const char *err;

    while (dec_end > p && cfaop_ascii_isspace((unsigned char)dec_end[-1]))
        dec_end--;
    if (dec_end == p || !has_prefix(hex, hex_len, "0x"))
        return E_HEX;
    if ((err = parse_decimal(p, (size_t)(dec_end - p), E_TEXT_DEC, &dec_value)) != NULL)
        return err;
    if (hex_len == 2)
        return P_0X.empty;
    if ((err = parse_hex_run(hex + 2, hex_len - 2, P_0X.bad, &hex_value_)) != NULL)
        return err;
    if (!cfaop_serial_equal(&dec_value, &hex_value_))
        return E_TEXT_FORM;
    *out = dec_value;
    return NULL;
}

const char *cfaop_serial_parse_mem(const char *text, size_t len, cfaop_serial_t *out)
{
    const char *p = text, *err;

    cfaop_ascii_trim(&p, &len);
    if (len == 0)
        return E_EMPTY;
    if (*p == '-')
        return E_NEGATIVE;
    /* A prefix is looked for only when the first character can start one:
     * most lines are bare hex and skip all three comparisons. */
    switch (*p) {
    case 'd':
    case 'D':
        if (has_prefix(p, len, "dec:"))
            return len == 4 ? P_DEC.empty : parse_decimal(p + 4, len - 4, P_DEC.bad, out);
        break;
    case 's':
    case 'S':
        if (has_prefix(p, len, "serial="))
            return len == 7 ? P_SERIAL_EQ.empty
                            : parse_hex_run(p + 7, len - 7, P_SERIAL_EQ.bad, out);
        break;
    case '0':
        if (has_prefix(p, len, "0x"))
            return len == 2 ? P_0X.empty : parse_hex_run(p + 2, len - 2, P_0X.bad, out);
        break;
    default:
        break;
    }
    if (p[len - 1] == ')' && is_text_form(p, len))
        return parse_text_form(p, len, out);
    /* Bare hex first: text of hex digits only has no colon, so it is what
     * the colon test would have let through. Anything else, including a
     * run too long with digits only, gets the answer it always got. */
    if ((err = parse_hex_run(p, len, E_HEX, out)) == NULL || err == E_TOO_LONG)
        return err;
    /* A colon form that parses has no whitespace in it, so whitespace is
     * looked for only to name the reason one does not. */
    if (memchr(p, ':', len) != NULL && (err = parse_colon(p, len, out)) != NULL && has_space(p, len))
        return E_SPACE;
    return err;
}

const char *cfaop_serial_parse(apr_pool_t *pool, const char *text, cfaop_serial_t *out)
{
    const char *why = cfaop_serial_parse_mem(text, strlen(text), out);

    if (why == NULL)
        return NULL;
    return apr_psprintf(pool, "'%s' is not a serial number: %s", text, why);
}

char *cfaop_serial_hex(apr_pool_t *pool, const unsigned char *bytes, size_t len, int negative)
{
    if (len == 0)
        return apr_pstrdup(pool, "00");
    return cfaop_hex_encode(pool, negative ? "-" : "", bytes, len, 1);
}

char *cfaop_serial_format(apr_pool_t *pool, const cfaop_serial_t *serial)
{
    return cfaop_serial_hex(pool, serial->bytes,
                            serial->len < CFAOP_SERIAL_MAX ? serial->len : CFAOP_SERIAL_MAX,
                            serial->negative);
}

int cfaop_serial_from_asn1(const ASN1_INTEGER *ai, cfaop_serial_t *out)
{
    const unsigned char *data;
    int len;

    if (ai == NULL)
        return 0;
    data = ASN1_STRING_get0_data(ai);
    len = ASN1_STRING_length(ai);
    if (len < 0 || (len > 0 && data == NULL))
        return 0;
    /* ASN1_INTEGER keeps the magnitude; the sign is in the type. */
    while (len > 0 && *data == 0) {
        data++;
        len--;
    }
    if (len > CFAOP_SERIAL_MAX)
        return 0;
    set_canonical(out, data, (size_t)len);
    out->negative = len > 0 && ASN1_STRING_type(ai) == V_ASN1_NEG_INTEGER;
    return 1;
}

int cfaop_serial_equal(const cfaop_serial_t *a, const cfaop_serial_t *b)
{
    return a->len == b->len && a->negative == b->negative
           && memcmp(a->bytes, b->bytes, a->len) == 0;
}

int cfaop_serial_ambiguous(const char *text, size_t len)
{
    size_t i, significant = 0;

    cfaop_ascii_trim(&text, &len);
    for (i = 0; i < len; i++) {
        if (!is_decimal(text[i]))
            return 0;
        if (significant > 0 || text[i] != '0')
            significant++;
    }
    return significant >= 2;
}
