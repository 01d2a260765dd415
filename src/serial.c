/* serial.c: serial number syntax (hex forms, dec:, OpenSSL's text form)
 * and the canonical bytes every lookup compares. */
#include "serial.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

static const char E_EMPTY[] = "it is empty";
static const char E_HEX[] = "it has a character that is not a hexadecimal digit";
static const char E_SPACE[] = "it has whitespace inside (one serial number is expected)";
static const char E_NEGATIVE[] = "a certificate serial number is never negative";
static const char E_TOO_LONG[] = "it is longer than 20 octets, the RFC 5280 limit "
                                 "for a certificate serial number";
static const char E_0X[] = "only hexadecimal digits may follow 0x";
static const char E_0X_EMPTY[] = "no digits follow 0x";
static const char E_SERIAL_EQ[] = "only hexadecimal digits may follow serial=";
static const char E_SERIAL_EQ_EMPTY[] = "no digits follow serial=";
static const char E_COLON[] = "colon-separated groups must be 1 or 2 hexadecimal "
                              "digits each";
static const char E_DEC[] = "only decimal digits may follow dec:";
static const char E_DEC_EMPTY[] = "no digits follow dec:";
static const char E_TEXT_DEC[] = "only decimal digits may come before \"(0x\"";
static const char E_TEXT_FORM[] = "the decimal number and the hexadecimal number in "
                                  "parentheses differ";

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

/* A table, not comparisons: a million-line deny file has 40 million
 * digits of random letters and numbers, where branches mispredict. */
#define H(c, v) [c] = (v) + 1
static const unsigned char hex_table[256] = {
    H('0', 0), H('1', 1), H('2', 2), H('3', 3), H('4', 4), H('5', 5), H('6', 6),
    H('7', 7), H('8', 8), H('9', 9), H('a', 10), H('b', 11), H('c', 12), H('d', 13),
    H('e', 14), H('f', 15), H('A', 10), H('B', 11), H('C', 12), H('D', 13), H('E', 14),
    H('F', 15),
};
#undef H

static int hex_value(char ch)
{
    return (int)hex_table[(unsigned char)ch] - 1;
}

static int has_prefix(const char *p, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && strncasecmp(p, prefix, n) == 0;
}

static int has_space(const char *p, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (is_space(p[i]))
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

/* Plain hex digits. Returns NULL, or bad / E_TOO_LONG / E_SPACE. */
static const char *parse_hex_run(const char *p, size_t len, const char *bad,
                                 cfaop_serial_t *out)
{
    unsigned char buf[CFAOP_SERIAL_MAX];
    size_t i, digits;

    for (i = 0; i < len; i++) {
        if (hex_value(p[i]) < 0)
            return is_space(p[i]) ? E_SPACE : bad;
    }
    while (len > 0 && *p == '0') {
        p++;
        len--;
    }
    if (len > 2 * CFAOP_SERIAL_MAX)
        return E_TOO_LONG;
    digits = len;
    memset(buf, 0, sizeof(buf));
    /* Fill from the least significant digit. */
    for (i = 0; i < digits; i++) {
        int v = hex_value(p[digits - 1 - i]);
        unsigned char *b = &buf[CFAOP_SERIAL_MAX - 1 - i / 2];
        *b |= (unsigned char)(i % 2 ? v << 4 : v);
    }
    set_canonical(out, buf, sizeof(buf));
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
            int d = hex_value(p[i]);
            if (d < 0)
                return is_space(p[i]) ? E_SPACE : E_COLON;
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

/* Decimal digits into at most CFAOP_SERIAL_MAX octets. */
static const char *parse_decimal(const char *p, size_t len, const char *bad,
                                 cfaop_serial_t *out)
{
    /* Six 32-bit limbs, least significant first: 192 bits hold any 49
     * digits (< 2^163), so an overflow of 160 bits shows in limb 5. */
    uint32_t limb[6] = { 0 };
    unsigned char buf[CFAOP_SERIAL_MAX];
    size_t i;
    int j;

    for (i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return is_space(p[i]) ? E_SPACE : bad;
    }
    while (len > 0 && *p == '0') {
        p++;
        len--;
    }
    /* 2^160 has 49 decimal digits; anything longer cannot fit. */
    if (len > 49)
        return E_TOO_LONG;
    /* Nine digits at a time: limb = limb * 10^k + chunk. */
    for (i = 0; i < len;) {
        uint32_t chunk = 0, scale = 1;
        uint64_t carry;

        for (j = 0; j < 9 && i < len; j++, i++) {
            chunk = chunk * 10 + (uint32_t)(p[i] - '0');
            scale *= 10;
        }
        carry = chunk;
        for (j = 0; j < 6; j++) {
            uint64_t v = (uint64_t)limb[j] * scale + carry;
            limb[j] = (uint32_t)v;
            carry = v >> 32;
        }
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
    return open != NULL && p[len - 1] == ')' && open > p && is_space(open[-1]);
}

static const char *parse_text_form(const char *p, size_t len, cfaop_serial_t *out)
{
    const char *open = memchr(p, '(', len);
    const char *dec_end = open, *hex = open + 1;
    size_t hex_len = (size_t)(p + len - 1 - hex);
    cfaop_serial_t dec_value, hex_value_;
    const char *err;

    while (dec_end > p && is_space(dec_end[-1]))
        dec_end--;
    if (dec_end == p || !has_prefix(hex, hex_len, "0x"))
        return E_HEX;
    if ((err = parse_decimal(p, (size_t)(dec_end - p), E_TEXT_DEC, &dec_value)) != NULL)
        return err;
    if (hex_len == 2)
        return E_0X_EMPTY;
    if ((err = parse_hex_run(hex + 2, hex_len - 2, E_0X, &hex_value_)) != NULL)
        return err;
    if (!cfaop_serial_equal(&dec_value, &hex_value_))
        return E_TEXT_FORM;
    *out = dec_value;
    return NULL;
}

const char *cfaop_serial_parse_mem(const char *text, size_t len, cfaop_serial_t *out)
{
    const char *p = text;

    while (len > 0 && is_space(*p)) {
        p++;
        len--;
    }
    while (len > 0 && is_space(p[len - 1]))
        len--;
    if (len == 0)
        return E_EMPTY;
    if (*p == '-')
        return E_NEGATIVE;
    if (has_prefix(p, len, "dec:"))
        return len == 4 ? E_DEC_EMPTY : parse_decimal(p + 4, len - 4, E_DEC, out);
    if (has_prefix(p, len, "serial="))
        return len == 7 ? E_SERIAL_EQ_EMPTY : parse_hex_run(p + 7, len - 7, E_SERIAL_EQ, out);
    if (has_prefix(p, len, "0x"))
        return len == 2 ? E_0X_EMPTY : parse_hex_run(p + 2, len - 2, E_0X, out);
    if (is_text_form(p, len))
        return parse_text_form(p, len, out);
    if (memchr(p, ':', len) != NULL)
        return has_space(p, len) ? E_SPACE : parse_colon(p, len, out);
    return parse_hex_run(p, len, E_HEX, out);
}

const char *cfaop_serial_parse(apr_pool_t *pool, const char *text, cfaop_serial_t *out)
{
    const char *why = cfaop_serial_parse_mem(text, strlen(text), out);

    if (why == NULL)
        return NULL;
    return apr_psprintf(pool, "'%s' is not a serial number: %s", text, why);
}

char *cfaop_serial_format(apr_pool_t *pool, const cfaop_serial_t *serial)
{
    static const char digits[] = "0123456789ABCDEF";
    char *out, *p;
    unsigned i;

    if (serial->len == 0)
        return apr_pstrdup(pool, "00");
    p = out = apr_palloc(pool, (apr_size_t)serial->len * 2 + 2);
    if (serial->negative)
        *p++ = '-';
    for (i = 0; i < serial->len && i < CFAOP_SERIAL_MAX; i++) {
        *p++ = digits[serial->bytes[i] >> 4];
        *p++ = digits[serial->bytes[i] & 0x0f];
    }
    *p = '\0';
    return out;
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
