/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_pin.c: CFAOPPinSHA256 (hex, colons) and CFAOPPinSPKI (base64) values:
 * what parses must round-trip, and a pin set built from it must match the
 * certificate whose digest it is. */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <openssl/evp.h>

#include "certinfo.h"
#include "codec.h"
#include "common.h"
#include "pin.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    char *text = fuzz_cstr(pool, data, size);
    unsigned char pin[CFAOP_PIN_LEN], again[CFAOP_PIN_LEN], leaf_digest[CFAOP_PIN_LEN];
    const char *err;

    FUZZ_ASSERT(cfaop_cert_sha256(fuzz_leaf(), leaf_digest));

    if ((err = cfaop_pin_parse_sha256(pool, text, pin)) == NULL) {
        char *hex = cfaop_hex_encode(pool, "", pin, sizeof(pin), 0);
        cfaop_pinset_t *set = cfaop_pinset_create(pool);
        char *digits = apr_palloc(pool, strlen(text) + 1);
        size_t i, n = 0;

        /* The pin is the input's hex digits, colons dropped, in any case. */
        for (i = 0; text[i] != '\0'; i++)
            if (text[i] != ':')
                digits[n++] = text[i];
        digits[n] = '\0';
        FUZZ_ASSERT(n == 64 && strcasecmp(digits, hex) == 0);
        FUZZ_ASSERT(cfaop_pin_parse_sha256(pool, hex, again) == NULL
                    && memcmp(pin, again, sizeof(pin)) == 0);
        FUZZ_ASSERT(cfaop_pinset_add_sha256(set, text) == NULL);
        FUZZ_ASSERT(cfaop_pinset_count_sha256(set) == 1);
        FUZZ_ASSERT(cfaop_pinset_match(set, fuzz_leaf())
                    == (memcmp(pin, leaf_digest, sizeof(pin)) == 0));
    }
    else {
        FUZZ_ASSERT(*err != '\0');
    }

    if ((err = cfaop_pin_parse_spki(pool, text, pin)) == NULL) {
        unsigned char b64[64];
        cfaop_pinset_t *set = cfaop_pinset_create(pool);
        unsigned char spki[CFAOP_PIN_LEN];

        FUZZ_ASSERT(strlen(text) == 44);
        FUZZ_ASSERT(EVP_EncodeBlock(b64, pin, sizeof(pin)) == 44);
        FUZZ_ASSERT(cfaop_pin_parse_spki(pool, (const char *)b64, again) == NULL
                    && memcmp(pin, again, sizeof(pin)) == 0);
        FUZZ_ASSERT(cfaop_pinset_add_spki(set, text) == NULL);
        FUZZ_ASSERT(cfaop_pinset_add_spki(set, (const char *)b64) == NULL);
        FUZZ_ASSERT(cfaop_pinset_count_spki(set) == 1);
        FUZZ_ASSERT(cfaop_spki_sha256(fuzz_leaf(), spki));
        FUZZ_ASSERT(cfaop_pinset_match(set, fuzz_leaf()) == (memcmp(pin, spki, sizeof(pin)) == 0));
    }
    else {
        FUZZ_ASSERT(*err != '\0');
    }
    fuzz_pool_done(pool);
    return 0;
}
