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

/* The words a keyword directive takes (any case, ASCII) and their values. */
typedef struct {
    const char *must;                   /* the message for anything else */
    struct {
        const char *word;
        int value;
    } words[4];                         /* the unused ones NULL */
} cfaop_keywords_t;

/* CFAOP: On | Off | ReportOnly (cfaop_mode_t) */
extern const cfaop_keywords_t cfaop_mode_keywords;
/* CFAOPClientCertHeaders: Strip | Trust | Verify | Off (cfaop_cch_mode_t) */
extern const cfaop_keywords_t cfaop_cch_keywords;
/* CFAOPHostCheck, CFAOPChainCache: On (1) | Off (0) */
extern const cfaop_keywords_t cfaop_on_off_keywords;

/* The one keyword parser: *value gets the value of the word arg is (and
 * is left alone otherwise). NULL, or the keywords' message. */
const char *cfaop_parse_keyword(const cfaop_keywords_t *keywords, const char *arg, int *value);

/* A whole number from 1 to CFAOP_DEPTH_MAX, nothing else. */
const char *cfaop_parse_depth(apr_pool_t *pool, const char *arg, int *depth);

#endif
