/* SPDX-License-Identifier: Apache-2.0 */
/* logesc.c: quoting and bounding of peer-supplied values for log lines. */
#include "logesc.h"

#include <string.h>
#include <apr_strings.h>

#define CUT_MARK " [cut]"

const char *cfaop_log_quote_mem(apr_pool_t *pool, const char *value, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    /* room for the quotes and the '+' that marks a cut value */
    const size_t room = CFAOP_LOG_VALUE_MAX - 3;
    char *out, *o;
    size_t i;

    if (value == NULL)
        return "-";
    out = o = apr_palloc(pool, CFAOP_LOG_VALUE_MAX + 1);
    *o++ = '"';
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        size_t need = (c == '"' || c == '\\') ? 2 : (c < 0x20 || c >= 0x7f) ? 4 : 1;

        if ((size_t)(o - out - 1) + need > room)
            break;
        if (need == 1)
            *o++ = (char)c;
        else if (need == 2) {
            *o++ = '\\';
            *o++ = (char)c;
        }
        else {
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 0x0f];
        }
    }
    *o++ = '"';
    if (i < len)
        *o++ = '+';
    *o = '\0';
    return out;
}

const char *cfaop_log_quote(apr_pool_t *pool, const char *value)
{
    return value ? cfaop_log_quote_mem(pool, value, strlen(value)) : "-";
}

const char *cfaop_log_bound(apr_pool_t *pool, const char *msg)
{
    size_t len = strlen(msg), keep = CFAOP_LOG_MSG_MAX - (sizeof(CUT_MARK) - 1);
    char *out;

    if (len <= CFAOP_LOG_MSG_MAX)
        return msg;
    out = apr_palloc(pool, CFAOP_LOG_MSG_MAX + 1);
    memcpy(out, msg, keep);
    memcpy(out + keep, CUT_MARK, sizeof(CUT_MARK));
    return out;
}
