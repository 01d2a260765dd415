/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_denyfile.c: CFAOPDenySerialFile contents, parsed from memory
 * (cfaop_denyfile_parse) and from a file (cfaop_denyfile_load), which must
 * agree; every serial a successful parse added is then in the frozen set. */
#include <string.h>
#include <apr_strings.h>

#include "common.h"
#include "denyfile.h"
#include "serial.h"
#include "serialset.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    cfaop_serialset_t *mem_set = cfaop_serialset_create(pool);
    cfaop_serialset_t *file_set = cfaop_serialset_create(pool);
    apr_size_t mem_added = 0, file_added = 0;
    const char *mem_err, *file_err, *path;

    mem_err = cfaop_denyfile_parse(pool, (const char *)data, size, "fuzz.deny", mem_set, &mem_added);
    path = fuzz_write_file(data, size);
    {
        cfaop_denyfile_stats_t stats;

        file_err = cfaop_denyfile_load_stats(pool, path, file_set, &stats);
        file_added = stats.added;
        /* the bare-digit count (CFAOP0032) is a subset, with its first line */
        FUZZ_ASSERT(stats.ambiguous <= stats.added);
        FUZZ_ASSERT((stats.ambiguous == 0) == (stats.first_ambiguous == 0));
    }

    FUZZ_ASSERT((mem_err == NULL) == (file_err == NULL));
    FUZZ_ASSERT(mem_added == file_added);
    FUZZ_ASSERT(cfaop_serialset_count(mem_set) == mem_added);
    if (mem_err != NULL) {
        /* "line N of SOURCE: why", with the line counted from 1. */
        FUZZ_ASSERT(strncmp(mem_err, "line ", 5) == 0 && strstr(mem_err, " of fuzz.deny: ") != NULL);
    }
    FUZZ_ASSERT(cfaop_serialset_freeze(mem_set) == NULL);
    FUZZ_ASSERT(cfaop_serialset_freeze(file_set) == NULL);
    FUZZ_ASSERT(cfaop_serialset_count(mem_set) <= mem_added);
    FUZZ_ASSERT(cfaop_serialset_count(mem_set) == cfaop_serialset_count(file_set));

    /* Each line that parses on its own is in both sets (re-split here the
     * simple way: only lines without '#', so comments do not matter). */
    if (mem_err == NULL) {
        const char *p = (const char *)data, *end = p + size;
        int checked = 0;

        while (p < end && checked < 64) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = (size_t)((nl ? nl : end) - p);
            cfaop_serial_t serial;

            if (memchr(p, '#', len) == NULL && !(p == (const char *)data && len >= 3
                                                 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
                && cfaop_serial_parse_mem(p, len, &serial) == NULL) {
                FUZZ_ASSERT(cfaop_serialset_contains(mem_set, &serial));
                FUZZ_ASSERT(cfaop_serialset_contains(file_set, &serial));
                checked++;
            }
            p = nl ? nl + 1 : end;
        }
    }
    fuzz_pool_done(pool);
    return 0;
}
