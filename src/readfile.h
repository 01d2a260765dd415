/* SPDX-License-Identifier: Apache-2.0 */
/* readfile.h: the one reader for every file the configuration names
 * (CA files, deny files, hostname maps, CRLs): whole, regular, and read
 * from one unchanging version of the file. */
#ifndef CFAOP_READFILE_H
#define CFAOP_READFILE_H

#include <apr_pools.h>

/* How many times a file that changes while it is read is read again
 * before that is an error. */
#define CFAOP_READ_ATTEMPTS 5

/* Reads the whole file at path (NUL-terminated; *len excludes the NUL)
 * into memory freed, back to the system, when pool is cleared: read a big
 * file into a scratch pool. The file must be a regular file of at most max bytes; a FIFO,
 * device or directory is refused without waiting for data. When the file
 * changes while it is read (its size, mtime or ctime, in nanoseconds,
 * differ before and after, fewer or more bytes than its size were read, or
 * the path now names another file, as after an `mv` over it), it is read
 * again, up to CFAOP_READ_ATTEMPTS times in all, then that is an error.
 * NULL, or a message naming the file. */
const char *cfaop_read_stable(apr_pool_t *pool, const char *path, apr_size_t max,
                              char **data, apr_size_t *len);

/* The text after a UTF-8 byte order mark, which some editors write first:
 * not content. */
const char *cfaop_skip_bom(const char *data, apr_size_t *len);

#endif
