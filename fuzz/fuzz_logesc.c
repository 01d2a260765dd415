/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_logesc.c: cfaop_log_quote_mem and cfaop_log_bound on arbitrary bytes:
 * the quoted value is bounded, holds no raw control or non-ASCII byte and
 * no bare quote, and unescapes to the input (or, when cut, a prefix of it). */
#include <string.h>

#include "common.h"
#include "logesc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    const char *q = cfaop_log_quote_mem(pool, (const char *)data, size);
    size_t qlen = strlen(q), end, i, n = 0;
    int cut;

    FUZZ_ASSERT(qlen <= CFAOP_LOG_VALUE_MAX && qlen >= 2 && q[0] == '"');
    cut = q[qlen - 1] == '+';
    end = qlen - (cut ? 2 : 1);
    FUZZ_ASSERT(q[end] == '"');
    /* Unescape what is between the quotes and compare with the input. */
    for (i = 1; i < end; i++) {
        unsigned char c = (unsigned char)q[i], orig;

        FUZZ_ASSERT(c >= 0x20 && c < 0x7f && c != '"');
        if (c == '\\') {
            FUZZ_ASSERT(i + 1 < end);
            if (q[i + 1] == 'x') {
                FUZZ_ASSERT(i + 3 < end && hexval(q[i + 2]) >= 0 && hexval(q[i + 3]) >= 0);
                orig = (unsigned char)(hexval(q[i + 2]) << 4 | hexval(q[i + 3]));
                FUZZ_ASSERT(orig < 0x20 || orig >= 0x7f);
                i += 3;
            }
            else {
                FUZZ_ASSERT(q[i + 1] == '"' || q[i + 1] == '\\');
                orig = (unsigned char)q[i + 1];
                i += 1;
            }
        }
        else {
            orig = c;
        }
        FUZZ_ASSERT(n < size && data[n] == orig);
        n++;
    }
    FUZZ_ASSERT(cut ? n < size : n == size);

    /* A message is cut to the bound, keeping its beginning. */
    if (memchr(data, '\0', size) == NULL) {
        const char *msg = fuzz_cstr(pool, data, size);
        const char *bounded = cfaop_log_bound(pool, msg);
        size_t blen = strlen(bounded);

        FUZZ_ASSERT(blen <= CFAOP_LOG_MSG_MAX);
        FUZZ_ASSERT(size <= CFAOP_LOG_MSG_MAX ? bounded == msg
                                              : memcmp(bounded, msg, blen - 6) == 0);
    }
    fuzz_pool_done(pool);
    return 0;
}
