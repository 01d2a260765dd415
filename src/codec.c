/* SPDX-License-Identifier: Apache-2.0 */
/* codec.c: hex encoding and strict base64 decoding; everything that turns
 * bytes into text or base64 into bytes goes through here. */
#include "codec.h"

#include <string.h>
#include <apr_strings.h>

char *cfaop_hex_encode(apr_pool_t *pool, const char *prefix, const unsigned char *bytes,
                       size_t len, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t plen = strlen(prefix), i;
    char *out = apr_palloc(pool, plen + len * 2 + 1), *p = out + plen;

    memcpy(out, prefix, plen);
    for (i = 0; i < len; i++) {
        *p++ = digits[bytes[i] >> 4];
        *p++ = digits[bytes[i] & 0x0f];
    }
    *p = '\0';
    return out;
}

int cfaop_base64_value(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

const char *cfaop_base64_decode(apr_pool_t *pool, const char *in, size_t len,
                                unsigned char **out, size_t *outlen)
{
    size_t pad = 0, data, i, o = 0;
    unsigned char *buf;
    unsigned long acc = 0;
    int bits = 0;

    while (pad < len && pad < 3 && in[len - 1 - pad] == '=')
        pad++;
    data = len - pad;
    if (data == 0)
        return "empty";
    /* RFC 8941 asks recipients to accept a missing '=' padding; padding
     * that is there must be complete, and a lone trailing character is
     * never valid base64. */
    if (data % 4 == 1 || (pad > 0 && (data + pad) % 4 != 0))
        return "bad base64 padding";
    buf = apr_palloc(pool, data / 4 * 3 + 3);
    for (i = 0; i < data; i++) {
        int v = cfaop_base64_value((unsigned char)in[i]);
        if (v < 0)
            return in[i] == '='
                   ? "bad base64 padding"
                   : apr_psprintf(pool, "bad base64 character at offset %lu", (unsigned long)i);
        acc = (acc << 6) | (unsigned long)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (unsigned char)(acc >> bits);
            acc &= (1UL << bits) - 1;
        }
    }
    /* Leftover bits must be zero: one certificate, one encoding. */
    if (acc != 0)
        return "bad base64 (non-zero padding bits)";
    *out = buf;
    *outlen = o;
    return NULL;
}
