/* SPDX-License-Identifier: Apache-2.0 */
/* denyfile.c: deny files read whole from one stable version (readfile.h)
 * and parsed in place, line by line, straight into a serial set (nothing
 * allocated per line). */
#include "denyfile.h"
#include "readfile.h"

#include <string.h>
#include <apr_strings.h>

typedef struct {
    apr_pool_t *pool;
    const char *source;
    cfaop_serialset_t *set;
    apr_size_t lineno;
    apr_size_t added;
    apr_size_t ambiguous;
    apr_size_t first_ambiguous;
} deny_parse_t;

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

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

static const char *line_error(deny_parse_t *st, const char *why)
{
    return apr_psprintf(st->pool, "line %" APR_SIZE_T_FMT " of %s: %s",
                        st->lineno, st->source, why);
}

/* One line without its '\n'. */
static const char *parse_line(deny_parse_t *st, const char *p, size_t len)
{
    cfaop_serial_t serial;
    const char *why, *hash;

    st->lineno++;
    if (len > CFAOP_DENYFILE_LINE_MAX)
        return line_error(st, apr_psprintf(st->pool, "the line is longer than %d characters",
                                           CFAOP_DENYFILE_LINE_MAX));
    /* A UTF-8 byte order mark, as some editors write, is not content. */
    if (st->lineno == 1 && len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
        p += 3;
        len -= 3;
    }
    /* '#' starts a comment at the start of the line or after whitespace.
     * memchr, not a loop over every character: most lines have no '#'. */
    for (hash = memchr(p, '#', len); hash != NULL;
         hash = memchr(hash + 1, '#', len - (size_t)(hash + 1 - p))) {
        if (hash == p || is_space(hash[-1])) {
            len = (size_t)(hash - p);
            break;
        }
    }
    while (len > 0 && is_space(*p)) {
        p++;
        len--;
    }
    while (len > 0 && is_space(p[len - 1]))
        len--;
    if (len == 0)
        return NULL;
    if ((why = cfaop_serial_parse_mem(p, len, &serial)) != NULL)
        return line_error(st, apr_psprintf(st->pool, "'%s' is not a serial number: %s",
                                           quote_text(st->pool, p, len), why));
    if ((why = cfaop_serialset_add(st->set, &serial)) != NULL)
        return line_error(st, why);
    st->added++;
    if (cfaop_serial_ambiguous(p, len) && st->ambiguous++ == 0)
        st->first_ambiguous = st->lineno;
    return NULL;
}

/* Every complete line of data[0, len); *used gets how much was consumed.
 * With last set, a final line without '\n' counts too. */
static const char *parse_lines(deny_parse_t *st, const char *data, size_t len,
                               int last, size_t *used)
{
    const char *p = data, *end = data + len;
    const char *err;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL) {
            if (!last)
                break;
            nl = end;
        }
        if ((err = parse_line(st, p, (size_t)(nl - p))) != NULL)
            return err;
        p = nl < end ? nl + 1 : end;
    }
    *used = (size_t)(p - data);
    return NULL;
}

static const char *parse_stats(apr_pool_t *pool, const char *data, apr_size_t len,
                               const char *source, cfaop_serialset_t *set,
                               cfaop_denyfile_stats_t *stats)
{
    deny_parse_t st = { pool, source, set, 0, 0, 0, 0 };
    const char *err;
    size_t used;

    err = parse_lines(&st, data, len, 1, &used);
    stats->added = st.added;
    stats->ambiguous = st.ambiguous;
    stats->first_ambiguous = st.first_ambiguous;
    return err;
}

const char *cfaop_denyfile_parse(apr_pool_t *pool, const char *data, apr_size_t len,
                                 const char *source, cfaop_serialset_t *set,
                                 apr_size_t *added)
{
    cfaop_denyfile_stats_t stats;
    const char *err = parse_stats(pool, data, len, source, set, &stats);

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
    apr_pool_t *scratch;
    const char *err;
    char *data;
    apr_size_t len;

    memset(stats, 0, sizeof(*stats));
    /* The text lives in a scratch pool: only the set outlives the load. */
    if (apr_pool_create(&scratch, pool) != APR_SUCCESS)
        return "out of memory";
    err = cfaop_read_stable(scratch, path, CFAOP_DENYFILE_MAX, &data, &len);
    if (err != NULL)
        err = apr_pstrdup(pool, err);
    else
        err = parse_stats(pool, data, len, path, set, stats);
    apr_pool_destroy(scratch);
    return err;
}
