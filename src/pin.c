/* SPDX-License-Identifier: Apache-2.0 */
/* pin.c: pin syntax (hex and base64), pin sets and the leaf check. */
#include "pin.h"
#include "certinfo.h"
#include "codec.h"

#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

struct cfaop_pinset {
    apr_pool_t *pool;
    apr_array_header_t *sha256;         /* unsigned char[CFAOP_PIN_LEN] each */
    apr_array_header_t *spki;
};

const char *cfaop_pin_parse_sha256(apr_pool_t *pool, const char *text,
                                   unsigned char out[CFAOP_PIN_LEN])
{
    unsigned char buf[CFAOP_PIN_LEN];
    size_t digits = 0, i, len = strlen(text);

    for (i = 0; i < len; i++) {
        int v = cfaop_hex_value((unsigned char)text[i]);
        if (text[i] == ':') {
            /* Only between two whole bytes. */
            if (digits == 0 || digits % 2 != 0 || i + 1 == len || text[i + 1] == ':')
                return apr_psprintf(pool, "'%s' is not a SHA-256 fingerprint: a colon "
                                    "may only separate two bytes (pairs of hex digits)", text);
            continue;
        }
        if (v < 0)
            return apr_psprintf(pool, "'%s' is not a SHA-256 fingerprint: it has a "
                                "character that is neither a hex digit nor a colon", text);
        if (digits < 2 * CFAOP_PIN_LEN) {
            if (digits % 2 == 0)
                buf[digits / 2] = (unsigned char)(v << 4);
            else
                buf[digits / 2] |= (unsigned char)v;
        }
        digits++;
    }
    if (digits != 2 * CFAOP_PIN_LEN)
        return apr_psprintf(pool, "'%s' is not a SHA-256 fingerprint: it has %" APR_SIZE_T_FMT
                            " hex digits where 64 are needed%s", text, digits,
                            digits == 40 ? " (40 is a SHA-1 fingerprint; get the SHA-256 one "
                                           "with openssl x509 -noout -fingerprint -sha256)" : "");
    memcpy(out, buf, CFAOP_PIN_LEN);
    return NULL;
}

const char *cfaop_pin_parse_spki(apr_pool_t *pool, const char *text,
                                 unsigned char out[CFAOP_PIN_LEN])
{
    size_t len = strlen(text), pad = 0, i, n = 0, hex = 0;
    unsigned char *bytes;
    const char *err;

    for (i = 0; i < len; i++)
        if (cfaop_hex_value((unsigned char)text[i]) >= 0)
            hex++;
    if (len == 2 * CFAOP_PIN_LEN && hex == len)
        return apr_psprintf(pool, "'%s' is hex, not base64: a hex SHA-256 fingerprint "
                            "of the certificate is a CFAOPPinSHA256 value", text);
    if (len == 0)
        return "an SPKI pin is empty";
    /* The first character outside the alphabet names the mistake; the
     * decoder (which accepts a missing '=', as RFC 8941 asks) only
     * converts what passed. */
    while (pad < len && pad < 2 && text[len - 1 - pad] == '=')
        pad++;
    for (i = 0; i < len - pad; i++) {
        if (cfaop_base64_value((unsigned char)text[i]) >= 0)
            continue;
        if (text[i] == '-' || text[i] == '_')
            return apr_psprintf(pool, "'%s' is not standard base64: '-' and '_' are the "
                                "URL-safe alphabet; use '+' and '/'", text);
        return apr_psprintf(pool, "'%s' is not base64: it has a character outside "
                            "A-Z a-z 0-9 + / (and '=' at the end)", text);
    }
    if (len % 4 != 0)
        return apr_psprintf(pool, "'%s' is not base64: its length is not a multiple of 4 "
                            "(is the '=' padding missing?)", text);
    if ((err = cfaop_base64_decode(pool, text, len, &bytes, &n)) != NULL)
        return apr_psprintf(pool, "'%s' is not base64: %s", text, err);
    if (n != CFAOP_PIN_LEN)
        return apr_psprintf(pool, "'%s' decodes to %" APR_SIZE_T_FMT " bytes; an SPKI pin is "
                            "the 32-byte SHA-256 (44 base64 characters)", text, n);
    memcpy(out, bytes, CFAOP_PIN_LEN);
    return NULL;
}

int cfaop_spki_sha256(X509 *cert, unsigned char out[CFAOP_PIN_LEN])
{
    unsigned char *der = NULL;
    unsigned int mdlen = 0;
    int len, ok;

    if (cert == NULL || (len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der)) <= 0)
        return 0;
    ok = EVP_Digest(der, (size_t)len, out, &mdlen, EVP_sha256(), NULL) == 1
         && mdlen == CFAOP_PIN_LEN;
    OPENSSL_free(der);
    return ok;
}

cfaop_pinset_t *cfaop_pinset_create(apr_pool_t *pool)
{
    cfaop_pinset_t *set = apr_pcalloc(pool, sizeof(*set));

    set->pool = pool;
    set->sha256 = apr_array_make(pool, 2, CFAOP_PIN_LEN);
    set->spki = apr_array_make(pool, 2, CFAOP_PIN_LEN);
    return set;
}

static int pins_have(const apr_array_header_t *pins, const unsigned char pin[CFAOP_PIN_LEN])
{
    int i;

    for (i = 0; i < pins->nelts; i++)
        if (memcmp(pins->elts + (size_t)i * CFAOP_PIN_LEN, pin, CFAOP_PIN_LEN) == 0)
            return 1;
    return 0;
}

static void pins_add(apr_array_header_t *pins, const unsigned char pin[CFAOP_PIN_LEN])
{
    if (!pins_have(pins, pin))
        memcpy(apr_array_push(pins), pin, CFAOP_PIN_LEN);
}

typedef const char *pin_parser_t(apr_pool_t *pool, const char *text,
                                  unsigned char out[CFAOP_PIN_LEN]);

static const char *parse_and_add(cfaop_pinset_t *set, apr_array_header_t *pins,
                                 pin_parser_t *parse, const char *text)
{
    unsigned char pin[CFAOP_PIN_LEN];
    const char *err = parse(set->pool, text, pin);

    if (err == NULL)
        pins_add(pins, pin);
    return err;
}

const char *cfaop_pinset_add_sha256(cfaop_pinset_t *set, const char *text)
{
    return parse_and_add(set, set->sha256, cfaop_pin_parse_sha256, text);
}

const char *cfaop_pinset_add_spki(cfaop_pinset_t *set, const char *text)
{
    return parse_and_add(set, set->spki, cfaop_pin_parse_spki, text);
}

int cfaop_pinset_count_sha256(const cfaop_pinset_t *set)
{
    return set != NULL ? set->sha256->nelts : 0;
}

int cfaop_pinset_count_spki(const cfaop_pinset_t *set)
{
    return set != NULL ? set->spki->nelts : 0;
}

int cfaop_pinset_match(const cfaop_pinset_t *set, X509 *leaf)
{
    unsigned char digest[CFAOP_PIN_LEN];

    if (set == NULL || (set->sha256->nelts == 0 && set->spki->nelts == 0))
        return 1;
    if (leaf == NULL)
        return 0;
    if (set->sha256->nelts > 0 && cfaop_cert_sha256(leaf, digest)
        && pins_have(set->sha256, digest))
        return 1;
    if (set->spki->nelts > 0 && cfaop_spki_sha256(leaf, digest)
        && pins_have(set->spki, digest))
        return 1;
    return 0;
}
