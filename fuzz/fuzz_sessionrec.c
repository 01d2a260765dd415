/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_sessionrec.c: the record kept with a TLS session (policy name and
 * the client's intermediates) decoded from arbitrary bytes, as a damaged
 * session cache or ticket would give it; mode bit 0 feeds the chain blob
 * decoder directly. What decodes must re-encode to the same content. */
#include <string.h>
#include <apr_strings.h>

#include "chainblob.h"
#include "common.h"
#include "sessionrec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

static int count_not_leaf(STACK_OF(X509) *chain, X509 *leaf)
{
    int i, n = 0;

    for (i = 0; i < sk_X509_num(chain); i++)
        n += X509_cmp(sk_X509_value(chain, i), leaf) != 0;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    fuzz_input_t in = { data, size };
    uint8_t mode = fuzz_byte(&in);
    X509 *leaf = fuzz_leaf();

    if (mode & 1) {
        STACK_OF(X509) *chain = cfaop_chainblob_decode(in.p, in.left);

        if (chain != NULL) {
            unsigned char *blob = NULL;
            size_t bloblen = 0;

            FUZZ_ASSERT(sk_X509_num(chain) <= CFAOP_CHAINBLOB_MAX_CERTS);
            if (cfaop_chainblob_encode(leaf, chain, &blob, &bloblen)) {
                STACK_OF(X509) *again = cfaop_chainblob_decode(blob, bloblen);

                FUZZ_ASSERT(again != NULL);
                FUZZ_ASSERT(sk_X509_num(again) == count_not_leaf(chain, leaf));
                sk_X509_pop_free(again, X509_free);
                OPENSSL_free(blob);
            }
            sk_X509_pop_free(chain, X509_free);
        }
    }
    else {
        const char *name = NULL, *err;
        STACK_OF(X509) *chain = NULL;

        err = cfaop_sessionrec_decode(pool, in.p, in.left, &name, &chain);
        if (err != NULL) {
            FUZZ_ASSERT(name == NULL && chain == NULL && *err != '\0');
        }
        else {
            unsigned char *rec = NULL;
            size_t reclen = 0;

            FUZZ_ASSERT(name != NULL && chain != NULL);
            FUZZ_ASSERT(strlen(name) <= CFAOP_SESSIONREC_NAME_MAX);
            /* A name with a NUL inside is cut there; it never matches a policy. */
            if (cfaop_sessionrec_encode(name, leaf, chain, &rec, &reclen)) {
                const char *name2 = NULL;
                STACK_OF(X509) *chain2 = NULL;

                FUZZ_ASSERT(cfaop_sessionrec_decode(pool, rec, reclen, &name2, &chain2) == NULL);
                FUZZ_ASSERT(strcmp(name, name2) == 0);
                FUZZ_ASSERT(sk_X509_num(chain2) == count_not_leaf(chain, leaf));
                sk_X509_pop_free(chain2, X509_free);
                OPENSSL_free(rec);
            }
            sk_X509_pop_free(chain, X509_free);
        }
    }
    fuzz_pool_done(pool);
    return 0;
}
