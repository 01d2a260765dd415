/* SPDX-License-Identifier: Apache-2.0 */
/* directive.h: pure parsers for directive arguments. Each returns NULL or
 * a message without the directive's name; the glue prefixes that. */
#ifndef CFAOP_DIRECTIVE_H
#define CFAOP_DIRECTIVE_H

#include <apr_pools.h>

typedef enum {
    CFAOP_MODE_UNSET = -1,
    CFAOP_MODE_OFF = 0,
    CFAOP_MODE_ON,
    CFAOP_MODE_REPORT_ONLY
} cfaop_mode_t;

typedef enum {
    CFAOP_CCH_UNSET = -1,
    CFAOP_CCH_STRIP = 0,
    CFAOP_CCH_TRUST,
    CFAOP_CCH_VERIFY,
    CFAOP_CCH_OFF
} cfaop_cch_mode_t;

#define CFAOP_DEPTH_MAX 16

const char *cfaop_parse_mode(const char *arg, cfaop_mode_t *mode);
/* CFAOPClientCertHeaders: Strip | Trust | Verify | Off */
const char *cfaop_parse_cch(const char *arg, cfaop_cch_mode_t *mode);
const char *cfaop_parse_on_off(const char *arg, int *flag);
/* A whole number from 1 to CFAOP_DEPTH_MAX, nothing else. */
const char *cfaop_parse_depth(apr_pool_t *pool, const char *arg, int *depth);

#endif
