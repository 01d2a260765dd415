/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_sni.c: cfaop_sni_from_extension on arbitrary bytes: a name it returns
 * is non-empty, NUL-free, within CFAOP_SNI_MAX and present in the input as a
 * host_name entry that fits inside the extension. */
#include <string.h>

#include "common.h"
#include "sni.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[CFAOP_SNI_MAX + 1];
    size_t n;

    if (!cfaop_sni_from_extension(data, size, out))
        return 0;
    n = strlen(out);
    FUZZ_ASSERT(n > 0 && n <= CFAOP_SNI_MAX);
    FUZZ_ASSERT(size >= 2 && ((size_t)data[0] << 8 | data[1]) == size - 2);
    /* The name's bytes, preceded by type 0 and its length, are in the input. */
    {
        size_t pos;
        int found = 0;

        for (pos = 2; pos + 3 + n <= size && !found; pos++)
            found = data[pos] == 0 && ((size_t)data[pos + 1] << 8 | data[pos + 2]) == n
                    && memcmp(data + pos + 3, out, n) == 0;
        FUZZ_ASSERT(found);
    }
    return 0;
}
