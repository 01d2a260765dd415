/* SPDX-License-Identifier: Apache-2.0 */
/* leg1.c: Leg-1 header classification, checks, collection and export. */
#include "leg1.h"
#include "rfc9440.h"

#include "ascii.h"

#include <string.h>
#include <apr_strings.h>

#define VAR_PREFIX "CF_CLIENT_CERT_"

/* Variables the module sets itself: never from a header. */
static const char *const reserved_vars[] = {
    VAR_PREFIX "PEM",
    VAR_PREFIX "CHAIN_PEM",
    VAR_PREFIX "ORIGIN_VERIFIED",
};

/* Fields whose values (hex, booleans, "Mar 21 13:35:00 2022 GMT") never
 * hold a comma. httpd joins a repeated header with ", " before any module
 * sees it, so a comma there is a duplicate that can still be detected. */
static const char *const comma_free_fields[] = {
    "VERIFIED", "REVOKED", "PRESENTED", "SERIAL", "ISSUER_SERIAL",
    "FINGERPRINT_SHA256", "FINGERPRINT_SHA1", "SKI", "ISSUER_SKI",
    "NOT_BEFORE", "NOT_AFTER",
};

#define NELTS(a) (sizeof(a) / sizeof((a)[0]))

/* Length of pattern when name starts with it: letters in any case, each
 * '-' of the pattern matching '-' or '_'; else 0. */
static size_t match_prefix(const char *name, const char *pattern)
{
    size_t i;

    for (i = 0; pattern[i] != '\0'; i++) {
        char c = name[i];

        if (c == '\0')
            return 0;
        if (pattern[i] == '-' ? (c != '-' && c != '_') : cfaop_ascii_tolower((unsigned char)c) != pattern[i])
            return 0;
    }
    return i;
}

cfaop_leg1_kind_t cfaop_leg1_kind(const char *name)
{
    size_t n;

    if (name == NULL)
        return CFAOP_LEG1_NOT;
    if ((n = match_prefix(name, "cf-cert-")) != 0)
        return name[n] != '\0' ? CFAOP_LEG1_CF_CERT : CFAOP_LEG1_NOT;
    if ((n = match_prefix(name, "cf-client-cert-")) != 0)
        return name[n] != '\0' ? CFAOP_LEG1_CF_CLIENT_CERT : CFAOP_LEG1_NOT;
    if ((n = match_prefix(name, "client-cert-chain")) != 0)
        return name[n] == '\0' ? CFAOP_LEG1_CLIENT_CERT_CHAIN : CFAOP_LEG1_NOT;
    if ((n = match_prefix(name, "client-cert")) != 0)
        return name[n] == '\0' ? CFAOP_LEG1_CLIENT_CERT : CFAOP_LEG1_NOT;
    return CFAOP_LEG1_NOT;
}

/* A header name as it may appear in a log line: printable ASCII, cut short. */
static const char *printable(apr_pool_t *pool, const char *name)
{
    size_t i, len = strlen(name);
    char *out;

    if (len > CFAOP_LEG1_SUFFIX_MAX + 16)
        len = CFAOP_LEG1_SUFFIX_MAX + 16;
    out = apr_pstrmemdup(pool, name, len);
    for (i = 0; i < len; i++)
        if ((unsigned char)out[i] <= 0x20 || (unsigned char)out[i] >= 0x7f || out[i] == '"')
            out[i] = '?';
    return len < strlen(name) ? apr_pstrcat(pool, out, "...", NULL) : out;
}

/* The name with its fixed part spelt with '-' only (as sent by Cloudflare). */
static int canonical(const char *name, cfaop_leg1_kind_t kind)
{
    switch (kind) {
    case CFAOP_LEG1_CF_CERT:
        return cfaop_ascii_strncasecmp(name, "cf-cert-", 8) == 0;
    case CFAOP_LEG1_CF_CLIENT_CERT:
        return cfaop_ascii_strncasecmp(name, "cf-client-cert-", 15) == 0;
    case CFAOP_LEG1_CLIENT_CERT:
        return cfaop_ascii_strcasecmp(name, "client-cert") == 0;
    case CFAOP_LEG1_CLIENT_CERT_CHAIN:
        return cfaop_ascii_strcasecmp(name, "client-cert-chain") == 0;
    default:
        return 0;
    }
}

int cfaop_leg1_underscored(const char *name)
{
    return cfaop_leg1_kind(name) != CFAOP_LEG1_NOT && strchr(name, '_') != NULL;
}

const char *cfaop_leg1_var_name(apr_pool_t *pool, const char *name, const char **var)
{
    cfaop_leg1_kind_t kind = cfaop_leg1_kind(name);
    const char *suffix;
    size_t i, len;
    char *out;

    if (kind != CFAOP_LEG1_CF_CERT && kind != CFAOP_LEG1_CF_CLIENT_CERT)
        return "not a cf-cert-* or cf-client-cert-* header";
    if (!canonical(name, kind))
        return "'_' in the header name (only the '-' spelling is accepted)";
    suffix = name + (kind == CFAOP_LEG1_CF_CERT ? 8 : 15);
    len = strlen(suffix);
    if (len > CFAOP_LEG1_SUFFIX_MAX)
        return apr_psprintf(pool, "the field name is longer than %d characters",
                            CFAOP_LEG1_SUFFIX_MAX);
    out = apr_palloc(pool, sizeof(VAR_PREFIX) + len);
    memcpy(out, VAR_PREFIX, sizeof(VAR_PREFIX) - 1);
    for (i = 0; i < len; i++) {
        char c = suffix[i];

        if (c == '-')
            c = '_';
        else if (cfaop_ascii_isalnum((unsigned char)c))
            c = (char)cfaop_ascii_toupper((unsigned char)c);
        else
            return "the field name has a character other than A-Z, a-z, 0-9 and '-'";
        out[sizeof(VAR_PREFIX) - 1 + i] = c;
    }
    out[sizeof(VAR_PREFIX) - 1 + len] = '\0';
    for (i = 0; i < NELTS(reserved_vars); i++)
        if (strcmp(out, reserved_vars[i]) == 0)
            return apr_pstrcat(pool, reserved_vars[i],
                               " is set by the module, never from a header", NULL);
    *var = out;
    return NULL;
}

const char *cfaop_leg1_check_value(apr_pool_t *pool, const char *value)
{
    size_t i, len = strlen(value);

    if (len > CFAOP_LEG1_VALUE_MAX)
        return apr_psprintf(pool, "the value is longer than %d bytes (%lu)",
                            CFAOP_LEG1_VALUE_MAX, (unsigned long)len);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];

        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return apr_psprintf(pool, "the value has a control character (0x%02X) at offset %lu",
                                c, (unsigned long)i);
    }
    return NULL;
}

static int comma_free(const char *var)
{
    size_t i;

    for (i = 0; i < NELTS(comma_free_fields); i++)
        if (strcmp(var + sizeof(VAR_PREFIX) - 1, comma_free_fields[i]) == 0)
            return 1;
    return 0;
}

void cfaop_leg1_init(apr_pool_t *pool, cfaop_leg1_t *leg1)
{
    memset(leg1, 0, sizeof(*leg1));
    leg1->pool = pool;
    leg1->vars = apr_array_make(pool, 16, sizeof(cfaop_leg1_var_t));
    leg1->names = apr_hash_make(pool);
    leg1->index = apr_hash_make(pool);
}

static const char *fail(cfaop_leg1_t *leg1, const char *name, const char *why)
{
    if (leg1->invalid == NULL)
        leg1->invalid = name != NULL
                        ? apr_pstrcat(leg1->pool, printable(leg1->pool, name), ": ", why, NULL)
                        : why;
    return leg1->invalid;
}

static const char *add_field(cfaop_leg1_t *leg1, const char *name, const char *value)
{
    apr_pool_t *pool = leg1->pool;
    const char *var, *err;
    cfaop_leg1_var_t *slot;
    void *at;

    if ((err = cfaop_leg1_var_name(pool, name, &var)) != NULL)
        return fail(leg1, name, err);
    if (comma_free(var) && strchr(value, ',') != NULL)
        return fail(leg1, name, "the value has a ',' (the header is repeated, or malformed)");
    at = apr_hash_get(leg1->index, var, APR_HASH_KEY_STRING);
    if (at != NULL) {
        slot = &APR_ARRAY_IDX(leg1->vars, (int)((apr_uintptr_t)at - 1), cfaop_leg1_var_t);
        if (strcmp(slot->value, value) != 0)
            return fail(leg1, name, apr_pstrcat(pool, "disagrees with ",
                                                printable(pool, slot->header),
                                                " (both set ", var, ")", NULL));
        return NULL;    /* cf-cert-X and cf-client-cert-X saying the same: one field */
    }
    slot = apr_array_push(leg1->vars);
    slot->name = var;
    slot->value = value;
    slot->header = name;
    apr_hash_set(leg1->index, var, APR_HASH_KEY_STRING,
                 (void *)(apr_uintptr_t)leg1->vars->nelts);
    if (strcmp(var, VAR_PREFIX "FINGERPRINT_SHA256") == 0)
        leg1->fingerprint = value;
    return NULL;
}

const char *cfaop_leg1_add(cfaop_leg1_t *leg1, const char *name, const char *value)
{
    cfaop_leg1_kind_t kind = cfaop_leg1_kind(name);
    apr_pool_t *pool = leg1->pool;
    const char *err;
    char *lower, *p;

    if (kind == CFAOP_LEG1_NOT)
        return leg1->invalid;
    leg1->present = 1;
    if (leg1->invalid != NULL)
        return leg1->invalid;
    if (leg1->finished)
        return fail(leg1, name, "added after the headers were finished");
    if (value == NULL)
        value = "";

    lower = apr_pstrdup(pool, name);
    for (p = lower; *p != '\0'; p++)
        *p = (char)cfaop_ascii_tolower((unsigned char)*p);
    if (apr_hash_get(leg1->names, lower, APR_HASH_KEY_STRING) != NULL)
        return fail(leg1, name, "the header is present more than once");
    apr_hash_set(leg1->names, lower, APR_HASH_KEY_STRING, lower);
    if ((err = cfaop_leg1_check_value(pool, value)) != NULL)
        return fail(leg1, name, err);

    switch (kind) {
    case CFAOP_LEG1_CLIENT_CERT:
    case CFAOP_LEG1_CLIENT_CERT_CHAIN:
        if (!canonical(name, kind))
            return fail(leg1, name, "'_' in the header name (only the '-' spelling is accepted)");
        /* A transform rule sends an empty value when there is no
         * certificate (or no intermediate): that is absence, not damage. */
        if (*value == '\0')
            return NULL;
        if (kind == CFAOP_LEG1_CLIENT_CERT)
            leg1->client_cert = value;
        else
            leg1->client_cert_chain = value;
        return NULL;
    default:
        return add_field(leg1, name, value);
    }
}

const char *cfaop_leg1_finish(cfaop_leg1_t *leg1)
{
    apr_pool_t *pool = leg1->pool;
    const char *err;

    if (leg1->finished)
        return leg1->invalid;
    leg1->finished = 1;
    if (leg1->invalid != NULL)
        return leg1->invalid;
    if (leg1->client_cert_chain != NULL && leg1->client_cert == NULL)
        return fail(leg1, "Client-Cert-Chain", "sent without Client-Cert");
    if (leg1->client_cert != NULL) {
        err = cfaop_rfc9440_parse_cert(pool, leg1->client_cert, strlen(leg1->client_cert),
                                       &leg1->cert);
        if (err != NULL)
            return fail(leg1, "Client-Cert", err);
        if ((leg1->cert_pem = cfaop_pem_cert(pool, leg1->cert)) == NULL)
            return fail(leg1, "Client-Cert", "cannot render the certificate as PEM");
    }
    if (leg1->client_cert_chain != NULL) {
        err = cfaop_rfc9440_parse_chain(pool, leg1->client_cert_chain,
                                        strlen(leg1->client_cert_chain), &leg1->chain);
        if (err != NULL)
            return fail(leg1, "Client-Cert-Chain", err);
        if ((leg1->chain_pem = cfaop_pem_chain(pool, leg1->chain)) == NULL)
            return fail(leg1, "Client-Cert-Chain", "cannot render the chain as PEM");
    }
    return NULL;
}

const char *cfaop_leg1_collect(apr_pool_t *pool, const apr_table_t *headers,
                               cfaop_leg1_t *leg1)
{
    const apr_array_header_t *arr = apr_table_elts(headers);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i;

    cfaop_leg1_init(pool, leg1);
    for (i = 0; i < arr->nelts; i++)
        if (e[i].key != NULL)
            cfaop_leg1_add(leg1, e[i].key, e[i].val);
    return cfaop_leg1_finish(leg1);
}

void cfaop_leg1_export(const cfaop_leg1_t *leg1, const char *origin_verified,
                       apr_table_t *env)
{
    int i;

    if (leg1->finished && leg1->invalid == NULL) {
        for (i = 0; i < leg1->vars->nelts; i++) {
            const cfaop_leg1_var_t *v = &APR_ARRAY_IDX(leg1->vars, i, cfaop_leg1_var_t);
            apr_table_setn(env, v->name, v->value);
        }
        if (leg1->cert_pem != NULL)
            apr_table_setn(env, VAR_PREFIX "PEM", leg1->cert_pem);
        if (leg1->chain_pem != NULL)
            apr_table_setn(env, VAR_PREFIX "CHAIN_PEM", leg1->chain_pem);
    }
    if (origin_verified != NULL)
        apr_table_setn(env, VAR_PREFIX "ORIGIN_VERIFIED", origin_verified);
}

int cfaop_table_drop(apr_table_t *table,
                     int (*drop)(void *baton, const char *key, const char *val), void *baton)
{
    const apr_array_header_t *arr = apr_table_elts(table);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_table_entry_t *keep;
    int i, n = arr->nelts, first = -1, kept = 0;

    for (i = 0; i < n && first < 0; i++)
        if (e[i].key != NULL && drop(baton, e[i].key, e[i].val))
            first = i;
    if (first < 0)
        return 0;
    /* apr_table_unset would compare names by the C library's case rules,
     * which follow the locale (and removes every entry of a name, where only some may
     * have to go): the entries to keep are put back one by one instead,
     * in their order, into the same table object that others point to. */
    keep = apr_palloc(arr->pool, sizeof(*keep) * (size_t)n);
    memcpy(keep, e, sizeof(*keep) * (size_t)first);
    kept = first;
    for (i = first + 1; i < n; i++)
        if (e[i].key != NULL && !drop(baton, e[i].key, e[i].val))
            keep[kept++] = e[i];
    apr_table_clear(table);
    for (i = 0; i < kept; i++)
        apr_table_addn(table, keep[i].key, keep[i].val);
    return n - kept;
}

static int drop_leg1(void *baton, const char *key, const char *val)
{
    (void)baton; (void)val;
    return cfaop_leg1_kind(key) != CFAOP_LEG1_NOT;
}

static int drop_underscored(void *baton, const char *key, const char *val)
{
    (void)baton; (void)val;
    return cfaop_leg1_underscored(key);
}

int cfaop_leg1_strip(apr_table_t *headers)
{
    return cfaop_table_drop(headers, drop_leg1, NULL);
}

int cfaop_leg1_strip_underscored(apr_table_t *headers)
{
    return cfaop_table_drop(headers, drop_underscored, NULL);
}

/* An entry that apr_table_overlay() copied from the trailers: the same
 * key and value pointers. */
static int drop_from_trailers(void *baton, const char *key, const char *val)
{
    const apr_array_header_t *arr = apr_table_elts((const apr_table_t *)baton);
    const apr_table_entry_t *t = (const apr_table_entry_t *)arr->elts;
    int i;

    if (cfaop_leg1_kind(key) == CFAOP_LEG1_NOT)
        return 0;
    for (i = 0; i < arr->nelts; i++)
        if (t[i].key == key && t[i].val == val)
            return 1;
    return 0;
}

int cfaop_leg1_strip_trailers(apr_table_t *headers, apr_table_t *trailers)
{
    if (trailers == NULL)
        return 0;
    if (headers != NULL && headers != trailers)
        cfaop_table_drop(headers, drop_from_trailers, trailers);
    return cfaop_leg1_strip(trailers);
}
