/* SPDX-License-Identifier: Apache-2.0 */
/* hostmap.c: hostname validation, the map and its map-file line syntax. */
#include "hostmap.h"
#include "ascii.h"
#include "linefile.h"

#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>

typedef struct {
    void *value;
    const char *entry;
    const char *origin;
} host_slot_t;

struct cfaop_hostmap {
    apr_pool_t *pool;
    apr_hash_t *exact;          /* "app.example.com" -> slot */
    apr_hash_t *wildcard;       /* "example.com" (for "*.example.com") -> slot */
    apr_array_header_t *values;        /* in the order added */
};

static const char *check_label(apr_pool_t *pool, const char *label, apr_size_t len,
                               const char *name)
{
    apr_size_t i;

    if (len == 0)
        return apr_psprintf(pool, "'%s' has an empty label", name);
    if (len > 63)
        return apr_psprintf(pool, "'%s' has a label longer than 63 characters", name);
    if (label[0] == '-' || label[len - 1] == '-')
        return apr_psprintf(pool, "'%s' has a label that starts or ends with '-'", name);
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)label[i];
        if (ch == '*')
            return apr_psprintf(pool, "'%s': a wildcard is allowed only as the whole first "
                                "label, as in *.example.com", name);
        if (!cfaop_ascii_isalnum(ch) && ch != '-' && ch != '_')
            return apr_psprintf(pool, "'%s' has a character that is not allowed in a "
                                "hostname: '%c'", name, (ch >= 0x20 && ch < 0x7f) ? ch : '?');
    }
    return NULL;
}

const char *cfaop_hostname_normalize(apr_pool_t *pool, const char *in, const char **out)
{
    apr_size_t len = strlen(in);
    const char *p, *dot, *err;
    char *lower, *q;

    if (len == 0)
        return "empty hostname";
    if (in[len - 1] == '.')
        len--;
    if (len == 0 || len > CFAOP_HOSTNAME_MAX)
        return apr_psprintf(pool, "'%s' is not a hostname of 1 to %d characters", in,
                            CFAOP_HOSTNAME_MAX);
    lower = apr_pstrmemdup(pool, in, len);
    for (q = lower; *q; q++)
        *q = (char)cfaop_ascii_tolower((unsigned char)*q);
    p = lower;
    if (p[0] == '*') {
        if (p[1] != '.')
            return apr_psprintf(pool, "'%s': a wildcard is allowed only as the whole first "
                                "label, as in *.example.com", in);
        p += 2;
        if (*p == '\0')
            return apr_psprintf(pool, "'%s': a wildcard needs a domain after '*.'", in);
    }
    for (;;) {
        dot = strchr(p, '.');
        if ((err = check_label(pool, p, dot ? (apr_size_t)(dot - p) : strlen(p), in)) != NULL)
            return err;
        if (dot == NULL)
            break;
        p = dot + 1;
    }
    *out = lower;
    return NULL;
}

cfaop_hostmap_t *cfaop_hostmap_create(apr_pool_t *pool)
{
    cfaop_hostmap_t *map = apr_pcalloc(pool, sizeof(*map));

    map->pool = pool;
    map->exact = apr_hash_make(pool);
    map->wildcard = apr_hash_make(pool);
    map->values = apr_array_make(pool, 16, sizeof(void *));
    return map;
}

const char *cfaop_hostmap_add(cfaop_hostmap_t *map, const char *hostname,
                              const char *origin, void *value)
{
    int wildcard = hostname[0] == '*';
    apr_hash_t *table = wildcard ? map->wildcard : map->exact;
    const char *key = wildcard ? hostname + 2 : hostname;
    host_slot_t *slot = apr_hash_get(table, key, APR_HASH_KEY_STRING);

    if (slot != NULL)
        return apr_psprintf(map->pool, "duplicate hostname '%s' (already defined at %s)",
                            hostname, slot->origin);
    slot = apr_palloc(map->pool, sizeof(*slot));
    slot->value = value;
    slot->entry = hostname;
    slot->origin = origin;
    apr_hash_set(table, key, APR_HASH_KEY_STRING, slot);
    APR_ARRAY_PUSH(map->values, void *) = value;
    return NULL;
}

void *cfaop_hostmap_lookup(const cfaop_hostmap_t *map, const char *name, const char **entry)
{
    char lower[CFAOP_HOSTNAME_MAX + 2];
    const host_slot_t *slot;
    const char *parent;
    apr_size_t len, i;

    if (map == NULL || name == NULL)
        return NULL;
    len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > CFAOP_HOSTNAME_MAX)
        return NULL;
    for (i = 0; i < len; i++)
        lower[i] = (char)cfaop_ascii_tolower((unsigned char)name[i]);
    lower[len] = '\0';

    slot = apr_hash_get(map->exact, lower, (apr_ssize_t)len);
    if (slot == NULL && (parent = memchr(lower, '.', len)) != NULL && parent[1] != '\0')
        slot = apr_hash_get(map->wildcard, parent + 1, (apr_ssize_t)(len - (parent + 1 - lower)));
    if (slot == NULL)
        return NULL;
    if (entry != NULL)
        *entry = slot->entry;
    return slot->value;
}

int cfaop_hostmap_count(const cfaop_hostmap_t *map)
{
    return map ? map->values->nelts : 0;
}

const apr_array_header_t *cfaop_hostmap_values(const cfaop_hostmap_t *map)
{
    return map->values;
}

const char *cfaop_hostmap_parse_line(apr_pool_t *pool, char *line,
                                     const char **hostname, apr_array_header_t **files)
{
    char *token, *state = NULL, *p;

    *hostname = NULL;
    *files = NULL;
    /* a comment starts at '#' at the beginning or after whitespace */
    for (p = line; *p; p++) {
        if (*p == '#' && (p == line || cfaop_ascii_isspace((unsigned char)p[-1]))) {
            *p = '\0';
            break;
        }
    }
    token = apr_strtok(line, " \t\r\n", &state);
    if (token == NULL)
        return NULL;
    *hostname = token;
    *files = apr_array_make(pool, 2, sizeof(const char *));
    while ((token = apr_strtok(NULL, " \t\r\n", &state)) != NULL)
        APR_ARRAY_PUSH(*files, const char *) = token;
    if ((*files)->nelts == 0)
        return apr_psprintf(pool, "'%s' has no CA file (expected: hostname ca-file [ca-file ...])",
                            *hostname);
    return NULL;
}

typedef struct {
    apr_pool_t *pool;
    const char *path;
    apr_array_header_t *lines;
} map_load_t;

static const char *map_line(void *ctx, const char *text, apr_size_t len, apr_size_t lineno)
{
    map_load_t *st = ctx;
    char *copy = apr_pstrmemdup(st->pool, text, len);
    cfaop_hostmap_line_t *line;
    const char *hostname, *err;
    apr_array_header_t *files;

    if (strlen(copy) != len)
        return "it has a NUL byte (the file is not a text file)";
    if ((err = cfaop_hostmap_parse_line(st->pool, copy, &hostname, &files)) != NULL
        || hostname == NULL)
        return err;
    line = apr_array_push(st->lines);
    line->hostname = hostname;
    line->files = files;
    line->origin = apr_psprintf(st->pool, "line %" APR_SIZE_T_FMT " of %s", lineno, st->path);
    return NULL;
}

const char *cfaop_hostmap_file_load(apr_pool_t *pool, const char *path,
                                    apr_array_header_t **lines)
{
    map_load_t st = { pool, path, apr_array_make(pool, 16, sizeof(cfaop_hostmap_line_t)) };
    const char *err = cfaop_lines_load(pool, path, CFAOP_HOSTMAP_FILE_MAX, map_line, &st);

    *lines = st.lines;
    return err;
}
