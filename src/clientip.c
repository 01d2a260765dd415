/* SPDX-License-Identifier: Apache-2.0 */
/* clientip.c: CF-Connecting-IP found by its name in ASCII, the one IPv4 or
 * IPv6 address it holds read strictly (inet_pton's grammar), its sockaddr. */
#include "clientip.h"

#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <apr_strings.h>

#include "ascii.h"

/* "203.0.113.9:443": a dotted quad, one ':', digits. */
static int has_port(const char *text)
{
    const char *colon = strchr(text, ':');
    char host[CFAOP_CLIENTIP_MAX + 1];
    unsigned char v4[4];
    const char *p;

    if (colon == NULL || strchr(colon + 1, ':') != NULL || colon[1] == '\0')
        return 0;
    for (p = colon + 1; *p; p++)
        if (!cfaop_ascii_isdigit((unsigned char)*p))
            return 0;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    return inet_pton(AF_INET, host, v4) == 1;
}

/* Why text (at most CFAOP_CLIENTIP_MAX bytes) cannot be an address by its
 * characters alone, or NULL when only inet_pton can tell. */
static const char *bad_characters(const char *text)
{
    const char *p;

    if (strchr(text, ',') != NULL)
        return "a list of addresses";
    for (p = text; *p; p++)
        if (cfaop_ascii_isspace((unsigned char)*p))
            return "white space";
    if (strpbrk(text, "[]") != NULL)
        return "brackets";
    if (strchr(text, '%') != NULL)
        return "a zone id";
    for (p = text; *p; p++)
        if (!cfaop_ascii_isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
            return "not an IP address";
    return NULL;
}

const char *cfaop_clientip_header(apr_pool_t *p, const apr_table_t *headers)
{
    const apr_array_header_t *arr = apr_table_elts(headers);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    const char *value = NULL;
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (e[i].key == NULL || e[i].val == NULL
            || cfaop_ascii_strcasecmp(e[i].key, CFAOP_CLIENTIP_HEADER) != 0)
            continue;
        value = value == NULL ? e[i].val : apr_pstrcat(p, value, ", ", e[i].val, NULL);
    }
    return value;
}

int cfaop_clientip_underscored(const char *name)
{
    const char *want = CFAOP_CLIENTIP_HEADER;
    int underscores = 0;

    for (; *name != '\0' && *want != '\0'; name++, want++) {
        if (*name == '_' && *want == '-')
            underscores++;
        else if (cfaop_ascii_tolower((unsigned char)*name) != cfaop_ascii_tolower((unsigned char)*want))
            return 0;
    }
    return *name == '\0' && *want == '\0' && underscores > 0;
}

const char *cfaop_clientip_parse(const char *value, cfaop_clientip_t *ip)
{
    static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    static const unsigned char zero[16];
    char text[CFAOP_CLIENTIP_MAX + 1];
    const char *why;
    size_t len;

    if (value == NULL || *value == '\0')
        return "empty";
    for (len = 0; len <= CFAOP_CLIENTIP_MAX && value[len] != '\0'; len++)
        ;
    if (len > CFAOP_CLIENTIP_MAX)
        return "longer than an address can be";
    memcpy(text, value, len);
    text[len] = '\0';
    if ((why = bad_characters(text)) != NULL)
        return why;

    memset(ip, 0, sizeof(*ip));
    if (strchr(text, ':') == NULL) {
        if (inet_pton(AF_INET, text, ip->addr) != 1)
            return "not an IP address";
        ip->family = APR_INET;
    }
    else if (inet_pton(AF_INET6, text, ip->addr) == 1) {
        ip->family = APR_INET6;
        if (memcmp(ip->addr, v4_mapped, sizeof(v4_mapped)) == 0) {
            memmove(ip->addr, ip->addr + 12, 4);
            memset(ip->addr + 4, 0, 12);
            ip->family = APR_INET;
        }
    }
    else
        return has_port(text) ? "an address with a port" : "not an IP address";

    if (memcmp(ip->addr, zero, ip->family == APR_INET ? 4 : 16) == 0)
        return "the unspecified address";
    if (inet_ntop(ip->family == APR_INET ? AF_INET : AF_INET6, ip->addr, ip->text,
                  sizeof(ip->text)) == NULL)
        return "not an IP address";
    return NULL;
}

apr_status_t cfaop_clientip_sockaddr(apr_pool_t *p, const cfaop_clientip_t *ip, apr_sockaddr_t **sa)
{
    /* The text is inet_ntop's, a numeric address of the family given:
     * getaddrinfo reads it without asking a resolver. */
    return apr_sockaddr_info_get(sa, ip->text, ip->family, 0, 0, p);
}
