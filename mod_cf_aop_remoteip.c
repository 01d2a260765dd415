/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cf_aop_remoteip.c: CFAOPRemoteIP: on requests whose connection passed
 * AOP, the client IP is the visitor's address from CF-Connecting-IP; and the
 * startup warning when mod_remoteip takes the same header on the same vhost. */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_request.h"

#include <apr_strings.h>

#include "mod_cf_aop_private.h"
#include "src/ascii.h"
#include "src/clientip.h"
#include "src/leg1.h"
#include "src/logesc.h"

/* Trust comes from the certificate: Cloudflare sets CF-Connecting-IP on
 * every request it sends, replacing what the visitor wrote, and only a
 * connection that passed AOP is known to come from Cloudflare. Anywhere
 * else the header is whatever the client wanted it to be.
 *
 * Registered (mod_cf_aop.c) in post_read_request after the module's
 * request decision (REALLY_FIRST), since only a request it passed is
 * believed; then after mod_remoteip (FIRST), when loaded, so that it
 * cannot undo the visitor's address (it would start from it and apply its
 * own proxy lists); still FIRST, ahead of every module that reads the
 * client IP in post_read_request (mod_setenvif's Remote_Addr, MIDDLE) and
 * of every later phase (Require ip, mod_rewrite, the handler, the log). */
static int drop_underscored(void *baton, const char *key, const char *val)
{
    (void)baton; (void)val;
    return cfaop_clientip_underscored(key);
}

int cfaop_remoteip_post_read_request(request_rec *r)
{
    const cfaop_srv_cfg *sc = cfaop_srv(r->server);
    const cfaop_req_t *rq;
    const char *value, *why;
    cfaop_clientip_t ip;
    apr_sockaddr_t *sa;
    apr_status_t rv;
    int removed;

    /* An internal redirect (ErrorDocument, mod_rewrite) starts with the
     * client IP of the request it replaces (httpd copies useragent_addr and
     * useragent_ip) and with its CF_AOP_* (mod_cf_aop_request.c); a
     * subrequest copies both as well. Deciding once per request keeps one
     * log line per request too. */
    if (sc->remote_ip != 1 || !cfaop_active(sc) || !ap_is_initial_req(r))
        return DECLINED;
    /* Whoever reaches the backend with CF_Connecting_IP, the request passed
     * AOP or not, wrote it: Cloudflare adds no such header, passes on what
     * the visitor sends, and the backend may read it as CF-Connecting-IP. */
    if ((removed = cfaop_table_drop(r->headers_in, drop_underscored, NULL)) > 0)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "CFAOP0604: removed %d header(s) spelt as " CFAOP_CLIENTIP_HEADER " with '_' "
                      "(Cloudflare sends none)", removed);
    if ((value = cfaop_clientip_header(r->pool, r->headers_in)) == NULL)
        return DECLINED;
    /* HTTP/2 streams: the request state carries the verdict of the master
     * connection's handshake. */
    rq = cfaop_request_state(r);
    if (rq == NULL || !rq->aop_passed) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "%s", cfaop_log_bound(r->pool,
                      apr_psprintf(r->pool, "CFAOP0602: " CFAOP_CLIENTIP_HEADER " ignored: reason=not-passed "
                                   "client=%s value=%s: the connection did not pass AOP on this "
                                   "virtual host", r->connection->client_ip,
                                   cfaop_log_quote(r->pool, value))));
        return DECLINED;
    }
    why = cfaop_clientip_parse(value, &ip);
    if (why == NULL && (rv = cfaop_clientip_sockaddr(r->pool, &ip, &sa)) != APR_SUCCESS) {
        char err[120];
        why = apr_pstrcat(r->pool, "cannot be used: ", apr_strerror(rv, err, sizeof(err)), NULL);
    }
    if (why != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s", cfaop_log_bound(r->pool,
                      apr_psprintf(r->pool, "CFAOP0601: " CFAOP_CLIENTIP_HEADER " ignored: reason=invalid "
                                   "client=%s value=%s: %s", r->connection->client_ip,
                                   cfaop_log_quote(r->pool, value), why)));
        return DECLINED;
    }
    r->useragent_addr = sa;
    r->useragent_ip = apr_pstrdup(r->pool, ip.text);
    apr_table_setn(r->subprocess_env, "CF_AOP_PEER_IP", r->connection->client_ip);
    return DECLINED;
}

/* mod_remoteip told to take the client IP from CF-Connecting-IP on a vhost
 * where this module does it too: two rewrites of one value, one trusting
 * the certificate, the other a list of addresses that goes stale. */
void cfaop_remoteip_config_warnings(apr_pool_t *ptemp, server_rec *main_server)
{
    server_rec *s;

    for (s = main_server; s; s = s->next) {
        const cfaop_srv_cfg *sc = cfaop_srv(s);
        const ap_directive_t *d;
        const char *args;

        if (!cfaop_active(sc) || sc->remote_ip != 1)
            continue;
        d = cfaop_effective_directive(s->defn_name ? cfaop_find_vhost_node(ap_conftree, s) : NULL,
                                "RemoteIPHeader");
        if (d == NULL || (args = d->args) == NULL
            || cfaop_ascii_strcasecmp(ap_getword_conf(ptemp, &args), CFAOP_CLIENTIP_HEADER))
            continue;
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "CFAOP0603: %s: CFAOPRemoteIP On and %s %s (%s:%d): both set the client IP "
                     "from CF-Connecting-IP; mod_remoteip believes it from the addresses of its "
                     "proxy lists, CFAOPRemoteIP only from a connection that passed AOP, and runs "
                     "after it. Remove RemoteIPHeader from this virtual host (or set "
                     "CFAOPRemoteIP Off)", cfaop_vhost_label(ptemp, s), d->directive, d->args,
                     d->filename, d->line_num);
    }
}
