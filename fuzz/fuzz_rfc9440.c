/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_rfc9440.c: RFC 9440 Client-Cert and Client-Cert-Chain values, the
 * strict base64 under them and the DER check. The first input byte picks
 * the entry point; the rest is the value. Whatever is accepted must have
 * exactly one encoding: re-encoding it gives the input back. */
#include <string.h>
#include <apr_strings.h>
#include <openssl/evp.h>

#include "common.h"
#include "codec.h"
#include "rfc9440.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

/* ":base64(DER):" of a certificate. */
static char *byte_sequence(apr_pool_t *pool, X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    char *out;

    FUZZ_ASSERT(len > 0);
    out = apr_palloc(pool, (size_t)len / 3 * 4 + 8);
    out[0] = ':';
    len = EVP_EncodeBlock((unsigned char *)out + 1, der, len);
    out[len + 1] = ':';
    out[len + 2] = '\0';
    OPENSSL_free(der);
    return out;
}

static size_t strip_pad(const char *s, size_t len)
{
    while (len > 0 && s[len - 1] == '=')
        len--;
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    fuzz_input_t in = { data, size };
    uint8_t mode = fuzz_byte(&in);
    const char *value = (const char *)in.p, *err;
    size_t len = in.left;

    switch (mode % 4) {
    case 0: {
        X509 *cert = NULL, *again = NULL;

        if ((err = cfaop_rfc9440_parse_cert(pool, value, len, &cert)) != NULL)
            break;
        FUZZ_ASSERT(cert != NULL);
        FUZZ_ASSERT(cfaop_pem_cert(pool, cert) != NULL);
        {
            char *seq = byte_sequence(pool, cert);
            FUZZ_ASSERT(cfaop_rfc9440_parse_cert(pool, seq, strlen(seq), &again) == NULL);
            FUZZ_ASSERT(X509_cmp(cert, again) == 0);
        }
        break;
    }
    case 1: {
        STACK_OF(X509) *chain = NULL, *again = NULL;
        char *list = "";
        int i;

        if ((err = cfaop_rfc9440_parse_chain(pool, value, len, &chain)) != NULL)
            break;
        FUZZ_ASSERT(chain != NULL && sk_X509_num(chain) >= 1
                    && sk_X509_num(chain) <= CFAOP_RFC9440_CHAIN_MAX);
        FUZZ_ASSERT(cfaop_pem_chain(pool, chain) != NULL);
        for (i = 0; i < sk_X509_num(chain); i++)
            list = apr_pstrcat(pool, list, i ? ", " : "", byte_sequence(pool, sk_X509_value(chain, i)),
                               NULL);
        FUZZ_ASSERT(cfaop_rfc9440_parse_chain(pool, list, strlen(list), &again) == NULL);
        FUZZ_ASSERT(sk_X509_num(again) == sk_X509_num(chain));
        for (i = 0; i < sk_X509_num(chain); i++)
            FUZZ_ASSERT(X509_cmp(sk_X509_value(chain, i), sk_X509_value(again, i)) == 0);
        break;
    }
    case 2: {
        unsigned char *out = NULL;
        size_t outlen = 0;

        if ((err = cfaop_base64_decode(pool, value, len, &out, &outlen)) != NULL)
            break;
        FUZZ_ASSERT(outlen > 0 && outlen <= len);
        {
            /* Strict: the canonical encoding of the bytes is the input,
             * give or take the '=' padding RFC 8941 lets a sender drop. */
            char *enc = apr_palloc(pool, outlen / 3 * 4 + 8);
            int n = EVP_EncodeBlock((unsigned char *)enc, out, (int)outlen);

            FUZZ_ASSERT(strip_pad(enc, (size_t)n) == strip_pad(value, len));
            FUZZ_ASSERT(memcmp(enc, value, strip_pad(value, len)) == 0);
        }
        break;
    }
    default: {
        X509 *cert = NULL;

        if ((err = cfaop_der_to_x509(pool, (const unsigned char *)value, len, &cert)) != NULL)
            break;
        {
            unsigned char *der = NULL;
            int n = i2d_X509(cert, &der);

            FUZZ_ASSERT(n > 0 && (size_t)n == len && memcmp(der, value, len) == 0);
            OPENSSL_free(der);
        }
        break;
    }
    }
    fuzz_pool_done(pool);
    return 0;
}
