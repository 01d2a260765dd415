/* mod_cf_aop_request.c: per request, on CFAOP vhosts: the request must
 * belong to the vhost that judged its connection; then CF_AOP_* are exported. */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"

#include <apr_atomic.h>
#include <apr_strings.h>

#include "mod_cf_aop_private.h"
#include "src/reason.h"

static conn_rec *tls_connection(conn_rec *c)
{
    /* HTTP/2 streams run on secondary connections; the handshake is the master's. */
    return c->master ? c->master : c;
}

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

static int cfaop_post_read_request(request_rec *r)
{
    const cfaop_srv_cfg *sc = cfaop_srv(r->server);
    const cfaop_policy_t *wanted;
    cfaop_conn_t *st;

    if (!cfaop_active(sc))
        return DECLINED;
    st = cfaop_conn_state(tls_connection(r->connection));
    if (st == NULL || !st->judged || !st->export_built)
        return refuse_or_report(r, sc, st, CFAOP_REASON_NO_CERT,
                                "the connection did not complete a TLS handshake this module verified");
    if (st->judged_by != sc)
        return refuse_or_report(r, sc, st, CFAOP_REASON_HOST_MISMATCH,
                                "the connection was verified for another virtual host");
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

    /* In ReportOnly the handshake had to end with a clean verify result
     * (mod_ssl drops it otherwise); from now on SSL_CLIENT_VERIFY may carry
     * the module's verdict. Done once, by whichever request comes first. */
    if (sc->mode == CFAOP_MODE_REPORT_ONLY && st->verdict.reason != CFAOP_REASON_NONE
        && st->verdict.reason != CFAOP_REASON_NO_CERT
        && apr_atomic_cas32(&st->verify_result_reported, 1, 0) == 0)
        SSL_set_verify_result(st->ssl, st->verdict.x509_error != X509_V_OK
                                       ? st->verdict.x509_error
                                       : cfaop_reason_x509_error(st->verdict.reason, X509_V_OK));
    return DECLINED;
}

void cfaop_register_request_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_read_request(cfaop_post_read_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
}
