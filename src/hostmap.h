/* SPDX-License-Identifier: Apache-2.0 */
/* hostmap.h: hostnames (exact or "*.one-label" wildcard) to values, matched
 * case-insensitively against SNI or Host with two hashed lookups at most. */
#ifndef CFAOP_HOSTMAP_H
#define CFAOP_HOSTMAP_H

#include <apr_pools.h>
#include <apr_tables.h>

#define CFAOP_HOSTNAME_MAX 253

typedef struct cfaop_hostmap cfaop_hostmap_t;

/* Checks a configured hostname and returns it lower-cased in *out: a DNS
 * name ("app.example.com") or a wildcard whose first label is exactly "*"
 * ("*.example.com"). NULL, or why it is not acceptable. */
const char *cfaop_hostname_normalize(apr_pool_t *pool, const char *in, const char **out);

cfaop_hostmap_t *cfaop_hostmap_create(apr_pool_t *pool);

/* Adds a normalized hostname; NULL, or an error naming the earlier
 * definition (the `origin` given when that one was added) on a duplicate. */
const char *cfaop_hostmap_add(cfaop_hostmap_t *map, const char *hostname,
                              const char *origin, void *value);

/* The value for a name as a client sends it (SNI or Host, any case, an
 * optional trailing dot): the exact entry, else the wildcard of its parent
 * ("*.example.com" matches "a.example.com", not "example.com" nor
 * "a.b.example.com"); NULL when none. *entry gets the matching entry. */
void *cfaop_hostmap_lookup(const cfaop_hostmap_t *map, const char *name, const char **entry);

int cfaop_hostmap_count(const cfaop_hostmap_t *map);

/* The values, in the order they were added (void *). */
const apr_array_header_t *cfaop_hostmap_values(const cfaop_hostmap_t *map);

/* Splits one map-file line "hostname ca-file [ca-file ...]" in place.
 * Blank and comment lines ('#' at the start or after whitespace) give
 * NULL with *hostname NULL. Otherwise NULL with the raw hostname and the
 * file names in *files, or why the line does not parse. */
const char *cfaop_hostmap_parse_line(apr_pool_t *pool, char *line,
                                     const char **hostname, apr_array_header_t **files);

/* The largest hostname map read. */
#define CFAOP_HOSTMAP_FILE_MAX ((apr_size_t)16 * 1024 * 1024)

/* One line of a CFAOPHostnameMap file that names a hostname. */
typedef struct {
    const char *hostname;               /* as written (not yet normalized) */
    apr_array_header_t *files;          /* const char *: its CA files */
    const char *origin;                 /* "line N of PATH" */
} cfaop_hostmap_line_t;

/* Reads a CFAOPHostnameMap file (linefile.h) into *lines, an array of
 * cfaop_hostmap_line_t in pool, one per hostname line. NULL, or
 * "line N of PATH: why", or why the file cannot be read. */
const char *cfaop_hostmap_file_load(apr_pool_t *pool, const char *path,
                                    apr_array_header_t **lines);

#endif
