/* SPDX-License-Identifier: Apache-2.0 */
/* serial.h: certificate serial numbers in every form an administrator may
 * paste (OpenSSL's hex forms, Cloudflare's decimal) reduced to canonical bytes. */
#ifndef CFAOP_SERIAL_H
#define CFAOP_SERIAL_H

#include <stddef.h>
#include <apr_pools.h>
#include <openssl/asn1.h>

/* RFC 5280 4.1.2.2: a conforming serial number is at most 20 octets. */
#define CFAOP_SERIAL_MAX 20

/* Canonical form: the magnitude big-endian with every leading zero byte
 * stripped, so zero has len 0, and bytes past len are zero. `negative`
 * is set only for a certificate that carries a (non-conforming) negative
 * serial: it never equals a positive one, and no configured serial is
 * negative, so such a certificate matches only a CRL entry for that same
 * negative number. */
typedef struct {
    unsigned char len;
    unsigned char negative;
    unsigned char bytes[CFAOP_SERIAL_MAX];
} cfaop_serial_t;

/* Parses one serial (surrounding whitespace ignored, letters in any case,
 * leading zeros ignored) written as:
 *   01AB...          hex digits (an odd count is fine)
 *   serial=01AB...   as `openssl x509 -serial` prints it
 *   01:ab:...        colon-separated groups of 1 or 2 hex digits, one byte each
 *   0x01ab...        hex with the C prefix
 *   4096 (0x1000)    as `openssl x509 -text` prints a small serial; both must agree
 *   dec:6496...      decimal, as Cloudflare's API reports serial_number
 * Returns NULL and fills *out, or why the text is not a serial (a static
 * string that does not repeat the text; *out is then of no use).
 * Allocates nothing. */
const char *cfaop_serial_parse_mem(const char *text, size_t len, cfaop_serial_t *out);

/* 1 when the text (surrounding whitespace ignored) is a bare run of
 * decimal digits whose value read as hex (as cfaop_serial_parse_mem reads
 * it) differs from its value read as decimal: two or more digits after
 * the leading zeros, and no prefix. Such a serial may have been meant as
 * the decimal number Cloudflare's API shows, without its dec: prefix. */
int cfaop_serial_ambiguous(const char *text, size_t len);

/* The same for a C string, with a message that quotes it. */
const char *cfaop_serial_parse(apr_pool_t *pool, const char *text, cfaop_serial_t *out);

/* Upper-case hex, two digits a byte, no colons, "-" in front of a negative
 * one; zero is "00" (as mod_ssl's SSL_CLIENT_M_SERIAL and CF_AOP_CERT_SERIAL). */
char *cfaop_serial_format(apr_pool_t *pool, const cfaop_serial_t *serial);

/* The same for a serial's magnitude as it is (a certificate's, which may
 * be longer than CFAOP_SERIAL_MAX octets): the one serial formatter. */
char *cfaop_serial_hex(apr_pool_t *pool, const unsigned char *bytes, size_t len, int negative);

/* The canonical form of a certificate's or CRL entry's ASN1_INTEGER.
 * Returns 0 when there is none or it is longer than CFAOP_SERIAL_MAX
 * octets (such a number cannot be configured or loaded, so it is in no set). */
int cfaop_serial_from_asn1(const ASN1_INTEGER *ai, cfaop_serial_t *out);

/* 1 when both are the same number. */
int cfaop_serial_equal(const cfaop_serial_t *a, const cfaop_serial_t *b);

#endif
