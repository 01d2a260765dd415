/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_hostmap.c: a CFAOPHostnameMap file (lines "hostname ca-file ...")
 * read by cfaop_hostmap_file_load and, line by line, as it reads it (a UTF-8
 * BOM skipped, cfaop_hostmap_parse_line, then
 * cfaop_hostname_normalize, then cfaop_hostmap_add), then lookups of many
 * names compared with a plain reference implementation of the SPEC's rule:
 * the exact entry, else "*." + the parent (one label only), any case,
 * one trailing dot ignored. */
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "common.h"
#include "hostmap.h"
#include "readfile.h"

#define MAX_ENTRIES 256

typedef struct {
    const char *name;           /* normalized */
    void *value;
} entry_t;

static entry_t entries[MAX_ENTRIES];
static int nentries;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

static void *reference_lookup(apr_pool_t *pool, const char *name, const char **entry)
{
    size_t len = strlen(name), i;
    char *lower;
    const char *dot;
    int k;

    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > CFAOP_HOSTNAME_MAX)
        return NULL;
    lower = apr_pstrmemdup(pool, name, len);
    for (i = 0; i < len; i++)
        lower[i] = (char)apr_tolower((unsigned char)lower[i]);
    for (k = 0; k < nentries; k++)
        if (entries[k].name[0] != '*' && strcmp(entries[k].name, lower) == 0) {
            *entry = entries[k].name;
            return entries[k].value;
        }
    if ((dot = strchr(lower, '.')) != NULL && dot[1] != '\0') {
        for (k = 0; k < nentries; k++)
            if (entries[k].name[0] == '*' && strcmp(entries[k].name + 2, dot + 1) == 0) {
                *entry = entries[k].name;
                return entries[k].value;
            }
    }
    return NULL;
}

static void probe(apr_pool_t *pool, const cfaop_hostmap_t *map, const char *name)
{
    const char *got_entry = NULL, *want_entry = NULL;
    void *got = cfaop_hostmap_lookup(map, name, &got_entry);
    void *want = reference_lookup(pool, name, &want_entry);

    FUZZ_ASSERT(got == want);
    FUZZ_ASSERT(got == NULL || strcmp(got_entry, want_entry) == 0);
}

static char *upper(apr_pool_t *pool, const char *s)
{
    char *u = apr_pstrdup(pool, s), *p;

    for (p = u; *p; p++)
        *p = (char)apr_toupper((unsigned char)*p);
    return u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    cfaop_hostmap_t *map = cfaop_hostmap_create(pool);
    apr_array_header_t *probes = apr_array_make(pool, 16, sizeof(const char *));
    char *text, *line, *next;
    apr_size_t textlen = size;
    int i, lineno = 0, bad_lines = 0, hostname_lines = 0;
    /* The file as the glue reads it: the one line reader, whole file. */
    const char *path = fuzz_write_file(data, size);
    apr_array_header_t *file_lines = NULL;
    const char *file_err = cfaop_hostmap_file_load(pool, path, &file_lines);

    /* "line N of PATH: why" for anything wrong inside the file */
    FUZZ_ASSERT(file_err == NULL
                || (strncmp(file_err, "line ", 5) == 0 && strstr(file_err, path) != NULL));
    /* A map file with a NUL byte is refused. */
    if (memchr(data, '\0', size) != NULL) {
        FUZZ_ASSERT(file_err != NULL);
        fuzz_pool_done(pool);
        return 0;
    }
    nentries = 0;
    /* The glue skips a UTF-8 byte order mark first, as an editor may write. */
    text = (char *)cfaop_skip_bom(fuzz_cstr(pool, data, size), &textlen);
    for (line = text; line != NULL && *line; line = next) {
        const char *hostname = NULL, *normalized = NULL, *err;
        apr_array_header_t *files = NULL;
        char *copy;

        lineno++;
        if ((next = strchr(line, '\n')) != NULL)
            *next++ = '\0';
        copy = apr_pstrdup(pool, line);
        err = cfaop_hostmap_parse_line(pool, line, &hostname, &files);
        bad_lines += err != NULL;
        hostname_lines += err == NULL && hostname != NULL;
        if (err != NULL) {
            FUZZ_ASSERT(hostname != NULL && files != NULL && files->nelts == 0);
            continue;
        }
        if (hostname == NULL) {
            /* Blank or comment: nothing before a '#' but whitespace. */
            size_t j;
            for (j = 0; copy[j] != '\0' && copy[j] != '#'; j++)
                FUZZ_ASSERT(apr_isspace((unsigned char)copy[j]));
            continue;
        }
        FUZZ_ASSERT(files != NULL && files->nelts > 0);
        for (i = 0; i < files->nelts; i++) {
            const char *f = APR_ARRAY_IDX(files, i, const char *);
            FUZZ_ASSERT(*f != '\0' && strpbrk(f, " \t\r\n") == NULL);
            APR_ARRAY_PUSH(probes, const char *) = f;
        }
        APR_ARRAY_PUSH(probes, const char *) = hostname;
        if (cfaop_hostname_normalize(pool, hostname, &normalized) != NULL)
            continue;
        {
            /* Normalized: lower case, no trailing dot, idempotent. */
            const char *twice = NULL;
            size_t len = strlen(normalized), j;

            FUZZ_ASSERT(len > 0 && len <= CFAOP_HOSTNAME_MAX && normalized[len - 1] != '.');
            for (j = 0; j < len; j++)
                FUZZ_ASSERT(!apr_isupper((unsigned char)normalized[j]));
            FUZZ_ASSERT(cfaop_hostname_normalize(pool, normalized, &twice) == NULL
                        && strcmp(twice, normalized) == 0);
            FUZZ_ASSERT(strchr(normalized + (normalized[0] == '*' ? 1 : 0), '*') == NULL);
        }
        if (cfaop_hostmap_add(map, normalized, apr_psprintf(pool, "line %d", lineno),
                              (void *)(apr_uintptr_t)lineno) == NULL) {
            int k;
            for (k = 0; k < nentries; k++)
                FUZZ_ASSERT(strcmp(entries[k].name, normalized) != 0);
            if (nentries < MAX_ENTRIES) {
                entries[nentries].name = normalized;
                entries[nentries].value = (void *)(apr_uintptr_t)lineno;
                nentries++;
            }
        }
        else {
            int k, seen = 0;
            for (k = 0; k < nentries; k++)
                seen |= strcmp(entries[k].name, normalized) == 0;
            FUZZ_ASSERT(seen || nentries == MAX_ENTRIES);
        }
    }
    /* The reader and this walk agree on the lines. */
    FUZZ_ASSERT((file_err == NULL) == (bad_lines == 0));
    FUZZ_ASSERT(file_err != NULL || file_lines->nelts == hostname_lines);
    FUZZ_ASSERT(cfaop_hostmap_count(map) >= nentries);
    if (cfaop_hostmap_count(map) > nentries) {
        /* More entries than this harness tracks: the reference would be wrong. */
        fuzz_pool_done(pool);
        return 0;
    }

    for (i = 0; i < nentries; i++) {
        const char *name = entries[i].name;
        const char *base = name[0] == '*' ? name + 2 : name;

        probe(pool, map, name);
        probe(pool, map, upper(pool, name));
        probe(pool, map, apr_pstrcat(pool, name, ".", NULL));
        probe(pool, map, base);
        probe(pool, map, apr_pstrcat(pool, "fuzz.", base, NULL));
        probe(pool, map, apr_pstrcat(pool, "A.b.", base, NULL));
        probe(pool, map, apr_pstrcat(pool, ".", base, NULL));
        if (strchr(base, '.') != NULL)
            probe(pool, map, strchr(base, '.') + 1);
    }
    for (i = 0; i < probes->nelts; i++) {
        const char *name = APR_ARRAY_IDX(probes, i, const char *);
        probe(pool, map, name);
        probe(pool, map, apr_pstrcat(pool, name, ".", NULL));
    }
    probe(pool, map, "");
    probe(pool, map, ".");
    fuzz_pool_done(pool);
    return 0;
}
