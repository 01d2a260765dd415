/* SPDX-License-Identifier: Apache-2.0 */
/* status_render.c: the cf-aop-status page as HTML, JSON and OpenMetrics
 * text, with the escaping each needs; the model comes from the glue. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <apr_strings.h>

#include "status_render.h"

/* ---- an append-only text buffer ---------------------------------------- */

typedef struct {
    apr_pool_t *pool;
    char *data;
    apr_size_t len, cap;
} buf_t;

/* cap: the expected size; the page asks for a few kB, an escaped value
 * for its own length (thousands of values make one page, so each must not
 * take a page's worth of the request's pool). */
static void buf_init(buf_t *b, apr_pool_t *pool, apr_size_t cap)
{
    b->pool = pool;
    b->len = 0;
    b->cap = cap ? cap : 1;
    b->data = apr_palloc(pool, b->cap);
}

static void put(buf_t *b, const char *s)
{
    apr_size_t n = strlen(s);

    if (b->len + n + 1 > b->cap) {
        apr_size_t cap = b->cap * 2;
        char *grown;

        while (cap < b->len + n + 1)
            cap *= 2;
        grown = apr_palloc(b->pool, cap);
        memcpy(grown, b->data, b->len);
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void putf(buf_t *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    put(b, apr_pvsprintf(b->pool, fmt, ap));
    va_end(ap);
}

static const char *buf_text(buf_t *b)
{
    b->data[b->len] = '\0';          /* put() always leaves room for it */
    return b->data;
}

/* ---- escaping ------------------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at s (1-4), or 0. */
static int utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F))
            return 0;                   /* overlong, or a surrogate */
        return 3;
    }
    if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

#define REPLACEMENT "\xEF\xBF\xBD"      /* U+FFFD */

typedef const char *(*escape_fn)(unsigned char c);

/* s with each ASCII byte passed through esc (NULL: kept), each valid UTF-8
 * sequence kept and each other byte replaced by U+FFFD. */
static const char *escape(apr_pool_t *pool, const char *s, escape_fn esc, const char *quote)
{
    buf_t b;
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    /* exact when nothing needs escaping, which is the common case */
    buf_init(&b, pool, strlen((const char *)p) + 2 * strlen(quote) + 1);
    put(&b, quote);
    while (*p) {
        int n = utf8_len(p);
        char one[5];

        if (n == 0) {
            put(&b, REPLACEMENT);
            p++;
            continue;
        }
        if (n == 1) {
            const char *e = esc(*p);
            if (e == NULL) {
                one[0] = (char)*p;
                one[1] = '\0';
                e = one;
            }
            put(&b, e);
            p++;
            continue;
        }
        memcpy(one, p, n);
        one[n] = '\0';
        put(&b, one);
        p += n;
    }
    put(&b, quote);
    return buf_text(&b);
}

static const char *html_char(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return (c < 0x20 || c == 0x7F) ? REPLACEMENT : NULL;
    }
}

static const char *json_char(unsigned char c)
{
    static const char *const low[32] = {
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f",
        "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
        "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
    };

    if (c < 0x20)
        return low[c];
    if (c == '"')
        return "\\\"";
    if (c == '\\')
        return "\\\\";
    if (c == 0x7F)
        return "\\u007f";
    return NULL;
}

/* OpenMetrics label values: \\, \" and \n are the only escapes; every
 * other character, controls included, is written as it is. */
static const char *om_char(unsigned char c)
{
    if (c == '"')
        return "\\\"";
    if (c == '\\')
        return "\\\\";
    if (c == '\n')
        return "\\n";
    return NULL;
}

const char *cfaop_html_escape(apr_pool_t *pool, const char *s)
{
    return escape(pool, s, html_char, "");
}

const char *cfaop_json_string(apr_pool_t *pool, const char *s)
{
    return escape(pool, s, json_char, "\"");
}

const char *cfaop_om_label_value(apr_pool_t *pool, const char *s)
{
    return escape(pool, s, om_char, "\"");
}

const char *cfaop_status_time(apr_pool_t *pool, apr_int64_t when)
{
    time_t t = (time_t)when;
    struct tm tm;
    char text[32];

    if (gmtime_r(&t, &tm) == NULL || strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return "-";
    return apr_pstrdup(pool, text);
}

/* ---- the counters, as each format names them ----------------------------- */

static const char *const kind_result[CFAOP_COUNT_KINDS] = {
    "passed", "refused", "reported", NULL, NULL, NULL
};

#define FOR_SHOWN(kind, reason) \
    for (reason = 0; reason < CFAOP_REASON_COUNT; reason++) \
        if (cfaop_count_shown((kind), (cfaop_reason_t)reason))

static apr_uint32_t count_of(const cfaop_status_vhost_t *v, cfaop_count_kind_t kind, int reason)
{
    return v->counters.c[cfaop_count_index(kind, (cfaop_reason_t)reason)];
}

static long days(const cfaop_status_t *st, apr_int64_t when)
{
    return cfaop_days_left(when, st->now);
}

/* ---- HTML ---------------------------------------------------------------- */

static void html_counters(buf_t *b, const cfaop_status_vhost_t *v)
{
    static const char *const what[CFAOP_COUNT_KINDS] = {
        "handshakes passed", "handshakes refused", "handshakes reported (ReportOnly)",
        "resumptions declined", "requests refused (421)", "requests refused (403)"
    };
    int kind, reason;

    put(b, "<table>\n<tr><th>Counter</th><th>Reason</th><th>Count</th></tr>\n");
    for (kind = 0; kind < CFAOP_COUNT_KINDS; kind++)
        FOR_SHOWN(kind, reason)
            putf(b, "<tr><td>%s</td><td>%s</td><td>%u</td></tr>\n", what[kind],
                 cfaop_reason_name((cfaop_reason_t)reason),
                 count_of(v, (cfaop_count_kind_t)kind, reason));
    put(b, "</table>\n");
}

static void html_vhost(buf_t *b, const cfaop_status_t *st, const cfaop_status_vhost_t *v)
{
    apr_pool_t *p = b->pool;
    int i;

    putf(b, "<h2>%s</h2>\n<p>CFAOP %s, %d polic%s, %d hostname%s</p>\n",
         cfaop_html_escape(p, v->name), v->mode, v->policies, v->policies == 1 ? "y" : "ies",
         v->hostnames, v->hostnames == 1 ? "" : "s");
    put(b, "<h3>Anchors</h3>\n<table>\n<tr><th>Subject</th><th>File</th><th>notAfter</th>"
           "<th>Days left</th></tr>\n");
    for (i = 0; i < v->anchors->nelts; i++) {
        const cfaop_status_anchor_t *a = &APR_ARRAY_IDX(v->anchors, i, cfaop_status_anchor_t);
        putf(b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%ld</td></tr>\n",
             cfaop_html_escape(p, a->subject), cfaop_html_escape(p, a->file),
             cfaop_status_time(p, a->not_after), days(st, a->not_after));
    }
    put(b, "</table>\n");
    if (v->deny->nelts > 0) {
        put(b, "<h3>Deny lists</h3>\n<table>\n<tr><th>File</th><th>Entries</th><th>Loaded</th></tr>\n");
        for (i = 0; i < v->deny->nelts; i++) {
            const cfaop_status_deny_t *d = &APR_ARRAY_IDX(v->deny, i, cfaop_status_deny_t);
            putf(b, "<tr><td>%s</td><td>%" APR_UINT64_T_FMT "</td><td>%s</td></tr>\n",
                 cfaop_html_escape(p, d->file), d->entries, cfaop_status_time(p, d->loaded));
        }
        put(b, "</table>\n");
    }
    if (v->crls->nelts > 0) {
        put(b, "<h3>CRLs</h3>\n<table>\n<tr><th>File</th><th>Issuer</th><th>Entries</th>"
               "<th>Loaded</th><th>nextUpdate</th><th>Days left</th></tr>\n");
        for (i = 0; i < v->crls->nelts; i++) {
            const cfaop_status_crl_t *c = &APR_ARRAY_IDX(v->crls, i, cfaop_status_crl_t);
            putf(b, "<tr><td>%s</td><td>%s</td><td>%" APR_UINT64_T_FMT "</td><td>%s</td>"
                 "<td>%s</td><td>%s</td></tr>\n",
                 cfaop_html_escape(p, c->file), cfaop_html_escape(p, c->issuer), c->entries,
                 cfaop_status_time(p, c->loaded),
                 c->next_update ? cfaop_status_time(p, c->next_update) : "none",
                 c->next_update ? apr_ltoa(p, days(st, c->next_update)) : "-");
        }
        put(b, "</table>\n");
    }
    put(b, "<h3>Last certificate that passed, per policy</h3>\n");
    if (!st->counters_available)
        put(b, "<p>Unavailable (see above).</p>\n");
    else if (v->leaves->nelts == 0)
        put(b, "<p>None since the counters started.</p>\n");
    else {
        put(b, "<table>\n<tr><th>Policy</th><th>Serial</th><th>notAfter</th><th>Days left</th></tr>\n");
        for (i = 0; i < v->leaves->nelts; i++) {
            const cfaop_status_leaf_t *l = &APR_ARRAY_IDX(v->leaves, i, cfaop_status_leaf_t);
            putf(b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%ld</td></tr>\n",
                 cfaop_html_escape(p, l->policy),
                 cfaop_leaf_serial_hex(p, l->leaf.serial, l->leaf.serial_len),
                 cfaop_status_time(p, l->leaf.not_after), days(st, l->leaf.not_after));
        }
        put(b, "</table>\n");
    }
    put(b, "<h3>Counters</h3>\n");
    if (st->counters_available)
        html_counters(b, v);
    else
        put(b, "<p>Unavailable (see above).</p>\n");
}

const char *cfaop_status_html(apr_pool_t *pool, const cfaop_status_t *st)
{
    buf_t b;
    int i;

    buf_init(&b, pool, 16384);
    put(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<title>mod_cf_aop status</title></head><body>\n<h1>mod_cf_aop status</h1>\n");
    putf(&b, "<p>%s; now %s; counters since %s (the last start or restart)</p>\n",
         cfaop_html_escape(pool, st->version), cfaop_status_time(pool, st->now),
         cfaop_status_time(pool, st->since));
    if (!st->counters_available)
        putf(&b, "<p><strong>Counters unavailable: %s</strong></p>\n",
             cfaop_html_escape(pool, st->unavailable));
    if (st->vhosts->nelts == 0)
        put(&b, "<p>No virtual host has CFAOP On or ReportOnly.</p>\n");
    for (i = 0; i < st->vhosts->nelts; i++)
        html_vhost(&b, st, &APR_ARRAY_IDX(st->vhosts, i, cfaop_status_vhost_t));
    put(&b, "</body></html>\n");
    return buf_text(&b);
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_reasons(buf_t *b, const cfaop_status_vhost_t *v, cfaop_count_kind_t kind)
{
    int reason, n = 0;

    put(b, "{");
    FOR_SHOWN(kind, reason)
        putf(b, "%s\"%s\":%u", n++ ? "," : "", cfaop_reason_name((cfaop_reason_t)reason),
             count_of(v, kind, reason));
    put(b, "}");
}

static void json_time(buf_t *b, const cfaop_status_t *st, const char *name, apr_int64_t when)
{
    putf(b, "\"%s\":\"%s\",\"%s_seconds\":%" APR_INT64_T_FMT ",\"%s_days_left\":%ld",
         name, cfaop_status_time(b->pool, when), name, when, name, days(st, when));
}

static void json_vhost(buf_t *b, const cfaop_status_t *st, const cfaop_status_vhost_t *v)
{
    apr_pool_t *p = b->pool;
    int i;

    putf(b, "{\"vhost\":%s,\"mode\":\"%s\",\"policies\":%d,\"hostnames\":%d,\"anchors\":[",
         cfaop_json_string(p, v->name), v->mode, v->policies, v->hostnames);
    for (i = 0; i < v->anchors->nelts; i++) {
        const cfaop_status_anchor_t *a = &APR_ARRAY_IDX(v->anchors, i, cfaop_status_anchor_t);
        putf(b, "%s{\"subject\":%s,\"file\":%s,", i ? "," : "",
             cfaop_json_string(p, a->subject), cfaop_json_string(p, a->file));
        json_time(b, st, "not_after", a->not_after);
        put(b, "}");
    }
    put(b, "],\"deny_lists\":[");
    for (i = 0; i < v->deny->nelts; i++) {
        const cfaop_status_deny_t *d = &APR_ARRAY_IDX(v->deny, i, cfaop_status_deny_t);
        putf(b, "%s{\"file\":%s,\"entries\":%" APR_UINT64_T_FMT ",\"loaded\":\"%s\","
             "\"loaded_seconds\":%" APR_INT64_T_FMT "}", i ? "," : "",
             cfaop_json_string(p, d->file), d->entries, cfaop_status_time(p, d->loaded), d->loaded);
    }
    put(b, "],\"crls\":[");
    for (i = 0; i < v->crls->nelts; i++) {
        const cfaop_status_crl_t *c = &APR_ARRAY_IDX(v->crls, i, cfaop_status_crl_t);
        putf(b, "%s{\"file\":%s,\"issuer\":%s,\"entries\":%" APR_UINT64_T_FMT ",\"loaded\":\"%s\","
             "\"loaded_seconds\":%" APR_INT64_T_FMT ",", i ? "," : "",
             cfaop_json_string(p, c->file), cfaop_json_string(p, c->issuer), c->entries,
             cfaop_status_time(p, c->loaded), c->loaded);
        if (c->next_update)
            json_time(b, st, "next_update", c->next_update);
        else
            put(b, "\"next_update\":null,\"next_update_seconds\":null,\"next_update_days_left\":null");
        put(b, "}");
    }
    put(b, "],\"leaves\":[");
    for (i = 0; i < v->leaves->nelts; i++) {
        const cfaop_status_leaf_t *l = &APR_ARRAY_IDX(v->leaves, i, cfaop_status_leaf_t);
        putf(b, "%s{\"policy\":%s,\"serial\":\"%s\",", i ? "," : "", cfaop_json_string(p, l->policy),
             cfaop_leaf_serial_hex(p, l->leaf.serial, l->leaf.serial_len));
        json_time(b, st, "not_after", l->leaf.not_after);
        put(b, "}");
    }
    put(b, "]");
    if (st->counters_available) {
        putf(b, ",\"handshakes\":{\"passed\":%u,\"refused\":",
             count_of(v, CFAOP_COUNT_PASSED, CFAOP_REASON_NONE));
        json_reasons(b, v, CFAOP_COUNT_REFUSED);
        put(b, ",\"reported\":");
        json_reasons(b, v, CFAOP_COUNT_REPORTED);
        put(b, "},\"resumptions_declined\":");
        json_reasons(b, v, CFAOP_COUNT_DECLINED);
        put(b, ",\"requests_refused\":{\"421\":");
        json_reasons(b, v, CFAOP_COUNT_421);
        put(b, ",\"403\":");
        json_reasons(b, v, CFAOP_COUNT_403);
        put(b, "}");
    }
    put(b, "}");
}

const char *cfaop_status_json(apr_pool_t *pool, const cfaop_status_t *st)
{
    buf_t b;
    int i;

    buf_init(&b, pool, 16384);
    putf(&b, "{\"version\":%s,\"now\":\"%s\",\"now_seconds\":%" APR_INT64_T_FMT ","
         "\"counters_since\":\"%s\",\"counters_since_seconds\":%" APR_INT64_T_FMT ","
         "\"counters_available\":%s,", cfaop_json_string(pool, st->version),
         cfaop_status_time(pool, st->now), st->now, cfaop_status_time(pool, st->since),
         st->since, st->counters_available ? "true" : "false");
    if (!st->counters_available)
        putf(&b, "\"counters_unavailable\":%s,", cfaop_json_string(pool, st->unavailable));
    put(&b, "\"vhosts\":[");
    for (i = 0; i < st->vhosts->nelts; i++) {
        if (i)
            put(&b, ",");
        json_vhost(&b, st, &APR_ARRAY_IDX(st->vhosts, i, cfaop_status_vhost_t));
    }
    put(&b, "]}\n");
    return buf_text(&b);
}

/* ---- OpenMetrics ------------------------------------------------------- */

static void om_family(buf_t *b, const char *name, const char *type, const char *unit,
                      const char *help)
{
    putf(b, "# TYPE %s %s\n", name, type);
    if (unit != NULL)
        putf(b, "# UNIT %s %s\n", name, unit);
    putf(b, "# HELP %s %s\n", name, help);
}

/* OpenMetrics allows one series per label set, so of the entries of `list`
 * sharing a file and a name (an anchor's subject, a CRL's issuer) only one
 * is written: for anchors the latest notAfter, for CRLs the earliest
 * nextUpdate (the one to act on), the first of equals. Entry k is
 * shadowed when another one wins. */
typedef struct {
    size_t file, name, date;            /* offsets in the entry */
    int latest;                         /* keep the latest date, else the earliest */
} om_series_key_t;

static const om_series_key_t anchor_key = {
    offsetof(cfaop_status_anchor_t, file), offsetof(cfaop_status_anchor_t, subject),
    offsetof(cfaop_status_anchor_t, not_after), 1
};
static const om_series_key_t crl_key = {
    offsetof(cfaop_status_crl_t, file), offsetof(cfaop_status_crl_t, issuer),
    offsetof(cfaop_status_crl_t, next_update), 0
};

#define FIELD(entry, off, type) (*(const type *)((entry) + (off)))

static int om_shadowed(const apr_array_header_t *list, const om_series_key_t *key, int k)
{
    const char *e = list->elts + (size_t)k * list->elt_size;
    apr_int64_t date = FIELD(e, key->date, apr_int64_t);
    int i;

    for (i = 0; i < list->nelts; i++) {
        const char *o = list->elts + (size_t)i * list->elt_size;
        apr_int64_t other = FIELD(o, key->date, apr_int64_t);

        if (i != k && !strcmp(FIELD(o, key->file, char *), FIELD(e, key->file, char *))
            && !strcmp(FIELD(o, key->name, char *), FIELD(e, key->name, char *))
            && ((key->latest ? other > date : other < date) || (other == date && i < k)))
            return 1;
    }
    return 0;
}

/* The families of deny lists and CRLs: one value of each, per vhost. */
typedef enum { DENY_ENTRIES, DENY_LOADED, CRL_ENTRIES, CRL_LOADED, CRL_NEXT_UPDATE } list_value_t;

static void om_lists(buf_t *b, const cfaop_status_t *st, const char *name, const char *unit,
                     const char *help, list_value_t what)
{
    apr_pool_t *p = b->pool;
    int i, j;

    om_family(b, name, "gauge", unit, help);
    for (i = 0; i < st->vhosts->nelts; i++) {
        const cfaop_status_vhost_t *v = &APR_ARRAY_IDX(st->vhosts, i, cfaop_status_vhost_t);
        const char *vh = cfaop_om_label_value(p, v->name);

        for (j = 0; what <= DENY_LOADED && j < v->deny->nelts; j++) {
            const cfaop_status_deny_t *d = &APR_ARRAY_IDX(v->deny, j, cfaop_status_deny_t);
            putf(b, "%s{vhost=%s,file=%s} %" APR_INT64_T_FMT "\n", name, vh,
                 cfaop_om_label_value(p, d->file),
                 what == DENY_ENTRIES ? (apr_int64_t)d->entries : d->loaded);
        }
        for (j = 0; what >= CRL_ENTRIES && j < v->crls->nelts; j++) {
            const cfaop_status_crl_t *c = &APR_ARRAY_IDX(v->crls, j, cfaop_status_crl_t);
            if (om_shadowed(v->crls, &crl_key, j) || (what == CRL_NEXT_UPDATE && !c->next_update))
                continue;
            putf(b, "%s{vhost=%s,file=%s,issuer=%s} %" APR_INT64_T_FMT "\n", name, vh,
                 cfaop_om_label_value(p, c->file), cfaop_om_label_value(p, c->issuer),
                 what == CRL_ENTRIES ? (apr_int64_t)c->entries
                 : what == CRL_LOADED ? c->loaded : c->next_update);
        }
    }
}

/* One counter family: per vhost, per kind from first to last (named by
 * `label`: the result, or the status of a refused request) and per reason
 * shown for that kind. */
static void om_counters(buf_t *b, apr_pool_t *p, const cfaop_status_t *st, const char *family,
                        const char *help, const char *label, int first, int last)
{
    int i, kind, reason;

    om_family(b, family, "counter", NULL, help);
    for (i = 0; i < st->vhosts->nelts; i++) {
        const cfaop_status_vhost_t *v = &APR_ARRAY_IDX(st->vhosts, i, cfaop_status_vhost_t);
        const char *vh = cfaop_om_label_value(p, v->name);

        for (kind = first; kind <= last; kind++)
            FOR_SHOWN(kind, reason) {
                const char *by = label == NULL ? ""
                    : apr_psprintf(p, "%s=\"%s\",", label,
                                   kind == CFAOP_COUNT_421 ? "421"
                                   : kind == CFAOP_COUNT_403 ? "403" : kind_result[kind]);

                putf(b, "%s_total{vhost=%s,%sreason=\"%s\"} %u\n", family, vh, by,
                     cfaop_reason_name((cfaop_reason_t)reason),
                     count_of(v, (cfaop_count_kind_t)kind, reason));
            }
    }
}

const char *cfaop_status_openmetrics(apr_pool_t *p, const cfaop_status_t *st)
{
    buf_t b;
    int i, j;
    const cfaop_status_vhost_t *v;

#define EACH_VHOST for (i = 0; i < st->vhosts->nelts && (v = &APR_ARRAY_IDX(st->vhosts, i, cfaop_status_vhost_t)); i++)
#define VH cfaop_om_label_value(p, v->name)

    buf_init(&b, p, 16384);
    om_family(&b, "cfaop_build", "info", NULL, "The module's version.");
    putf(&b, "cfaop_build_info{version=%s} 1\n", cfaop_om_label_value(p, st->version));
    om_family(&b, "cfaop_vhost", "info", NULL,
              "A virtual host with CFAOP On or ReportOnly, its mode and number of policies and hostnames.");
    EACH_VHOST
        putf(&b, "cfaop_vhost_info{vhost=%s,mode=\"%s\",policies=\"%d\",hostnames=\"%d\"} 1\n",
             VH, v->mode, v->policies, v->hostnames);
    om_family(&b, "cfaop_counters_available", "gauge", NULL,
              "1 when the counters are kept (mod_slotmem_shm is loaded), else 0.");
    putf(&b, "cfaop_counters_available %d\n", st->counters_available ? 1 : 0);
    if (st->counters_available) {
        om_family(&b, "cfaop_counters_since_seconds", "gauge", "seconds",
                  "When the counters started: the last start or restart of httpd.");
        putf(&b, "cfaop_counters_since_seconds %" APR_INT64_T_FMT "\n", st->since);
        om_counters(&b, p, st, "cfaop_handshakes",
                    "TLS handshakes judged, by result (passed, refused, reported) and reason.",
                    "result", CFAOP_COUNT_PASSED, CFAOP_COUNT_REPORTED);
        om_counters(&b, p, st, "cfaop_resumptions_declined",
                    "Session resumptions declined (a full handshake followed), by reason.",
                    NULL, CFAOP_COUNT_DECLINED, CFAOP_COUNT_DECLINED);
        om_counters(&b, p, st, "cfaop_requests_refused",
                    "Requests refused by the module, by status (421, 403) and reason.",
                    "status", CFAOP_COUNT_421, CFAOP_COUNT_403);
        om_family(&b, "cfaop_leaf_not_after_seconds", "gauge", "seconds",
                  "notAfter of the last client certificate that passed, per policy.");
        EACH_VHOST
            for (j = 0; j < v->leaves->nelts; j++) {
                const cfaop_status_leaf_t *l = &APR_ARRAY_IDX(v->leaves, j, cfaop_status_leaf_t);
                putf(&b, "cfaop_leaf_not_after_seconds{vhost=%s,policy=%s,serial=\"%s\"} %"
                     APR_INT64_T_FMT "\n", VH, cfaop_om_label_value(p, l->policy),
                     cfaop_leaf_serial_hex(p, l->leaf.serial, l->leaf.serial_len), l->leaf.not_after);
            }
    }
    om_family(&b, "cfaop_anchor_not_after_seconds", "gauge", "seconds",
              "notAfter of each trusted CA certificate.");
    EACH_VHOST
        for (j = 0; j < v->anchors->nelts; j++) {
            const cfaop_status_anchor_t *a = &APR_ARRAY_IDX(v->anchors, j, cfaop_status_anchor_t);
            if (!om_shadowed(v->anchors, &anchor_key, j))
                putf(&b, "cfaop_anchor_not_after_seconds{vhost=%s,subject=%s,file=%s} %" APR_INT64_T_FMT "\n",
                     VH, cfaop_om_label_value(p, a->subject), cfaop_om_label_value(p, a->file),
                     a->not_after);
        }
    om_lists(&b, st, "cfaop_deny_list_entries", NULL,
             "Serials each CFAOPDenySerialFile added when it was loaded.", DENY_ENTRIES);
    om_lists(&b, st, "cfaop_deny_list_loaded_seconds", "seconds",
             "When each CFAOPDenySerialFile was loaded.", DENY_LOADED);
    om_lists(&b, st, "cfaop_crl_entries", NULL, "Revoked serials each CRL lists.", CRL_ENTRIES);
    om_lists(&b, st, "cfaop_crl_loaded_seconds", "seconds", "When each CRL was loaded.", CRL_LOADED);
    om_lists(&b, st, "cfaop_crl_next_update_seconds", "seconds",
             "nextUpdate of each CRL that has one.", CRL_NEXT_UPDATE);
    put(&b, "# EOF\n");
#undef EACH_VHOST
#undef VH
    return buf_text(&b);
}
