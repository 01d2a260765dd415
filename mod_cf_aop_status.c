/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cf_aop_status.c: the cf-aop-status handler, its counters in httpd's
 * shared slot memory (mod_slotmem_shm), mod_status's section and the leaf expiry warning. */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "ap_provider.h"
#include "ap_slotmem.h"
#include "mod_status.h"

#include <apr_atomic.h>
#include <apr_hash.h>
#include <apr_optional_hooks.h>
#include <apr_strings.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>
#include <string.h>
#include <time.h>

#include "mod_cf_aop_private.h"
#include "src/ascii.h"
#include "src/certinfo.h"
#include "src/counters.h"
#include "src/crl.h"
#include "src/status_render.h"
#include "src/version.h"

#define STATUS_HANDLER "cf-aop-status"
#define LEAF_WARNING_DAYS 30

/* One CFAOP vhost's part of the page: what the configuration fixed (built
 * once per start) and where its counters and leaf records live. */
struct cfaop_status_vhost {
    cfaop_vhost_counters_t *counters;   /* shared memory; NULL: unavailable */
    cfaop_leaf_slot_t *leaves;          /* shared memory, one per policy; NULL likewise */
    apr_hash_t *policy_slot;            /* const cfaop_policy_t * -> int *, into leaves */
    const char **policy_names;          /* by slot */
    int npolicies;
    server_rec *s;
    cfaop_status_vhost_t model;         /* the configuration's part of the page */
};

/* One generation's state, in pconf; the parent builds it in post_config
 * and the children inherit it, read-only. */
static apr_array_header_t *status_vhosts;       /* struct cfaop_status_vhost * */
static apr_hash_t *deny_notes;                  /* server_rec * -> apr_array of cfaop_status_deny_t */
static apr_int64_t counters_since;
static const char *unavailable;                 /* why the counters are not kept, or NULL */

/* ---- configuration ------------------------------------------------------- */

void cfaop_status_note_deny_file(server_rec *s, const char *path, apr_size_t entries)
{
    apr_array_header_t *notes;
    cfaop_status_deny_t *d;

    if (deny_notes == NULL)
        return;
    notes = apr_hash_get(deny_notes, &s, sizeof(s));
    if (notes == NULL) {
        notes = apr_array_make(apr_hash_pool_get(deny_notes), 2, sizeof(cfaop_status_deny_t));
        apr_hash_set(deny_notes, apr_pmemdup(apr_hash_pool_get(deny_notes), &s, sizeof(s)),
                     sizeof(s), notes);
    }
    d = apr_array_push(notes);
    d->file = apr_pstrdup(notes->pool, path);
    d->entries = entries;
    d->loaded = apr_time_sec(apr_time_now());
}

static int status_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog; (void)ptemp;
    deny_notes = apr_hash_make(pconf);
    status_vhosts = NULL;
    unavailable = "no virtual host has CFAOP On or ReportOnly";
    return OK;
}

static apr_int64_t cert_time(const ASN1_TIME *when)
{
    time_t t;

    return cfaop_time_epoch(when, &t) ? (apr_int64_t)t : 0;
}

static unsigned vhost_port(const server_rec *s)
{
    if (s->port != 0 || s->addrs == NULL)
        return s->port;
    return s->addrs->host_port;
}

/* Each distinct CA certificate of a set, once per vhost. */
static void add_anchors(apr_pool_t *p, cfaop_status_vhost_t *m, apr_hash_t *seen,
                        const cfaop_anchor_set_t *set)
{
    int k;

    for (k = 0; k < sk_X509_num(set->certs); k++) {
        X509 *cert = sk_X509_value(set->certs, k);
        cfaop_status_anchor_t *a;

        if (apr_hash_get(seen, &cert, sizeof(cert)) != NULL)
            continue;
        apr_hash_set(seen, apr_pmemdup(p, &cert, sizeof(cert)), sizeof(cert), set);
        a = apr_array_push(m->anchors);
        a->subject = cfaop_format_dn(p, X509_get_subject_name(cert));
        a->file = set->source;
        a->not_after = cert_time(X509_get0_notAfter(cert));
    }
}

/* What merge_srv_cfg gives a vhost: its own deny files after the main
 * server's, or the main server's alone. */
static void add_deny_files(apr_pool_t *p, cfaop_status_vhost_t *m, server_rec *main_server,
                           server_rec *s)
{
    const apr_array_header_t *base = apr_hash_get(deny_notes, &main_server, sizeof(main_server));
    const apr_array_header_t *own = s != main_server ? apr_hash_get(deny_notes, &s, sizeof(s)) : NULL;

    const apr_array_header_t *both[2] = { base, own };
    int b, i, j;

    (void)p;
    /* one row per file: a path the main server and the vhost both name is
     * one list (OpenMetrics forbids two series of one label set) */
    for (b = 0; b < 2; b++)
        for (i = 0; both[b] != NULL && i < both[b]->nelts; i++) {
            const cfaop_status_deny_t *d = &APR_ARRAY_IDX(both[b], i, cfaop_status_deny_t);
            for (j = 0; j < m->deny->nelts; j++)
                if (!strcmp(APR_ARRAY_IDX(m->deny, j, cfaop_status_deny_t).file, d->file))
                    break;
            if (j == m->deny->nelts)
                *(cfaop_status_deny_t *)apr_array_push(m->deny) = *d;
        }
}

static struct cfaop_status_vhost *build_vhost(apr_pool_t *p, server_rec *main_server, server_rec *s,
                                              apr_hash_t *names, apr_int64_t now)
{
    const cfaop_srv_cfg *sc = cfaop_srv(s);
    struct cfaop_status_vhost *vs = apr_pcalloc(p, sizeof(*vs));
    cfaop_status_vhost_t *m = &vs->model;
    const apr_array_header_t *entries = sc->hostmap ? cfaop_hostmap_values(sc->hostmap) : NULL;
    apr_hash_t *seen = apr_hash_make(p);
    const char *name = apr_psprintf(p, "%s:%u", s->server_hostname ? s->server_hostname : "-",
                                    vhost_port(s));
    int i, j, *slot;

    /* two vhosts of one name and port still get a series each */
    for (i = 2; apr_hash_get(names, name, APR_HASH_KEY_STRING) != NULL; i++)
        name = apr_psprintf(p, "%s:%u#%d", s->server_hostname ? s->server_hostname : "-",
                            vhost_port(s), i);
    apr_hash_set(names, name, APR_HASH_KEY_STRING, vs);
    vs->s = s;
    m->name = name;
    m->mode = sc->mode == CFAOP_MODE_ON ? "On" : "ReportOnly";
    m->hostnames = entries ? entries->nelts : 0;
    m->policies = 1 + m->hostnames;
    m->anchors = apr_array_make(p, 4, sizeof(cfaop_status_anchor_t));
    m->deny = apr_array_make(p, 1, sizeof(cfaop_status_deny_t));
    m->crls = apr_array_make(p, 1, sizeof(cfaop_status_crl_t));
    m->leaves = NULL;

    vs->npolicies = m->policies;
    vs->policy_names = apr_pcalloc(p, sizeof(*vs->policy_names) * vs->npolicies);
    vs->policy_slot = apr_hash_make(p);
    vs->policy_names[0] = "zone";
    if (sc->engine != NULL) {
        slot = apr_pcalloc(p, sizeof(*slot));
        apr_hash_set(vs->policy_slot, apr_pmemdup(p, &sc->engine->zone_policy,
                                                  sizeof(sc->engine->zone_policy)),
                     sizeof(sc->engine->zone_policy), slot);
    }
    for (i = 0; sc->trusted != NULL && i < sc->trusted->nelts; i++)
        add_anchors(p, m, seen, APR_ARRAY_IDX(sc->trusted, i, cfaop_anchor_set_t *));
    for (i = 0; entries != NULL && i < entries->nelts; i++) {
        const cfaop_hostname_entry_t *entry = APR_ARRAY_IDX(entries, i, cfaop_hostname_entry_t *);
        const cfaop_policy_t *policy = cfaop_engine_hostname_policy(sc->engine, entry->index);

        vs->policy_names[1 + entry->index] = apr_pstrcat(p, "hostname:", entry->hostname, NULL);
        if (policy != NULL) {
            slot = apr_palloc(p, sizeof(*slot));
            *slot = 1 + entry->index;
            apr_hash_set(vs->policy_slot, apr_pmemdup(p, &policy, sizeof(policy)), sizeof(policy), slot);
        }
        for (j = 0; j < entry->sets->nelts; j++)
            add_anchors(p, m, seen, APR_ARRAY_IDX(entry->sets, j, cfaop_anchor_set_t *));
    }
    add_deny_files(p, m, main_server, s);
    if (sc->engine != NULL && sc->engine->checks.crls != NULL) {
        const apr_array_header_t *infos = cfaop_revocation_crls(sc->engine->checks.crls);
        for (i = 0; i < infos->nelts; i++) {
            const cfaop_crl_info_t *info = &APR_ARRAY_IDX(infos, i, cfaop_crl_info_t);
            cfaop_status_crl_t *c = apr_array_push(m->crls);
            c->file = info->source;
            c->issuer = info->issuer_dn;
            c->entries = info->entries;
            c->loaded = now;
            c->next_update = info->next_update;
        }
    }
    return vs;
}

/* SetHandler / AddHandler cf-aop-status anywhere in the configuration. */
static int handler_configured(apr_pool_t *ptemp, const ap_directive_t *d)
{
    for (; d != NULL; d = d->next) {
        if (!cfaop_ascii_strcasecmp(d->directive, "SetHandler")
            || !cfaop_ascii_strcasecmp(d->directive, "AddHandler")) {
            const char *args = d->args ? d->args : "", *word;
            while (*(word = ap_getword_conf(ptemp, &args)))
                if (!cfaop_ascii_strcasecmp(word, STATUS_HANDLER))
                    return 1;
        }
        if (d->first_child != NULL && handler_configured(ptemp, d->first_child))
            return 1;
    }
    return 0;
}

/* Counters and leaf records in two slot memories of mod_slotmem_shm,
 * anonymous: made in the parent before the children are forked, so every
 * child shares them, and gone with the generation's pool, so a restart
 * (graceful or not) starts them at zero. */
static const char *make_shared(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *main_server,
                               int total_policies)
{
    const ap_slotmem_provider_t *shm = ap_lookup_provider(AP_SLOTMEM_PROVIDER_GROUP, "shm",
                                                          AP_SLOTMEM_PROVIDER_VERSION);
    ap_slotmem_instance_t *counters = NULL, *leaves = NULL;
    apr_status_t rv;
    int i, next_policy = 0;

    if (shm == NULL) {
        if (handler_configured(ptemp, ap_conftree))
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, main_server,
                         "CFAOP0501: SetHandler " STATUS_HANDLER " is configured but "
                         "mod_slotmem_shm is not loaded: the page shows no counters and no "
                         "leaf certificates, and no leaf expiry warning (CFAOP0503) is given. "
                         "Load it (a2enmod slotmem_shm, or LoadModule slotmem_shm_module); "
                         "verification is not affected");
        return "mod_slotmem_shm is not loaded (LoadModule slotmem_shm_module; see CFAOP0501)";
    }
    if ((rv = shm->create(&counters, "none", sizeof(cfaop_vhost_counters_t),
                          (unsigned)status_vhosts->nelts, 0, pconf)) != APR_SUCCESS
        || (rv = shm->create(&leaves, "none", sizeof(cfaop_leaf_slot_t),
                             (unsigned)total_policies, 0, pconf)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, main_server,
                     "CFAOP0502: cannot create the shared memory of the status counters "
                     "(mod_slotmem_shm): the page shows no counters; verification is not affected");
        return "the shared memory could not be created (see CFAOP0502 in the error log)";
    }
    for (i = 0; i < status_vhosts->nelts; i++) {
        struct cfaop_status_vhost *vs = APR_ARRAY_IDX(status_vhosts, i, struct cfaop_status_vhost *);
        void *mem;

        if (shm->dptr(counters, (unsigned)i, &mem) != APR_SUCCESS)
            return "the shared memory could not be addressed";
        vs->counters = mem;
        if (shm->dptr(leaves, (unsigned)next_policy, &mem) != APR_SUCCESS)
            return "the shared memory could not be addressed";
        vs->leaves = mem;
        next_policy += vs->npolicies;
    }
    return NULL;
}

static int status_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                              server_rec *main_server)
{
    apr_hash_t *names = apr_hash_make(ptemp);
    apr_int64_t now = apr_time_sec(apr_time_now());
    int total_policies = 0, i;
    server_rec *s;

    (void)plog;
    status_vhosts = apr_array_make(pconf, 4, sizeof(struct cfaop_status_vhost *));
    for (s = main_server; s != NULL; s = s->next) {
        cfaop_srv_cfg *sc = ap_get_module_config(s->module_config, &cf_aop_module);

        sc->status = NULL;
        if (!cfaop_active(sc))
            continue;
        APR_ARRAY_PUSH(status_vhosts, struct cfaop_status_vhost *) =
            build_vhost(pconf, main_server, s, names, now);
        total_policies += APR_ARRAY_IDX(status_vhosts, status_vhosts->nelts - 1,
                                        struct cfaop_status_vhost *)->npolicies;
    }
    counters_since = now;
    /* httpd's first startup pass only checks the configuration: the
     * children are forked after the second, which is where memory is made. */
    if (status_vhosts->nelts == 0 || ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    unavailable = make_shared(pconf, ptemp, main_server, total_policies);
    if (unavailable != NULL)
        return OK;
    for (i = 0; i < status_vhosts->nelts; i++) {
        struct cfaop_status_vhost *vs = APR_ARRAY_IDX(status_vhosts, i, struct cfaop_status_vhost *);
        cfaop_srv_cfg *sc = ap_get_module_config(vs->s->module_config, &cf_aop_module);
        sc->status = vs;
    }
    return OK;
}

/* ---- counting (the handshake and request hot paths) --------------------- */

/* A leaf that passed: recorded when it differs from the policy's last,
 * and warned about once a day (across all children) when it expires soon. */
static void note_leaf(const struct cfaop_status_vhost *vs, const cfaop_policy_t *policy, X509 *leaf)
{
    const int *slot_no = apr_hash_get(vs->policy_slot, &policy, sizeof(policy));
    const ASN1_INTEGER *serial = X509_get0_serialNumber(leaf);
    const unsigned char *bytes = ASN1_STRING_get0_data(serial);
    apr_size_t len = (apr_size_t)ASN1_STRING_length(serial);
    cfaop_leaf_slot_t *slot;
    apr_int64_t not_after, now;
    apr_pool_t *p;

    if (slot_no == NULL || bytes == NULL)
        return;
    slot = &vs->leaves[*slot_no];
    if (cfaop_leaf_slot_same(slot, bytes, len))
        not_after = slot->not_after;
    else {
        not_after = cert_time(X509_get0_notAfter(leaf));
        cfaop_leaf_slot_store(slot, bytes, len, not_after);
    }
    now = (apr_int64_t)time(NULL);
    if (not_after - now >= (apr_int64_t)LEAF_WARNING_DAYS * 86400
        || !cfaop_leaf_warn_due(slot, bytes, len, not_after, now, LEAF_WARNING_DAYS))
        return;
    if (apr_pool_create(&p, NULL) != APR_SUCCESS)
        return;
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, vs->s,
                 "CFAOP0503: %s: the client certificate that passed AOP under policy %s "
                 "(serial %s) expires in %ld day(s), at %s: have Cloudflare present a renewed "
                 "origin-pull certificate before then, or every connection from Cloudflare is "
                 "refused. Said at most once a day per certificate",
                 vs->model.name, vs->policy_names[*slot_no], cfaop_leaf_serial_hex(p, bytes, len),
                 cfaop_days_left(not_after, now), cfaop_status_time(p, not_after));
    apr_pool_destroy(p);
}

void cfaop_status_count_verdict(const cfaop_conn_t *st, X509 *leaf, int enforced)
{
    const struct cfaop_status_vhost *vs;

    if (st->judged_by == NULL || (vs = st->judged_by->status) == NULL)
        return;
    if (st->verdict.reason != CFAOP_REASON_NONE) {
        apr_atomic_inc32(&vs->counters->c[CFAOP_COUNT_IDX(enforced ? CFAOP_COUNT_REFUSED
                                                                   : CFAOP_COUNT_REPORTED,
                                                          st->verdict.reason)]);
        return;
    }
    apr_atomic_inc32(&vs->counters->c[CFAOP_COUNT_IDX(CFAOP_COUNT_PASSED, CFAOP_REASON_NONE)]);
    if (leaf != NULL)
        note_leaf(vs, st->policy, leaf);
}

void cfaop_status_count_declined(const cfaop_srv_cfg *sc, cfaop_reason_t reason)
{
    if (sc->status != NULL && reason != CFAOP_REASON_NONE)
        apr_atomic_inc32(&sc->status->counters->c[CFAOP_COUNT_IDX(CFAOP_COUNT_DECLINED, reason)]);
}

void cfaop_status_count_request(const cfaop_srv_cfg *sc, int status, cfaop_reason_t reason)
{
    if (sc->status != NULL && reason != CFAOP_REASON_NONE)
        apr_atomic_inc32(&sc->status->counters->c[CFAOP_COUNT_IDX(
            status == HTTP_MISDIRECTED_REQUEST ? CFAOP_COUNT_421 : CFAOP_COUNT_403, reason)]);
}

/* ---- the page -------------------------------------------------------------- */

/* The page as it is now; with_leaves 0 skips the per-policy records (a
 * map of thousands of hostnames has as many), which mod_status's totals
 * do not show. */
static cfaop_status_t *snapshot(apr_pool_t *p, int with_leaves)
{
    cfaop_status_t *st = apr_pcalloc(p, sizeof(*st));
    int i, k, n = status_vhosts ? status_vhosts->nelts : 0;

    st->version = CFAOP_PRODUCT;
    st->now = apr_time_sec(apr_time_now());
    st->since = counters_since;
    st->unavailable = unavailable;
    st->counters_available = unavailable == NULL;
    st->vhosts = apr_array_make(p, n ? n : 1, sizeof(cfaop_status_vhost_t));
    for (i = 0; i < n; i++) {
        const struct cfaop_status_vhost *vs = APR_ARRAY_IDX(status_vhosts, i, struct cfaop_status_vhost *);
        cfaop_status_vhost_t *v = apr_array_push(st->vhosts);

        *v = vs->model;
        v->leaves = apr_array_make(p, 1, sizeof(cfaop_status_leaf_t));
        if (vs->counters == NULL)
            continue;
        cfaop_counters_snapshot(vs->counters, &v->counters);
        for (k = 0; with_leaves && k < vs->npolicies; k++) {
            cfaop_status_leaf_t leaf;
            if (cfaop_leaf_slot_read(&vs->leaves[k], &leaf.leaf) && leaf.leaf.seen) {
                leaf.policy = vs->policy_names[k];
                *(cfaop_status_leaf_t *)apr_array_push(v->leaves) = leaf;
            }
        }
    }
    return st;
}

/* "json" or "prometheus" among the query's &- or ;-separated words. */
static int query_has(const char *args, const char *word)
{
    apr_size_t n = strlen(word);
    const char *p = args;

    while (p != NULL && *p) {
        apr_size_t len = strcspn(p, "&;");
        if ((len == n || (len > n && p[n] == '=')) && !cfaop_ascii_strncasecmp(p, word, n))
            return 1;
        p += len;
        if (*p)
            p++;
    }
    return 0;
}

static int status_handler(request_rec *r)
{
    const cfaop_status_t *st;
    const char *body;

    if (r->handler == NULL || strcmp(r->handler, STATUS_HANDLER))
        return DECLINED;
    /* the Allow header of a 405 is made from allowed_methods */
    ap_allow_standard_methods(r, MERGE_ALLOW, M_GET, -1);
    if (r->method_number != M_GET)
        return HTTP_METHOD_NOT_ALLOWED;
    st = snapshot(r->pool, 1);
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    if (query_has(r->args, "prometheus")) {
        ap_set_content_type(r, "application/openmetrics-text; version=1.0.0; charset=utf-8");
        body = cfaop_status_openmetrics(r->pool, st);
    }
    else if (query_has(r->args, "json")) {
        ap_set_content_type(r, "application/json");
        body = cfaop_status_json(r->pool, st);
    }
    else {
        ap_set_content_type(r, "text/html; charset=utf-8");
        body = cfaop_status_html(r->pool, st);
    }
    if (!r->header_only)
        ap_rputs(body, r);
    return OK;
}

/* mod_status's page (ExtendedStatus On): the server's totals. */
static int status_hook(request_rec *r, int flags)
{
    const cfaop_status_t *st;
    cfaop_counter_totals_t t;
    int i;

    if (!(flags & AP_STATUS_EXTENDED))
        return OK;
    st = snapshot(r->pool, 0);
    memset(&t, 0, sizeof(t));
    for (i = 0; st->counters_available && i < st->vhosts->nelts; i++)
        cfaop_counters_sum(&APR_ARRAY_IDX(st->vhosts, i, cfaop_status_vhost_t).counters, &t);
    if (flags & AP_STATUS_SHORT) {
        ap_rprintf(r, "CFAOPVhosts: %d\n", st->vhosts->nelts);
        if (st->counters_available)
            ap_rprintf(r, "CFAOPHandshakesPassed: %" APR_UINT64_T_FMT "\n"
                       "CFAOPHandshakesRefused: %" APR_UINT64_T_FMT "\n"
                       "CFAOPHandshakesReported: %" APR_UINT64_T_FMT "\n"
                       "CFAOPResumptionsDeclined: %" APR_UINT64_T_FMT "\n"
                       "CFAOPRequestsRefused421: %" APR_UINT64_T_FMT "\n"
                       "CFAOPRequestsRefused403: %" APR_UINT64_T_FMT "\n",
                       t.passed, t.refused, t.reported, t.declined, t.refused_421, t.refused_403);
        return OK;
    }
    ap_rprintf(r, "<hr />\n<h2>mod_cf_aop</h2>\n<p>%d virtual host%s with CFAOP On or ReportOnly",
               st->vhosts->nelts, st->vhosts->nelts == 1 ? "" : "s");
    if (!st->counters_available) {
        ap_rprintf(r, "; counters unavailable: %s</p>\n", cfaop_html_escape(r->pool, st->unavailable));
        return OK;
    }
    ap_rprintf(r, "; since %s:</p>\n<table>\n"
               "<tr><th>Handshakes passed</th><td>%" APR_UINT64_T_FMT "</td></tr>\n"
               "<tr><th>Handshakes refused</th><td>%" APR_UINT64_T_FMT "</td></tr>\n"
               "<tr><th>Handshakes reported (ReportOnly)</th><td>%" APR_UINT64_T_FMT "</td></tr>\n"
               "<tr><th>Resumptions declined</th><td>%" APR_UINT64_T_FMT "</td></tr>\n"
               "<tr><th>Requests refused (421)</th><td>%" APR_UINT64_T_FMT "</td></tr>\n"
               "<tr><th>Requests refused (403)</th><td>%" APR_UINT64_T_FMT "</td></tr>\n"
               "</table>\n<p>Per virtual host and reason: the <code>" STATUS_HANDLER
               "</code> handler.</p>\n", cfaop_status_time(r->pool, st->since),
               t.passed, t.refused, t.reported, t.declined, t.refused_421, t.refused_403);
    return OK;
}

void cfaop_register_status_hooks(apr_pool_t *p)
{
    static const char *const after_ssl[] = { "mod_ssl.c", NULL };

    (void)p;
    ap_hook_pre_config(status_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* after mod_ssl's, whose init_server hooks build the policies */
    ap_hook_post_config(status_post_config, after_ssl, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(status_handler, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL, APR_HOOK_MIDDLE);
}
