/* SPDX-License-Identifier: Apache-2.0 */
/* status_render.h: what the cf-aop-status page shows (a plain model built by
 * the glue) and its three renderings: HTML, JSON and OpenMetrics text. */
#ifndef CFAOP_STATUS_RENDER_H
#define CFAOP_STATUS_RENDER_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "counters.h"

typedef struct {
    const char *subject;                /* RFC 2253 */
    const char *file;                   /* the CA file, or "cloudflare" */
    apr_int64_t not_after;              /* seconds since the epoch */
} cfaop_status_anchor_t;

typedef struct {
    const char *file;
    apr_uint64_t entries;
    apr_int64_t loaded;                 /* when the configuration read it */
} cfaop_status_deny_t;

typedef struct {
    const char *file;
    const char *issuer;                 /* RFC 2253 */
    apr_uint64_t entries;
    apr_int64_t loaded;
    apr_int64_t next_update;            /* 0: none */
} cfaop_status_crl_t;

typedef struct {
    const char *policy;
    cfaop_leaf_t leaf;                  /* leaf.seen 0: none passed since the start */
} cfaop_status_leaf_t;

typedef struct {
    const char *name;                   /* "www.example.com:443", unique on the page */
    const char *mode;                   /* "On" or "ReportOnly" */
    int policies;                       /* the zone policy and one per hostname */
    int hostnames;
    apr_array_header_t *anchors;        /* cfaop_status_anchor_t */
    apr_array_header_t *deny;           /* cfaop_status_deny_t */
    apr_array_header_t *crls;           /* cfaop_status_crl_t */
    apr_array_header_t *leaves;         /* cfaop_status_leaf_t, policies with a leaf */
    cfaop_vhost_counters_t counters;    /* a snapshot; meaningless when !counters_available */
} cfaop_status_vhost_t;

typedef struct {
    const char *version;                /* "mod_cf_aop/1.0.0" */
    apr_int64_t now;
    apr_int64_t since;                  /* when the counters started (the last start or restart) */
    int counters_available;
    const char *unavailable;            /* why not, for the reader */
    apr_array_header_t *vhosts;         /* cfaop_status_vhost_t */
} cfaop_status_t;

/* Each returns the whole document, allocated from pool. */
const char *cfaop_status_html(apr_pool_t *pool, const cfaop_status_t *st);
const char *cfaop_status_json(apr_pool_t *pool, const cfaop_status_t *st);
const char *cfaop_status_openmetrics(apr_pool_t *pool, const cfaop_status_t *st);

/* The escapes the renderers use. Bytes that are not UTF-8 become U+FFFD. */
const char *cfaop_html_escape(apr_pool_t *pool, const char *s);
const char *cfaop_json_string(apr_pool_t *pool, const char *s);     /* with the quotes */
const char *cfaop_om_label_value(apr_pool_t *pool, const char *s);  /* with the quotes */

/* "2029-11-01T00:00:00Z" */
const char *cfaop_status_time(apr_pool_t *pool, apr_int64_t when);

#endif
