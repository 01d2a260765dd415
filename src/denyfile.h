/* SPDX-License-Identifier: Apache-2.0 */
/* denyfile.h: CFAOPDenySerialFile files: one serial a line in any form
 * serial.h accepts; blank lines and '#' comments ignored. */
#ifndef CFAOP_DENYFILE_H
#define CFAOP_DENYFILE_H

#include <apr_pools.h>

#include "serialset.h"

/* The longest line a deny file may have. */
#define CFAOP_DENYFILE_LINE_MAX 4096

/* The largest deny file read: some 20 million serials. */
#define CFAOP_DENYFILE_MAX ((apr_size_t)1024 * 1024 * 1024)

/* What a deny file held, for the notice and the warnings. */
typedef struct {
    apr_size_t added;           /* serial lines */
    apr_size_t ambiguous;       /* of them, bare decimal digits (cfaop_serial_ambiguous) */
    apr_size_t first_ambiguous; /* the line number of the first such serial */
} cfaop_denyfile_stats_t;

/* cfaop_denyfile_load with the counts in *stats (not NULL). */
const char *cfaop_denyfile_load_stats(apr_pool_t *pool, const char *path,
                                      cfaop_serialset_t *set, cfaop_denyfile_stats_t *stats);

/* Adds the serials of the file at path to set (not frozen). The file is
 * read whole from a version that did not change while it was read
 * (cfaop_read_stable), then parsed; its text is freed before this returns.
 * Nothing is added when the file cannot be read.
 * Returns NULL, or "line N of PATH: why", or why the file cannot be read.
 * After an error the set holds the lines before it: discard it. *added
 * (when not NULL) gets the number of serial lines read. */
const char *cfaop_denyfile_load(apr_pool_t *pool, const char *path,
                                cfaop_serialset_t *set, apr_size_t *added);

/* The same for file contents in memory; source stands for PATH in messages. */
const char *cfaop_denyfile_parse(apr_pool_t *pool, const char *data, apr_size_t len,
                                 const char *source, cfaop_serialset_t *set,
                                 apr_size_t *added);

#endif
