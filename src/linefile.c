/* SPDX-License-Identifier: Apache-2.0 */
/* linefile.c: a file read whole (readfile.h), split at '\n' in place,
 * nothing allocated per line: a million-line deny file is one buffer. */
#include "linefile.h"
#include "readfile.h"

#include <string.h>
#include <apr_strings.h>

const char *cfaop_lines_parse(apr_pool_t *pool, const char *data, apr_size_t len,
                              const char *source, cfaop_line_fn *fn, void *ctx)
{
    const char *p = cfaop_skip_bom(data, &len), *end = p + len, *why;
    apr_size_t lineno = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        apr_size_t n = (apr_size_t)((nl != NULL ? nl : end) - p);

        lineno++;
        if ((why = fn(ctx, p, n, lineno)) != NULL)
            return apr_psprintf(pool, "line %" APR_SIZE_T_FMT " of %s: %s", lineno, source, why);
        p += n + (nl != NULL);
    }
    return NULL;
}

const char *cfaop_lines_load(apr_pool_t *pool, const char *path, apr_size_t max,
                             cfaop_line_fn *fn, void *ctx)
{
    apr_pool_t *scratch;
    const char *err;
    char *data;
    apr_size_t len;

    if (apr_pool_create(&scratch, pool) != APR_SUCCESS)
        return "out of memory";
    err = cfaop_read_stable(scratch, path, max, &data, &len);
    if (err != NULL)
        err = apr_pstrdup(pool, err);
    else
        err = cfaop_lines_parse(pool, data, len, path, fn, ctx);
    apr_pool_destroy(scratch);
    return err;
}
