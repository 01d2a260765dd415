/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cf_aop_request.c: per request, on CFAOP vhosts: the request must
 * belong to the vhost and policy that judged its connection; then CF_AOP_*
 * are exported and the end client's certificate headers handled. */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_expr.h"
#include "mod_auth.h"
#include "mod_ssl.h"
#include "util_filter.h"

#include <apr_base64.h>
#include <apr_optional.h>
#include <apr_strings.h>
#include <openssl/x509_vfy.h>

#include "mod_cf_aop_private.h"
#include "src/ascii.h"
#include "src/leg1.h"
#include "src/leg1_verify.h"
#include "src/logesc.h"
#include "src/reason.h"

/* What the request hook decided, and (set by anyone who refuses the
 * request) whether the module refused it: an error document reached by
 * an internal redirect then gets no Leg-1 header either. */
typedef struct {
    cfaop_req_t pub;
    int refused;                        /* by the request hook (421, 403) */
    int denied;                         /* by Require cf-aop / cf-client-cert */
} req_state_t;

static conn_rec *tls_connection(conn_rec *c)
{
    /* HTTP/2 streams run on secondary connections; the handshake is the master's. */
    return c->master ? c->master : c;
}

static req_state_t *request_state(const request_rec *r)
{
    while (r->main)
        r = r->main;
    while (r->prev)
        r = r->prev;
    return ap_get_module_config(r->request_config, &cf_aop_module);
}

const cfaop_req_t *cfaop_request_state(const request_rec *r)
{
    req_state_t *rs = request_state(r);

    return rs != NULL ? &rs->pub : NULL;
}

/* The SNI of the handshake that carries this request, quoted for a log. */
static const char *log_sni(request_rec *r, const cfaop_conn_t *st)
{
    return cfaop_log_quote(r->pool, st != NULL && st->ssl != NULL
                                    ? SSL_get_servername(st->ssl, TLSEXT_NAMETYPE_host_name)
                                    : NULL);
}

/* Leg-1 headers, in any spelling, out of a request the module refused,
 * before an error document (local, or proxied to a backend) sees them. */
static void strip_refused(request_rec *r, const cfaop_srv_cfg *sc)
{
    int removed;

    if (sc->client_cert_headers == CFAOP_CCH_OFF)
        return;
    if ((removed = cfaop_leg1_strip(r->headers_in)) > 0)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "CFAOP0304: removed %d client-certificate header(s) from a request "
                      "the module refused", removed);
}

/* Cloudflare spells Leg-1 names with '-' only; a backend that reads '_'
 * as '-' (CGI-style variables, several application servers) would take a
 * client's client_cert for the real Client-Cert, even on a connection
 * that passed AOP, where the real one is believed. */
static void strip_underscored(request_rec *r)
{
    int removed = cfaop_leg1_strip_underscored(r->headers_in);

    if (removed > 0)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "CFAOP0305: removed %d header(s) spelt as a client-certificate header "
                      "with '_' (Cloudflare sends none)", removed);
}

void cfaop_request_denied(request_rec *r)
{
    req_state_t *rs;

    /* Only the main request's error document follows from a denial; and
     * the headers stay until then, for a <RequireAny> may still grant. */
    if (r->main == NULL && (rs = request_state(r)) != NULL)
        rs->denied = 1;
}

/* Enforcing: the status to refuse with. ReportOnly: the log line, and the
 * reason in CF_AOP_VERIFIED; the request goes on (DECLINED). */
static int refuse_or_report(request_rec *r, const cfaop_srv_cfg *sc, const cfaop_conn_t *st,
                            cfaop_reason_t reason, const char *why)
{
    if (sc->mode == CFAOP_MODE_ON) {
        int status = reason == CFAOP_REASON_HOST_MISMATCH ? HTTP_MISDIRECTED_REQUEST
                                                          : HTTP_FORBIDDEN;
        cfaop_status_count_request(sc, status, reason);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s", cfaop_log_bound(r->pool,
                      apr_psprintf(r->pool, "%s: request refused (%d): reason=%s client=%s "
                                   "host=%s sni=%s: %s",
                                   reason == CFAOP_REASON_HOST_MISMATCH ? "CFAOP0201" : "CFAOP0202",
                                   status, cfaop_reason_name(reason), r->useragent_ip,
                                   cfaop_log_quote(r->pool, r->hostname), log_sni(r, st), why)));
        /* This connection will not serve that Host: the client must open
         * another, and httpd says so (Connection: close) when keep-alive is
         * off. An HTTP/2 stream's 421 leaves the connection to its other
         * streams. */
        if (status == HTTP_MISDIRECTED_REQUEST && r->connection->master == NULL)
            r->connection->keepalive = AP_CONN_CLOSE;
        return status;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s", cfaop_log_bound(r->pool,
                  apr_psprintf(r->pool, "CFAOP0203: report-only, would refuse request: reason=%s "
                               "client=%s host=%s sni=%s: %s",
                               cfaop_reason_name(reason), r->useragent_ip,
                               cfaop_log_quote(r->pool, r->hostname), log_sni(r, st), why)));
    apr_table_setn(r->subprocess_env, "CF_AOP_VERIFIED",
                   reason == CFAOP_REASON_NO_CERT ? "NONE"
                   : apr_pstrcat(r->pool, "FAILED:", cfaop_reason_name(reason), NULL));
    apr_table_setn(r->subprocess_env, "CF_AOP_POLICY",
                   st && st->judged_by == sc && st->policy ? st->policy->name : "zone");
    return DECLINED;
}

static int host_mismatch(request_rec *r, const cfaop_srv_cfg *sc, const cfaop_conn_t *st,
                         const cfaop_policy_t *wanted)
{
    return refuse_or_report(r, sc, st, CFAOP_REASON_HOST_MISMATCH,
                            apr_psprintf(r->pool, "the connection was verified under policy %s, "
                                         "the Host selects %s", st->policy->name, wanted->name));
}

/* Decides whether this request's connection passed AOP for this vhost and
 * Host; returns an HTTP status to refuse with, or DECLINED. */
static int judge_request(request_rec *r, const cfaop_srv_cfg *sc, cfaop_conn_t *st, int *passed)
{
    const cfaop_policy_t *wanted;

    *passed = 0;
    if (st == NULL)
        return refuse_or_report(r, sc, st, CFAOP_REASON_NO_CERT,
                                "the connection is not TLS, so it cannot have passed AOP");
    /* TLS set up for another vhost (its SNI, or none): this connection is
     * not authoritative here, and a new one with the right SNI may be. */
    if (!st->judged || !st->export_built || st->judged_by != sc)
        return refuse_or_report(r, sc, st, CFAOP_REASON_HOST_MISMATCH,
                                "the connection's TLS handshake was made for another virtual host");
    if (sc->mode == CFAOP_MODE_ON && st->verdict.reason != CFAOP_REASON_NONE)
        return refuse_or_report(r, sc, st, st->verdict.reason, "the connection failed verification");

    /* A certificate accepted for one hostname must not reach another over
     * the same connection (Host differing from SNI, HTTP/2 streams for
     * several authorities, absolute-form targets: all end up in r->hostname).
     * A request without Host is judged by its SNI alone. */
    wanted = (sc->host_check && r->hostname != NULL)
             ? cfaop_policy_for_name(sc, r->hostname) : st->policy;
    if (wanted != st->policy && sc->mode == CFAOP_MODE_ON)
        return host_mismatch(r, sc, st, wanted);
    cfaop_export_to_table(&st->export, r->subprocess_env);
    if (wanted != st->policy)
        return host_mismatch(r, sc, st, wanted);

    *passed = st->verdict.reason == CFAOP_REASON_NONE;
    return DECLINED;
}

/* The end client's certificate headers are believed only from a
 * connection that passed AOP; from anyone else they are a forgery. */
static void handle_leg1(request_rec *r, const cfaop_srv_cfg *sc, cfaop_req_t *rq)
{
    cfaop_leg1_t leg1;
    cfaop_verdict_t verdict = { CFAOP_REASON_NONE, X509_V_OK, 0, "" };
    int removed;

    if (sc->client_cert_headers == CFAOP_CCH_OFF)
        return;
    if (!rq->aop_passed || sc->client_cert_headers == CFAOP_CCH_STRIP) {
        if (!rq->aop_passed && (removed = cfaop_leg1_strip(r->headers_in)) > 0)
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                          "CFAOP0301: removed %d client-certificate header(s) from a "
                          "connection that did not pass AOP", removed);
        else
            strip_underscored(r);
        return;
    }
    cfaop_leg1_collect(r->pool, r->headers_in, &leg1);
    if (sc->client_cert_headers == CFAOP_CCH_VERIFY)
        rq->origin_verified = cfaop_leg1_origin_verify(r->pool, &leg1, sc->client_ca, &verdict);
    if (leg1.invalid != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s", cfaop_log_bound(r->pool,
                      apr_psprintf(r->pool, "CFAOP0302: client-certificate headers ignored: "
                                   "reason=invalid client=%s: %s", r->useragent_ip, leg1.invalid)));
        cfaop_leg1_strip(r->headers_in);
    }
    else if (rq->origin_verified != NULL && verdict.reason != CFAOP_REASON_NONE
             && verdict.reason != CFAOP_REASON_NO_CERT) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s", cfaop_log_bound(r->pool,
                      apr_psprintf(r->pool, "CFAOP0303: end client certificate failed "
                                   "verification at the origin: reason=%s client=%s%s%s",
                                   cfaop_reason_name(verdict.reason), r->useragent_ip,
                                   *verdict.detail ? " detail=" : "",
                                   *verdict.detail ? cfaop_log_quote(r->pool, verdict.detail) : "")));
    }
    /* Collected first: a '_' spelling makes the set invalid, as any
     * header Cloudflare would not send does. */
    strip_underscored(r);
    cfaop_leg1_export(&leg1, rq->origin_verified, r->subprocess_env);
    if (leg1.invalid == NULL && leg1.present) {
        rq->leg1_valid = 1;
        rq->cf_verified = apr_table_get(r->subprocess_env, "CF_CLIENT_CERT_VERIFIED");
        rq->cf_revoked = apr_table_get(r->subprocess_env, "CF_CLIENT_CERT_REVOKED");
    }
}

/* mod_ssl's classic (TLS 1.2) access check resets the verify result on
 * every request where SSLVerifyClient is configured; after it, the verdict
 * goes back in. HTTP/2 streams run on other threads than their connection,
 * whose OpenSSL state they must not write: there the connection's filter
 * set it once (and configtest refuses the SSLVerifyClient levels that would
 * need it again, docs/variables.md). */
static void forget_modssl_user(request_rec *r);

static int cfaop_report_verify_result(request_rec *r)
{
    const cfaop_srv_cfg *sc = cfaop_srv(r->server);
    const cfaop_conn_t *st;

    if (sc->mode != CFAOP_MODE_REPORT_ONLY)
        return DECLINED;
    forget_modssl_user(r);
    if (r->connection->master != NULL || (st = cfaop_conn_state(r->connection)) == NULL
        || st->judged_by != sc)
        return DECLINED;
    cfaop_report_verdict_to_modssl(st);
    return DECLINED;
}

/* ---- ReportOnly next to mod_ssl's own checks --------------------------- */

/* The connection's certificate failed the policy of a ReportOnly vhost: the
 * SSL_CLIENT_VERIFY that mod_ssl would report had the handshake failed,
 * else NULL. */
static const char *report_only_failure(apr_pool_t *p, conn_rec *c)
{
    const cfaop_conn_t *st = cfaop_conn_state(tls_connection(c));
    const cfaop_verdict_t *v;

    if (st == NULL || !st->judged || st->judged_by == NULL
        || st->judged_by->mode != CFAOP_MODE_REPORT_ONLY)
        return NULL;
    v = &st->verdict;
    if (v->reason == CFAOP_REASON_NONE || v->reason == CFAOP_REASON_NO_CERT)
        return NULL;
    return apr_pstrcat(p, "FAILED:", X509_verify_cert_error_string(
                           v->x509_error != X509_V_OK ? v->x509_error
                                                      : cfaop_reason_x509_error(v->reason, X509_V_OK)),
                       NULL);
}

static APR_OPTIONAL_FN_TYPE(ssl_var_lookup) *modssl_var_lookup;

static const char *expr_ssl_var(ap_expr_eval_ctx_t *ctx, const char *name)
{
    const char *failed;

    if (!cfaop_ascii_strcasecmp(name, "SSL_CLIENT_VERIFY") && ctx->c != NULL
        && (failed = report_only_failure(ctx->p, ctx->c)) != NULL)
        return failed;
    return modssl_var_lookup ? modssl_var_lookup(ctx->p, ctx->s, ctx->c, ctx->r, (char *)name) : "";
}

static const char *expr_client_verify(ap_expr_eval_ctx_t *ctx, const void *data)
{
    (void)data;
    return expr_ssl_var(ctx, "SSL_CLIENT_VERIFY");
}

static const char *expr_ssl_function(ap_expr_eval_ctx_t *ctx, const void *data, const char *arg)
{
    (void)data;
    return expr_ssl_var(ctx, arg);
}

/* mod_ssl's TLS 1.2 access check resets the verify result and then, in the
 * same hook, evaluates SSLRequire; no hook can run between the two. So the
 * expression parser (SSLRequire, Require expr, <If>, SetEnvIfExpr, Header
 * expr=) asks this module for SSL_CLIENT_VERIFY first, and mod_ssl for
 * everything else. The lookup is made once, when the expression is parsed. */
static int cfaop_expr_lookup(ap_expr_lookup_parms *parms)
{
    if (parms->type == AP_EXPR_FUNC_VAR && !cfaop_ascii_strcasecmp(parms->name, "SSL_CLIENT_VERIFY")) {
        *parms->func = expr_client_verify;
        *parms->data = NULL;
        return OK;
    }
    if (parms->type == AP_EXPR_FUNC_STRING && !cfaop_ascii_strcasecmp(parms->name, "SSL")) {
        *parms->func = expr_ssl_function;
        *parms->data = NULL;
        return OK;
    }
    return DECLINED;
}

static void cfaop_retrieve_optional_fns(void)
{
    modssl_var_lookup = APR_RETRIEVE_OPTIONAL_FN(ssl_var_lookup);
}

/* SSLUserName sets r->user in mod_ssl's access check from whatever
 * certificate was presented; a certificate the policy refused logs nobody
 * in. Nothing else sets r->user before authentication. */
static void forget_modssl_user(request_rec *r)
{
    if (r->user != NULL && report_only_failure(r->pool, r->connection) != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "CFAOP0208: report-only: the user name mod_ssl took from a certificate "
                      "the policy refuses is dropped");
        r->user = NULL;
    }
}

/* StdEnvVars: over HTTP/2 on TLS 1.2, mod_ssl's access check resets the
 * verify result from the stream's thread, which this module does not write
 * (cfaop_report_verify_result); the variables the request hands on say
 * what the verdict was. */
static int cfaop_fix_client_verify_env(request_rec *r)
{
    const char *failed;

    if (r->connection->master != NULL && apr_table_get(r->subprocess_env, "SSL_CLIENT_VERIFY") != NULL
        && (failed = report_only_failure(r->pool, r->connection)) != NULL)
        apr_table_setn(r->subprocess_env, "SSL_CLIENT_VERIFY", failed);
    return DECLINED;
}

static int keep_cf_variable(void *env, const char *key, const char *value)
{
    if (!strncmp(key, "CF_AOP_", 7) || !strncmp(key, "CF_CLIENT_CERT_", 15))
        apr_table_setn(env, key, value);
    return 1;
}

/* httpd merges a chunked body's trailers into r->headers_in when the body
 * is read (MergeTrailers on), long after post_read_request: a Leg-1 name
 * arriving that way is removed as soon as the body has been read, before
 * the handler that read it looks at the headers. */
static apr_status_t cfaop_trailers_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                          ap_input_mode_t mode, apr_read_type_e block,
                                          apr_off_t readbytes)
{
    apr_status_t rv = ap_get_brigade(f->next, bb, mode, block, readbytes);
    request_rec *r = f->r;
    int removed;

    if (r->trailers_in != NULL && !apr_is_empty_table(r->trailers_in)
        && (removed = cfaop_leg1_strip_trailers(r->headers_in, r->trailers_in)) > 0)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "CFAOP0306: removed %d client-certificate header(s) sent as trailers "
                      "of the request body", removed);
    return rv;
}

static ap_filter_rec_t *trailers_filter;

/* The decisions were made on the original request; an internal redirect
 * (ErrorDocument, mod_rewrite) shares its headers, which a trailer may
 * have joined since, and must not show a refused request's Leg-1 headers
 * to the error document. */
static int redirected(request_rec *r, const cfaop_srv_cfg *sc, req_state_t *rs)
{
    int removed;

    ap_set_module_config(r->request_config, &cf_aop_module, rs);
    apr_table_do(keep_cf_variable, r->subprocess_env, r->prev->subprocess_env, NULL);
    if (sc->client_cert_headers == CFAOP_CCH_OFF)
        return DECLINED;
    ap_add_input_filter_handle(trailers_filter, NULL, r, r->connection);
    if (rs->refused || (rs->denied && ap_is_HTTP_ERROR(r->status)))
        strip_refused(r, sc);
    else if (!rs->pub.aop_passed && (removed = cfaop_leg1_strip(r->headers_in)) > 0)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "CFAOP0301: removed %d client-certificate header(s) from a "
                      "connection that did not pass AOP", removed);
    else
        strip_underscored(r);
    return DECLINED;
}

static int cfaop_post_read_request(request_rec *r)
{
    const cfaop_srv_cfg *sc = cfaop_srv(r->server);
    req_state_t *rs;
    int status;

    if (!cfaop_active(sc))
        return DECLINED;
    if (r->prev != NULL && (rs = request_state(r->prev)) != NULL)
        return redirected(r, sc, rs);
    rs = apr_pcalloc(r->pool, sizeof(*rs));
    ap_set_module_config(r->request_config, &cf_aop_module, rs);
    if (sc->client_cert_headers != CFAOP_CCH_OFF)
        ap_add_input_filter_handle(trailers_filter, NULL, r, r->connection);
    status = judge_request(r, sc, cfaop_conn_state(tls_connection(r->connection)),
                           &rs->pub.aop_passed);
    if (status == DECLINED) {
        handle_leg1(r, sc, &rs->pub);
        return DECLINED;
    }
    rs->refused = 1;
    strip_refused(r, sc);
    return status;
}

static int drop_value(void *fabricated, const char *key, const char *val)
{
    return cfaop_ascii_strcasecmp(key, "Authorization") == 0 && strcmp(val, fabricated) == 0;
}

/* SSLOptions +FakeBasicAuth: mod_ssl's check_user_id hook (it runs first)
 * turns whatever certificate the client presented into
 * "Authorization: Basic base64(<subject>:password)". In ReportOnly a
 * certificate that failed the policy completes the handshake, so that
 * value is taken out again here, before any authentication provider reads
 * it: the request is then what one without a certificate would be. Checked
 * per request, so an SSLOptions in .htaccess is covered too. */
static int cfaop_fake_basic_auth_guard(request_rec *r)
{
    const cfaop_srv_cfg *sc = cfaop_srv(r->server);
    const req_state_t *rs;
    const cfaop_conn_t *st;
    const char *fabricated, *subject_log;
    X509 *cert;
    char *dn;

    if (!cfaop_active(sc) || !ap_is_initial_req(r) || (rs = request_state(r)) == NULL
        || rs->pub.aop_passed || (st = cfaop_conn_state(tls_connection(r->connection))) == NULL
        || st->ssl == NULL || (cert = SSL_get0_peer_certificate(st->ssl)) == NULL
        || (dn = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0)) == NULL)
        return DECLINED;
    fabricated = apr_pstrcat(r->pool, "Basic ",
                             ap_pbase64encode(r->pool, apr_pstrcat(r->pool, dn, ":password", NULL)),
                             NULL);
    subject_log = cfaop_log_quote(r->pool, dn);
    OPENSSL_free(dn);
    if (cfaop_table_drop(r->headers_in, drop_value, (void *)fabricated) > 0)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s", cfaop_log_bound(r->pool,
                      apr_psprintf(r->pool, "CFAOP0204: SSLOptions +FakeBasicAuth ignored: the "
                                   "certificate did not pass AOP on this virtual host, so it logs "
                                   "no one in: client=%s subject=%s", r->useragent_ip,
                                   subject_log)));
    return DECLINED;
}

void cfaop_register_request_hooks(apr_pool_t *p)
{
    (void)p;
    static const char *const after_ssl[] = { "mod_ssl.c", NULL };

    /* Right after mod_ssl's, before any authentication provider. */
    ap_hook_check_authn(cfaop_fake_basic_auth_guard, after_ssl, NULL, APR_HOOK_FIRST,
                        AP_AUTH_INTERNAL_PER_CONF);
    trailers_filter = ap_register_input_filter("CFAOP_TRAILERS", cfaop_trailers_filter, NULL,
                                               AP_FTYPE_CONTENT_SET);

    ap_hook_post_read_request(cfaop_post_read_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_access_checker(cfaop_report_verify_result, after_ssl, NULL, APR_HOOK_MIDDLE);
    ap_hook_fixups(cfaop_fix_client_verify_env, after_ssl, NULL, APR_HOOK_MIDDLE);
    ap_hook_expr_lookup(cfaop_expr_lookup, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_optional_fn_retrieve(cfaop_retrieve_optional_fns, NULL, NULL, APR_HOOK_MIDDLE);
}
