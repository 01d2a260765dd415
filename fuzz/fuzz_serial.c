/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_serial.c: cfaop_serial_parse_mem (every serial syntax an administrator
 * may write) against OpenSSL's own big-number parsing, the formatter's
 * round trip, the ASN1_INTEGER path and a small frozen serial set. */
#include <string.h>
#include <apr_strings.h>
#include <openssl/bn.h>

#include "common.h"
#include "serial.h"
#include "serialset.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

/* The bytes of a non-negative BIGNUM in canonical form. */
static void from_bn(const BIGNUM *bn, cfaop_serial_t *out)
{
    memset(out, 0, sizeof(*out));
    out->len = (unsigned char)BN_num_bytes(bn);
    BN_bn2bin(bn, out->bytes);
}

static int trimmed(const char *s, size_t len, const char **start, size_t *n)
{
    while (len > 0 && strchr(" \t\r\n\v\f", *s) != NULL && *s != '\0') {
        s++;
        len--;
    }
    while (len > 0 && strchr(" \t\r\n\v\f", s[len - 1]) != NULL && s[len - 1] != '\0')
        len--;
    *start = s;
    *n = len;
    return len > 0;
}

static int all_of(const char *s, size_t n, const char *set)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] == '\0' || strchr(set, s[i]) == NULL)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    const char *text = (const char *)data, *why, *t;
    cfaop_serial_t serial, again;
    size_t n, i;

    why = cfaop_serial_parse_mem(text, size, &serial);
    /* Warned as ambiguous only for bare decimal digits, which the parser
     * reads as hex: it accepts them, unless they are too many. */
    if (cfaop_serial_ambiguous(text, size)) {
        FUZZ_ASSERT(trimmed(text, size, &t, &n) && all_of(t, n, "0123456789"));
        FUZZ_ASSERT(why == NULL || n > 2 * CFAOP_SERIAL_MAX);
    }
    if (why != NULL) {
        FUZZ_ASSERT(*why != '\0');
    }
    else {
        char *hex, *dec, *colon, *p;
        BIGNUM *bn;

        /* Canonical: no leading zero byte, nothing past len, never negative. */
        FUZZ_ASSERT(serial.len <= CFAOP_SERIAL_MAX);
        FUZZ_ASSERT(serial.negative == 0);
        FUZZ_ASSERT(serial.len == 0 || serial.bytes[0] != 0);
        for (i = serial.len; i < CFAOP_SERIAL_MAX; i++)
            FUZZ_ASSERT(serial.bytes[i] == 0);

        /* What the module prints parses back to the same number, in
         * every form: hex, 0x, serial=, colons, dec:. */
        hex = cfaop_serial_format(pool, &serial);
        FUZZ_ASSERT(cfaop_serial_parse(pool, hex, &again) == NULL
                    && cfaop_serial_equal(&serial, &again));
        FUZZ_ASSERT(cfaop_serial_parse(pool, apr_pstrcat(pool, "0x", hex, NULL), &again) == NULL
                    && cfaop_serial_equal(&serial, &again));
        FUZZ_ASSERT(cfaop_serial_parse(pool, apr_pstrcat(pool, " serial=", hex, "\t", NULL),
                                       &again) == NULL
                    && cfaop_serial_equal(&serial, &again));
        colon = p = apr_palloc(pool, strlen(hex) / 2 * 3 + 1);
        for (i = 0; hex[i] != '\0'; i += 2) {
            if (i > 0)
                *p++ = ':';
            *p++ = hex[i];
            *p++ = hex[i + 1];
        }
        *p = '\0';
        FUZZ_ASSERT(cfaop_serial_parse(pool, colon, &again) == NULL
                    && cfaop_serial_equal(&serial, &again));
        bn = BN_bin2bn(serial.bytes, serial.len, NULL);
        FUZZ_ASSERT(bn != NULL && (dec = BN_bn2dec(bn)) != NULL);
        FUZZ_ASSERT(cfaop_serial_parse(pool, apr_pstrcat(pool, "dec:", dec, NULL), &again) == NULL
                    && cfaop_serial_equal(&serial, &again));
        OPENSSL_free(dec);
        BN_free(bn);

        /* A one-element frozen set finds it, and nothing else. */
        {
            cfaop_serialset_t *set = cfaop_serialset_create(pool);
            cfaop_serial_t other = serial;

            FUZZ_ASSERT(cfaop_serialset_add(set, &serial) == NULL);
            FUZZ_ASSERT(cfaop_serialset_add(set, &serial) == NULL);
            FUZZ_ASSERT(cfaop_serialset_contains(set, &serial));
            FUZZ_ASSERT(cfaop_serialset_freeze(set) == NULL);
            FUZZ_ASSERT(cfaop_serialset_count(set) == 1);
            FUZZ_ASSERT(cfaop_serialset_contains(set, &serial));
            other.negative = 1;
            FUZZ_ASSERT(serial.len == 0 || !cfaop_serialset_contains(set, &other));
        }
    }

    /* Differential: plain hex and dec: against OpenSSL's BN parsers. */
    if (trimmed(text, size, &t, &n)) {
        const char *digits = NULL, *set = NULL;
        size_t skip = 0;

        if (n > 4 && strncmp(t, "dec:", 4) == 0) {
            skip = 4;
            set = "0123456789";
        }
        else if (n > 2 && (t[0] == '0' && (t[1] == 'x' || t[1] == 'X'))) {
            skip = 2;
            set = "0123456789abcdefABCDEF";
        }
        else if (t[0] != '0' || n == 1 || (t[1] != 'x' && t[1] != 'X')) {
            set = "0123456789abcdefABCDEF";
        }
        if (set != NULL && all_of(t + skip, n - skip, set)) {
            BIGNUM *bn = NULL;
            char *copy = apr_pstrmemdup(pool, t + skip, n - skip);
            int ok;

            digits = copy;
            ok = skip == 4 ? BN_dec2bn(&bn, digits) : BN_hex2bn(&bn, digits);
            FUZZ_ASSERT(ok > 0 && bn != NULL);
            if (BN_num_bytes(bn) <= CFAOP_SERIAL_MAX) {
                cfaop_serial_t ref;

                from_bn(bn, &ref);
                FUZZ_ASSERT(why == NULL && cfaop_serial_equal(&serial, &ref));
            }
            else {
                FUZZ_ASSERT(why != NULL);
            }
            BN_free(bn);
        }
    }

    /* The C-string entry point agrees with the memory one. */
    if (memchr(data, '\0', size) == NULL) {
        const char *why2 = cfaop_serial_parse(pool, fuzz_cstr(pool, data, size), &again);

        FUZZ_ASSERT((why == NULL) == (why2 == NULL));
        FUZZ_ASSERT(why != NULL || cfaop_serial_equal(&serial, &again));
    }

    /* The input's bytes as a certificate serial (ASN1_INTEGER), either sign. */
    if (size > 0) {
        ASN1_INTEGER *ai = ASN1_INTEGER_new();
        cfaop_serial_t from;
        BIGNUM *bn = BN_bin2bn(data + 1, (int)(size - 1 > 64 ? 64 : size - 1), NULL);

        FUZZ_ASSERT(ai != NULL && bn != NULL);
        BN_set_negative(bn, data[0] & 1);
        FUZZ_ASSERT(BN_to_ASN1_INTEGER(bn, ai) != NULL);
        if (cfaop_serial_from_asn1(ai, &from)) {
            char *printed = cfaop_serial_format(pool, &from);

            FUZZ_ASSERT(from.len <= CFAOP_SERIAL_MAX);
            FUZZ_ASSERT(from.len == (unsigned)BN_num_bytes(bn));
            FUZZ_ASSERT(from.negative == (BN_is_negative(bn) && !BN_is_zero(bn)));
            /* A positive certificate serial equals its configured form. */
            if (!from.negative)
                FUZZ_ASSERT(cfaop_serial_parse(pool, printed, &again) == NULL
                            && cfaop_serial_equal(&from, &again));
            else
                FUZZ_ASSERT(printed[0] == '-');
        }
        else {
            FUZZ_ASSERT(BN_num_bytes(bn) > CFAOP_SERIAL_MAX);
        }
        ASN1_INTEGER_free(ai);
        BN_free(bn);
    }
    fuzz_pool_done(pool);
    return 0;
}
