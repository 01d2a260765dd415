/* SPDX-License-Identifier: Apache-2.0 */
/* codec.h: the one hex encoder, hex digit value and base64 decoder that
 * serials, pins, fingerprints and RFC 9440 fields all use. */
#ifndef CFAOP_CODEC_H
#define CFAOP_CODEC_H

#include <stddef.h>
#include <apr_pools.h>

/* The value of one hex digit (either case), or -1. */
static inline int cfaop_hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;                  /* an ASCII letter in lower case */
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Two hex digits a byte (upper or lower case), no separators; after
 * prefix ("" for none). */
char *cfaop_hex_encode(apr_pool_t *pool, const char *prefix, const unsigned char *bytes,
                       size_t len, int upper);

/* The value of one character of the standard base64 alphabet, or -1. */
int cfaop_base64_value(int c);

/* Strict base64 (RFC 4648 alphabet, '=' padding complete or absent, pad
 * bits zero) of [in, in+len) into a fresh pool buffer. NULL, or why not. */
const char *cfaop_base64_decode(apr_pool_t *pool, const char *in, size_t len,
                                unsigned char **out, size_t *outlen);

#endif
