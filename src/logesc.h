/* SPDX-License-Identifier: Apache-2.0 */
/* logesc.h: values that come from the peer (SNI, Host, subject, issuer,
 * serial), made safe for one error-log line: quoted, escaped and bounded. */
#ifndef CFAOP_LOGESC_H
#define CFAOP_LOGESC_H

#include <stddef.h>
#include <apr_pools.h>

/* Most bytes one quoted value takes in a line, quotes and cut mark included. */
#define CFAOP_LOG_VALUE_MAX 256
/* Most bytes of the text the module hands to httpd for one line; httpd's
 * prefix (time, module, pid, client) keeps the whole line under 1 KiB. */
#define CFAOP_LOG_MSG_MAX 800

/* The value in double quotes: '"' as \", '\' as \\, bytes below 0x20,
 * 0x7F and above as \xHH. A value that would exceed CFAOP_LOG_VALUE_MAX is
 * cut at a whole escape and ends "...+ (the '+' outside the quotes marks
 * the cut). NULL is written as - (no quotes). */
const char *cfaop_log_quote(apr_pool_t *pool, const char *value);
const char *cfaop_log_quote_mem(apr_pool_t *pool, const char *value, size_t len);

/* msg itself when it is at most CFAOP_LOG_MSG_MAX bytes; else a copy cut
 * to that size, ending " [cut]". */
const char *cfaop_log_bound(apr_pool_t *pool, const char *msg);

#endif
