/* SPDX-License-Identifier: Apache-2.0 */
/* denyfile.c: deny file lines (linefile.h) parsed in place, straight into
 * a serial set (nothing allocated per line). */
#include "denyfile.h"
#include "linefile.h"
#include "ascii.h"

#include <string.h>
#include <apr_strings.h>

typedef struct {
    apr_pool_t *pool;
    cfaop_serialset_t *set;
    cfaop_denyfile_stats_t *stats;
} deny_parse_t;

/* The offending text for a message: printable, and not too long. */
static const char *quote_text(apr_pool_t *pool, const char *p, size_t len)
{
    size_t show = len > 64 ? 64 : len, i;
    char *out = apr_palloc(pool, show + 4);

    for (i = 0; i < show; i++)
        out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
    strcpy(out + show, len > show ? "..." : "");
    return out;
}

/* One line (cfaop_line_fn). */
static const char *parse_line(void *ctx, const char *p, apr_size_t len, apr_size_t lineno)
{
    deny_parse_t *st = ctx;
    cfaop_serial_t serial;
    const char *why, *hash;

    if (len > CFAOP_DENYFILE_LINE_MAX)
        return apr_psprintf(st->pool, "the line is longer than %d characters",
                            CFAOP_DENYFILE_LINE_MAX);
    /* '#' starts a comment at the start of the line or after whitespace.
     * memchr, not a loop over every character: most lines have no '#'. */
    for (hash = memchr(p, '#', len); hash != NULL;
         hash = memchr(hash + 1, '#', len - (size_t)(hash + 1 - p))) {
        if (hash == p || cfaop_ascii_isspace((unsigned char)hash[-1])) {
            len = (size_t)(hash - p);
            break;
        }
    }
    cfaop_ascii_trim(&p, &len);
    if (len == 0)
        return NULL;
    if ((why = cfaop_serial_parse_mem(p, len, &serial)) != NULL)
        return apr_psprintf(st->pool, "'%s' is not a serial number: %s",
                            quote_text(st->pool, p, len), why);
    if ((why = cfaop_serialset_add(st->set, &serial)) != NULL)
        return why;
    st->stats->added++;
    if (cfaop_serial_ambiguous(p, len) && st->stats->ambiguous++ == 0)
        st->stats->first_ambiguous = lineno;
    return NULL;
}

const char *cfaop_denyfile_parse(apr_pool_t *pool, const char *data, apr_size_t len,
                                 const char *source, cfaop_serialset_t *set,
                                 apr_size_t *added)
{
    cfaop_denyfile_stats_t stats = { 0, 0, 0 };
    deny_parse_t st = { pool, set, &stats };
    const char *err = cfaop_lines_parse(pool, data, len, source, parse_line, &st);

    if (added != NULL)
        *added = stats.added;
    return err;
}

const char *cfaop_denyfile_load(apr_pool_t *pool, const char *path,
                                cfaop_serialset_t *set, apr_size_t *added)
{
    cfaop_denyfile_stats_t stats;
    const char *err = cfaop_denyfile_load_stats(pool, path, set, &stats);

    if (added != NULL)
        *added = stats.added;
    return err;
}

const char *cfaop_denyfile_load_stats(apr_pool_t *pool, const char *path,
                                      cfaop_serialset_t *set, cfaop_denyfile_stats_t *stats)
{
    deny_parse_t st = { pool, set, stats };

    memset(stats, 0, sizeof(*stats));
    return cfaop_lines_load(pool, path, CFAOP_DENYFILE_MAX, parse_line, &st);
}
