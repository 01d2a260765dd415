/* SPDX-License-Identifier: Apache-2.0 */
/* directive.c: argument parsers. */
#include "directive.h"
#include "ascii.h"

#include <errno.h>
#include <stdlib.h>
#include <apr_strings.h>

const char *cfaop_parse_mode(const char *arg, cfaop_mode_t *mode)
{
    if (!cfaop_ascii_strcasecmp(arg, "On"))
        *mode = CFAOP_MODE_ON;
    else if (!cfaop_ascii_strcasecmp(arg, "Off"))
        *mode = CFAOP_MODE_OFF;
    else if (!cfaop_ascii_strcasecmp(arg, "ReportOnly"))
        *mode = CFAOP_MODE_REPORT_ONLY;
    else
        return "must be On, Off or ReportOnly";
    return NULL;
}

const char *cfaop_parse_cch(const char *arg, cfaop_cch_mode_t *mode)
{
    if (!cfaop_ascii_strcasecmp(arg, "Strip"))
        *mode = CFAOP_CCH_STRIP;
    else if (!cfaop_ascii_strcasecmp(arg, "Trust"))
        *mode = CFAOP_CCH_TRUST;
    else if (!cfaop_ascii_strcasecmp(arg, "Verify"))
        *mode = CFAOP_CCH_VERIFY;
    else if (!cfaop_ascii_strcasecmp(arg, "Off"))
        *mode = CFAOP_CCH_OFF;
    else
        return "must be Strip, Trust, Verify or Off";
    return NULL;
}

const char *cfaop_parse_on_off(const char *arg, int *flag)
{
    if (!cfaop_ascii_strcasecmp(arg, "On"))
        *flag = 1;
    else if (!cfaop_ascii_strcasecmp(arg, "Off"))
        *flag = 0;
    else
        return "must be On or Off";
    return NULL;
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
