/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cf_aop_request.c: per request, on CFAOP vhosts: gathers what
 * src/decide.c needs (the connection's verdict, the Host, the modes) and
 * applies its decision: the status, the log line, CF_AOP_*, the end
 * client's certificate headers; and ReportOnly next to mod_ssl's checks. */
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
#include "src/decide.h"
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

/* What the decision needs: the vhost's modes, and the connection as its
 * TLS side recorded it (st NULL: not TLS). */
static void gather(request_rec *r, const cfaop_srv_cfg *sc, const cfaop_conn_t *st,
                   cfaop_request_in_t *in)
{
    memset(in, 0, sizeof(*in));
    in->mode = sc->mode;
    in->host_check = sc->host_check;
    in->headers = sc->client_cert_headers;
    in->stream = r->connection->master != NULL;
    if (st == NULL)
        return;
    in->tls = 1;
    in->judged_here = st->judged && st->judged_by == sc;
    in->complete = st->judged && st->export_built;
    in->verdict = st->verdict.reason;
    in->judged_policy = st->policy;
    /* Host differing from SNI, HTTP/2 streams for several authorities,
     * absolute-form targets: all end up in r->hostname. */
    if (in->judged_here && in->complete && sc->host_check && r->hostname != NULL)
        in->host_policy = cfaop_policy_for_name(sc, r->hostname);
}

/* The one line of a request the decision refuses or reports. */
static void log_decision(request_rec *r, const cfaop_conn_t *st, const cfaop_request_in_t *in,
                         const cfaop_decision_t *d)
{
    const char *why, *host, *sni, *line;

    if (!APLOGrinfo(r))
        return;
    why = cfaop_decision_why(r->pool, in, d);
    host = cfaop_log_quote(r->pool, r->hostname);
    sni = log_sni(r, st);
    line = d->action == CFAOP_DECIDE_REFUSE
        ? apr_psprintf(r->pool, "%s: request refused (%d): reason=%s client=%s host=%s sni=%s: %s",
                       d->log_id, d->status, cfaop_reason_name(d->reason), r->useragent_ip,
                       host, sni, why)
        : apr_psprintf(r->pool, "%s: report-only, would refuse request: reason=%s client=%s "
                       "host=%s sni=%s: %s", d->log_id, cfaop_reason_name(d->reason),
                       r->useragent_ip, host, sni, why);

    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s", cfaop_log_bound(r->pool, line));
}

/* Trust and Verify, on a connection that passed AOP: the end client's
 * certificate headers are checked and exported, all or nothing. */
static void believe_leg1(request_rec *r, const cfaop_srv_cfg *sc, cfaop_req_t *rq, int verify)
{
    cfaop_leg1_t leg1;
    cfaop_verdict_t verdict = { CFAOP_REASON_NONE, X509_V_OK, 0, "" };

    cfaop_leg1_collect(r->pool, r->headers_in, &leg1);
    if (verify)
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

/* The end client's certificate headers are believed only from a
 * connection that passed AOP; from anyone else they are a forgery, and
 * a refused request's error document (local, or proxied to a backend)
 * must not see them either. */
static void apply_headers(request_rec *r, const cfaop_srv_cfg *sc, cfaop_req_t *rq,
                          cfaop_hdrs_t what)
{
    int removed;

    switch (what) {
    case CFAOP_HDRS_STRIP_REFUSED:
    case CFAOP_HDRS_STRIP_NOT_PASSED:
        if ((removed = cfaop_leg1_strip(r->headers_in)) > 0)
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                          "%s: removed %d client-certificate header(s) from %s",
                          what == CFAOP_HDRS_STRIP_REFUSED ? "CFAOP0304" : "CFAOP0301", removed,
                          what == CFAOP_HDRS_STRIP_REFUSED ? "a request the module refused"
                                                           : "a connection that did not pass AOP");
        break;
    case CFAOP_HDRS_STRIP_UNDERSCORED:
        strip_underscored(r);
        break;
    case CFAOP_HDRS_TRUST:
    case CFAOP_HDRS_VERIFY:
        believe_leg1(r, sc, rq, what == CFAOP_HDRS_VERIFY);
        break;
    case CFAOP_HDRS_LEAVE:
        break;
    }
}

/* mod_ssl's classic (TLS 1.2) access check resets the verify result on
 * every request where SSLVerifyClient is configured; after it, the verdict
 * goes back in. HTTP/2 streams run on other threads than their connection,
 * whose OpenSSL state they must not write: there the connection's filter
 * set it once (and configtest refuses the SSLVerifyClient levels that would
 * need it again, docs/variables.md). */
static void forget_modssl_user(request_rec *r);

int cfaop_report_verify_result(request_rec *r)
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
int cfaop_expr_lookup(ap_expr_lookup_parms *parms)
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

void cfaop_retrieve_optional_fns(void)
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
int cfaop_fix_client_verify_env(request_rec *r)
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
apr_status_t cfaop_trailers_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
                                   apr_read_type_e block, apr_off_t readbytes)
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

ap_filter_rec_t *cfaop_trailers_filter_handle;

/* Applies the decision: the log line, the variables, the headers; returns
 * the status to refuse with, or DECLINED. */
static int apply(request_rec *r, const cfaop_srv_cfg *sc, const cfaop_conn_t *st, req_state_t *rs,
                 const cfaop_request_in_t *in, const cfaop_decision_t *d)
{
    if (d->log_id != NULL)
        log_decision(r, st, in, d);
    if (d->close_connection)
        r->connection->keepalive = AP_CONN_CLOSE;
    if (d->export_connection)
        cfaop_export_to_table(&st->export, r->subprocess_env);
    if (d->action == CFAOP_DECIDE_REPORT) {
        cfaop_verdict_t reported = { d->reason, X509_V_OK, 0, "" };

        apr_table_setn(r->subprocess_env, "CF_AOP_VERIFIED", cfaop_verified_value(r->pool, &reported));
        apr_table_setn(r->subprocess_env, "CF_AOP_POLICY", d->policy);
    }
    rs->pub.aop_passed = d->aop_passed;
    if (d->action == CFAOP_DECIDE_REFUSE) {
        rs->refused = 1;
        cfaop_status_count_request(sc, d->status, d->reason);
    }
    if (d->watch_trailers)
        ap_add_input_filter_handle(cfaop_trailers_filter_handle, NULL, r, r->connection);
    apply_headers(r, sc, &rs->pub, d->headers);
    return d->action == CFAOP_DECIDE_REFUSE ? d->status : DECLINED;
}

int cfaop_post_read_request(request_rec *r)
{
    const cfaop_srv_cfg *sc = cfaop_srv(r->server);
    const cfaop_conn_t *st = NULL;
    cfaop_request_in_t in;
    cfaop_decision_t d;
    req_state_t *rs;

    if (!cfaop_active(sc))
        return DECLINED;
    if (r->prev != NULL && (rs = request_state(r->prev)) != NULL) {
        /* An internal redirect (ErrorDocument, mod_rewrite): decided on the
         * original request, whose headers it shares and a trailer may have
         * joined since. */
        ap_set_module_config(r->request_config, &cf_aop_module, rs);
        apr_table_do(keep_cf_variable, r->subprocess_env, r->prev->subprocess_env, NULL);
        gather(r, sc, NULL, &in);
        in.redirect = 1;
        in.earlier_passed = rs->pub.aop_passed;
        in.earlier_refused = rs->refused || (rs->denied && ap_is_HTTP_ERROR(r->status));
    }
    else {
        rs = apr_pcalloc(r->pool, sizeof(*rs));
        ap_set_module_config(r->request_config, &cf_aop_module, rs);
        st = cfaop_conn_state(tls_connection(r->connection));
        gather(r, sc, st, &in);
    }
    cfaop_decide_request(&in, &d);
    return apply(r, sc, st, rs, &in, &d);
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
int cfaop_fake_basic_auth_guard(request_rec *r)
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
