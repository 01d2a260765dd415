/* SPDX-License-Identifier: Apache-2.0 */
/* linefile.h: the one reader of line files (CFAOPDenySerialFile,
 * CFAOPHostnameMap): whole and stable (readfile.h), then line by line. */
#ifndef CFAOP_LINEFILE_H
#define CFAOP_LINEFILE_H

#include <apr_pools.h>

/* One line, [line, line + len) without its '\n' (not NUL-terminated);
 * lineno counts from 1. NULL, or why the line is wrong: the reader puts
 * "line N of SOURCE: " in front. */
typedef const char *cfaop_line_fn(void *ctx, const char *line, apr_size_t len,
                                  apr_size_t lineno);

/* Calls fn for every line of data[0, len): a UTF-8 byte order mark first
 * is skipped, a last line without '\n' counts. Stops at the first error and returns
 * "line N of SOURCE: why" in pool; NULL when every line was fine. */
const char *cfaop_lines_parse(apr_pool_t *pool, const char *data, apr_size_t len,
                              const char *source, cfaop_line_fn *fn, void *ctx);

/* The same for the file at path, read whole from one version that did not
 * change while it was read (cfaop_read_stable, at most max bytes, a regular
 * file only); its text lives in a scratch pool freed before this returns.
 * fn is not called when the file cannot be read (that message as it is). */
const char *cfaop_lines_load(apr_pool_t *pool, const char *path, apr_size_t max,
                             cfaop_line_fn *fn, void *ctx);

#endif
