/* SPDX-License-Identifier: Apache-2.0 */
/* directive.c: argument parsers: one for keywords, one for the depth. */
#include "directive.h"
#include "ascii.h"

#include <errno.h>
#include <stdlib.h>
#include <apr_strings.h>

const cfaop_keywords_t cfaop_mode_keywords = {
    "must be On, Off or ReportOnly",
    { { "On", CFAOP_MODE_ON }, { "Off", CFAOP_MODE_OFF },
      { "ReportOnly", CFAOP_MODE_REPORT_ONLY } }
};

const cfaop_keywords_t cfaop_cch_keywords = {
    "must be Strip, Trust, Verify or Off",
    { { "Strip", CFAOP_CCH_STRIP }, { "Trust", CFAOP_CCH_TRUST },
      { "Verify", CFAOP_CCH_VERIFY }, { "Off", CFAOP_CCH_OFF } }
};

const cfaop_keywords_t cfaop_on_off_keywords = {
    "must be On or Off",
    { { "On", 1 }, { "Off", 0 } }
};

const char *cfaop_parse_keyword(const cfaop_keywords_t *keywords, const char *arg, int *value)
{
    size_t i;

    for (i = 0; i < sizeof(keywords->words) / sizeof(keywords->words[0]); i++) {
        if (keywords->words[i].word != NULL && !cfaop_ascii_strcasecmp(arg, keywords->words[i].word)) {
            *value = keywords->words[i].value;
            return NULL;
        }
    }
    return keywords->must;
}

const char *cfaop_parse_depth(apr_pool_t *pool, const char *arg, int *depth)
{
    char *end;
    long value;

    if (*arg < '0' || *arg > '9')
        return apr_psprintf(pool, "'%s' is not a whole number from 1 to %d", arg, CFAOP_DEPTH_MAX);
    errno = 0;
    value = strtol(arg, &end, 10);
    if (errno != 0 || *end != '\0' || value < 1 || value > CFAOP_DEPTH_MAX)
        return apr_psprintf(pool, "'%s' is not a whole number from 1 to %d", arg, CFAOP_DEPTH_MAX);
    *depth = (int)value;
    return NULL;
}
