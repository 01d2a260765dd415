/* mod_cf_aop_request.c: per request, on CFAOP vhosts: the request must
 * belong to the vhost and policy that judged its connection; then CF_AOP_*
 * are exported and the end client's certificate headers handled. */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"

#include <apr_strings.h>

#include "mod_cf_aop_private.h"
#include "src/leg1.h"
#include "src/leg1_verify.h"
#include "src/reason.h"

static conn_rec *tls_connection(conn_rec *c)
{
    /* HTTP/2 streams run on secondary connections; the handshake is the master's. */
    return c->master ? c->master : c;
}

const cfaop_req_t *cfaop_request_state(const request_rec *r)
{
    while (r->main)
        r = r->main;
    while (r->prev)
        r = r->prev;
    return ap_get_module_config(r->request_config, &cf_aop_module);
}

/* Enforcing: the status to refuse with. ReportOnly: the log line, and the
 * reason in CF_AOP_VERIFIED; the request goes on (DECLINED). */
static int refuse_or_report(request_rec *r, const cfaop_srv_cfg *sc, const cfaop_conn_t *st,
                            cfaop_reason_t reason, const char *why)
{
    if (sc->mode == CFAOP_MODE_ON) {
        int status = reason == CFAOP_REASON_HOST_MISMATCH ? HTTP_MISDIRECTED_REQUEST
                                                          : HTTP_FORBIDDEN;
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "%s: request refused (%d): reason=%s client=%s host=%s: %s",
                      reason == CFAOP_REASON_HOST_MISMATCH ? "CFAOP0201" : "CFAOP0202",
                      status, cfaop_reason_name(reason), r->useragent_ip,
                      r->hostname ? r->hostname : "-", why);
        return status;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "CFAOP0203: report-only, would refuse request: reason=%s client=%s host=%s: %s",
                  cfaop_reason_name(reason), r->useragent_ip,
                  r->hostname ? r->hostname : "-", why);
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
    cfaop_verdict_t verdict;
    int removed;

    if (sc->client_cert_headers == CFAOP_CCH_OFF)
        return;
    if (!rq->aop_passed || sc->client_cert_headers == CFAOP_CCH_STRIP) {
        if (!rq->aop_passed && (removed = cfaop_leg1_strip(r->headers_in)) > 0)
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                          "CFAOP0301: removed %d client-certificate header(s) from a "
                          "connection that did not pass AOP", removed);
        return;
    }
    cfaop_leg1_collect(r->pool, r->headers_in, &leg1);
    if (sc->client_cert_headers == CFAOP_CCH_VERIFY)
        rq->origin_verified = cfaop_leg1_origin_verify(r->pool, &leg1, sc->client_ca, &verdict);
    if (leg1.invalid != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "CFAOP0302: client-certificate headers ignored: reason=invalid client=%s: %s",
                      r->useragent_ip, leg1.invalid);
        cfaop_leg1_strip(r->headers_in);
    }
    else if (rq->origin_verified != NULL && verdict.reason != CFAOP_REASON_NONE
             && verdict.reason != CFAOP_REASON_NO_CERT) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "CFAOP0303: end client certificate failed verification at the origin: "
                      "reason=%s client=%s%s%s%s", cfaop_reason_name(verdict.reason),
                      r->useragent_ip, *verdict.detail ? " detail=\"" : "", verdict.detail,
                      *verdict.detail ? "\"" : "");
    }
    cfaop_leg1_export(&leg1, rq->origin_verified, r->subprocess_env);
    if (leg1.invalid == NULL && leg1.present) {
        rq->leg1_valid = 1;
        rq->cf_verified = apr_table_get(r->subprocess_env, "CF_CLIENT_CERT_VERIFIED");
        rq->cf_revoked = apr_table_get(r->subprocess_env, "CF_CLIENT_CERT_REVOKED");
    }
}

/* mod_ssl's TLS 1.2 access check sets the verify result back to OK on every
 * request when SSLVerifyClient is configured at any level; what runs after
 * it (authentication, FakeBasicAuth, authorization, handlers) reads the
 * module's verdict again. Only for HTTP/1.x: an HTTP/2 stream runs on
 * another thread than the connection whose SSL this would write. */
static int cfaop_report_verify_result(request_rec *r)
{
    if (r->connection->master == NULL)
        cfaop_republish_verdict(r->connection);
    return DECLINED;
}

static int keep_cf_variable(void *env, const char *key, const char *value)
{
    if (!strncmp(key, "CF_AOP_", 7) || !strncmp(key, "CF_CLIENT_CERT_", 15))
        apr_table_setn(env, key, value);
    return 1;
}

static int cfaop_post_read_request(request_rec *r)
{
    const cfaop_srv_cfg *sc = cfaop_srv(r->server);
    cfaop_req_t *rq;
    int status;

    if (!cfaop_active(sc))
        return DECLINED;
    /* httpd runs this hook again for an internal redirect (ErrorDocument,
     * mod_rewrite): the decisions were made on the original request, whose
     * client-certificate headers may be gone by now, so they carry over. */
    if (r->prev != NULL && (rq = (cfaop_req_t *)cfaop_request_state(r->prev)) != NULL) {
        ap_set_module_config(r->request_config, &cf_aop_module, rq);
        apr_table_do(keep_cf_variable, r->subprocess_env, r->prev->subprocess_env, NULL);
        return DECLINED;
    }
    rq = apr_pcalloc(r->pool, sizeof(*rq));
    ap_set_module_config(r->request_config, &cf_aop_module, rq);
    status = judge_request(r, sc, cfaop_conn_state(tls_connection(r->connection)), &rq->aop_passed);
    if (status == DECLINED)
        handle_leg1(r, sc, rq);
    return status;
}

void cfaop_register_request_hooks(apr_pool_t *p)
{
    (void)p;
    static const char *const after_ssl[] = { "mod_ssl.c", NULL };

    ap_hook_post_read_request(cfaop_post_read_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_access_checker(cfaop_report_verify_result, after_ssl, NULL, APR_HOOK_MIDDLE);
}
