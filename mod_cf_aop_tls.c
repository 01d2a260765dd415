/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cf_aop_tls.c: mod_ssl's callbacks: per-vhost TLS context setup, the
 * certificate verifier, resumption, and each connection's verdict. */
#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_log.h"
#include "util_filter.h"

#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "mod_cf_aop_private.h"
#include "src/certinfo.h"
#include "src/sessionrec.h"
#include "src/judge.h"
#include "src/reason.h"
#include "src/logesc.h"
#include "src/sni.h"

static int ctx_index = -1;      /* SSL_CTX ex_data: its vhost's cfaop_srv_cfg */
static int ssl_index = -1;      /* SSL ex_data: the connection's cfaop_conn_t */
static int any_active;          /* some vhost has CFAOP On or ReportOnly */
static int any_report_only;     /* some vhost has CFAOP ReportOnly */
ap_filter_rec_t *cfaop_verdict_filter_handle;
/* mod_ssl's session cache lookup, which the module's own wraps. */
static SSL_SESSION *(*modssl_get_session)(SSL *, const unsigned char *, int, int *);

cfaop_conn_t *cfaop_conn_state(conn_rec *c)
{
    return ap_get_module_config(c->conn_config, &cf_aop_module);
}

/* Every value the peer chose (SNI, subject, issuer, serial) is quoted and
 * escaped, and the line bounded: a name cannot forge a field, and a huge
 * subject cannot turn each refused handshake into kilobytes of log. */
static void log_verdict(conn_rec *c, SSL *ssl, const cfaop_conn_t *st, X509 *leaf,
                        int enforced)
{
    const cfaop_verdict_t *v = &st->verdict;
    const char *id, *what, *msg;
    int level;

    cfaop_status_count_verdict(st, leaf, enforced);
    if (v->reason == CFAOP_REASON_NONE) {
        id = "CFAOP0103"; what = "accepted"; level = APLOG_DEBUG;
    }
    else if (st->handshake_done && !st->resumed) {
        id = "CFAOP0110"; what = "certificate requested after the handshake rejected";
        level = APLOG_INFO;
    }
    else if (!enforced) {
        id = "CFAOP0102"; what = "report-only, would reject"; level = APLOG_INFO;
    }
    else if (st->resumed) {
        id = "CFAOP0104"; what = "resumed session rejected"; level = APLOG_INFO;
    }
    else {
        id = "CFAOP0101"; what = "handshake rejected"; level = APLOG_INFO;
    }
    if (!APLOG_C_IS_LEVEL(c, level))
        return;
    msg = apr_psprintf(c->pool, "%s: %s: reason=%s client=%s sni=%s policy=%s%s subject=%s "
                       "issuer=%s serial=%s%s%s",
                       id, what, cfaop_reason_name(v->reason), c->client_ip,
                       cfaop_log_quote(c->pool, SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)),
                       st->policy ? st->policy->name : "-", st->resumed ? " resumed=yes" : "",
                       leaf ? cfaop_log_quote(c->pool, cfaop_format_dn(c->pool, X509_get_subject_name(leaf))) : "-",
                       leaf ? cfaop_log_quote(c->pool, cfaop_format_dn(c->pool, X509_get_issuer_name(leaf))) : "-",
                       leaf ? cfaop_log_quote(c->pool, cfaop_format_serial(c->pool, X509_get0_serialNumber(leaf))) : "-",
                       *v->detail ? " detail=" : "",
                       *v->detail ? cfaop_log_quote(c->pool, v->detail) : "");
    ap_log_cerror(APLOG_MARK, level, 0, c, "%s", cfaop_log_bound(c->pool, msg));
}

/* Whether a failing verdict ends the handshake: on enforcing vhosts, and in
 * ReportOnly for a certificate mod_ssl asks for once the first handshake is
 * over (per-directory SSLVerifyClient, by renegotiation or post-handshake
 * authentication): mod_ssl trusts what that handshake accepts. */
static int enforcing(const cfaop_conn_t *st, const cfaop_srv_cfg *sc)
{
    return sc->engine->mode == CFAOP_MODE_ON || (st->handshake_done && !st->resumed);
}

/* Records the connection's verdict; returns whether the handshake may
 * complete. A refusal is logged at once (the handshake ends here); a
 * passing or reported verdict when the handshake completes, once the client
 * has proved it holds the certificate's key (CertificateVerify). */
static int record_verdict(conn_rec *c, SSL *ssl, cfaop_conn_t *st,
                          const cfaop_srv_cfg *sc, const cfaop_policy_t *policy,
                          const cfaop_verdict_t *verdict, X509 *leaf, int resumed)
{
    int enforced;

    st->verdict = *verdict;
    st->policy = policy;
    st->judged_by = sc;
    st->judged = 1;
    st->resumed = resumed;
    enforced = enforcing(st, sc);
    if (verdict->reason != CFAOP_REASON_NONE && enforced) {
        log_verdict(c, ssl, st, leaf, 1);
        st->verdict_logged = 1;
        return 0;
    }
    st->verdict_logged = 0;
    return 1;
}

/* The line of a verdict that let the handshake complete. */
static void log_completed(conn_rec *c, SSL *ssl, cfaop_conn_t *st, const cfaop_srv_cfg *sc)
{
    if (st->verdict_logged)
        return;
    st->verdict_logged = 1;
    log_verdict(c, ssl, st, SSL_get0_peer_certificate(ssl),
                st->verdict.reason != CFAOP_REASON_NONE && sc->engine->mode == CFAOP_MODE_ON);
}

void cfaop_report_verdict_to_modssl(const cfaop_conn_t *st)
{
    const cfaop_verdict_t *v = &st->verdict;

    if (!st->judged || st->judged_by == NULL || st->judged_by->engine->mode != CFAOP_MODE_REPORT_ONLY
        || v->reason == CFAOP_REASON_NONE || v->reason == CFAOP_REASON_NO_CERT)
        return;
    SSL_set_verify_result(st->ssl, v->x509_error != X509_V_OK
                                   ? v->x509_error : cfaop_reason_x509_error(v->reason, X509_V_OK));
}

/* mod_ssl refuses a connection whose verify result is an error when the
 * handshake returns, so in ReportOnly the handshake ends clean. This filter
 * sits just above mod_ssl's: the first data that passes it comes after
 * mod_ssl's check and before any request is read, on the connection's own
 * thread (HTTP/2 streams included), which is when the verdict goes in. */
apr_status_t cfaop_verdict_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
                                  apr_read_type_e block, apr_off_t readbytes)
{
    cfaop_conn_t *st = f->ctx;
    apr_status_t rv = ap_get_brigade(f->next, bb, mode, block, readbytes);

    if (rv == APR_SUCCESS && st->handshake_done) {
        cfaop_report_verdict_to_modssl(st);
        ap_remove_input_filter(f);
    }
    return rv;
}

const cfaop_policy_t *cfaop_policy_for_name(const cfaop_srv_cfg *sc, const char *name)
{
    return cfaop_engine_policy_for_name(sc->engine, name);
}

/* Chosen once per handshake, when the ServerHello is about to go out
 * (SNI known, CertificateRequest not yet sent), and reused by the verifier. */
static const cfaop_policy_t *select_policy(const cfaop_srv_cfg *sc, cfaop_conn_t *st, SSL *ssl)
{
    if (st->selected == NULL || st->selected_for != sc) {
        st->selected = cfaop_policy_for_name(sc, SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));
        st->selected_for = sc;
    }
    return st->selected;
}

/* The CertificateRequest names the CAs of the policy the SNI selected; the
 * zone policy's are already the SSL_CTX's, so only hostname policies copy. */
static void advertise_policy_cas(SSL *ssl, const cfaop_srv_cfg *sc, const cfaop_policy_t *policy)
{
    if (policy != sc->engine->zone_policy)
        SSL_set_client_CA_list(ssl, SSL_dup_CA_list(policy->ca_names));
}

/* Keeps the accepting policy and the presented intermediates with the
 * session: a resumed session carries only the leaf, and is judged again. */
static void remember_session(SSL *ssl, const cfaop_policy_t *policy, X509 *leaf,
                             STACK_OF(X509) *chain)
{
    SSL_SESSION *session = SSL_get_session(ssl);
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    unsigned char *rec;
    size_t len;

    if (session == NULL || !cfaop_sessionrec_encode(policy->name, leaf, chain, &rec, &len))
        return;
    /* A TLS 1.2 resumption reports the SNI stored in the session, which
     * OpenSSL stores only when mod_ssl's SNI callback knew the name; the
     * policy was chosen by this name, so the session keeps it. */
    if (sni != NULL && SSL_SESSION_get0_hostname(session) == NULL)
        SSL_SESSION_set1_hostname(session, sni);
    SSL_SESSION_set1_ticket_appdata(session, rec, len);
    OPENSSL_free(rec);
}

static int cfaop_cert_verify(X509_STORE_CTX *sctx, void *arg)
{
    const cfaop_srv_cfg *sc = arg;
    SSL *ssl = X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
    cfaop_conn_t *st = ssl ? SSL_get_ex_data(ssl, ssl_index) : NULL;
    conn_rec *c = ssl ? SSL_get_app_data(ssl) : NULL;
    X509 *leaf = X509_STORE_CTX_get0_cert(sctx);
    STACK_OF(X509) *untrusted = X509_STORE_CTX_get0_untrusted(sctx);
    const cfaop_policy_t *policy;
    cfaop_verdict_t verdict;

    if (st == NULL || c == NULL) {
        /* A connection the module did not see start cannot be judged. */
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, sc->server,
                     "CFAOP0105: handshake rejected: no connection state; refusing");
        X509_STORE_CTX_set_error(sctx, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    policy = select_policy(sc, st, ssl);
    cfaop_judge(policy, &sc->engine->checks, leaf, untrusted, apr_time_sec(apr_time_now()),
                sc->engine->chain_cache, &verdict);
    remember_session(ssl, policy, leaf, untrusted);
    if (record_verdict(c, ssl, st, sc, policy, &verdict, leaf, 0)) {
        X509_STORE_CTX_set_error(sctx, X509_V_OK);
        return 1;
    }
    X509_STORE_CTX_set_error(sctx, cfaop_reason_x509_error(verdict.reason, verdict.x509_error));
    return 0;
}

/* A session's certificate judged again under policy, with the
 * intermediates its record kept, against the anchors and lists in force. */
static void judge_session(apr_pool_t *p, const cfaop_srv_cfg *sc, const cfaop_policy_t *policy,
                          SSL_SESSION *session, cfaop_verdict_t *verdict)
{
    X509 *leaf = SSL_SESSION_get0_peer(session);
    STACK_OF(X509) *chain = NULL;
    const char *accepted_by = NULL, *bad = NULL;
    void *rec = NULL;
    size_t reclen = 0;

    verdict->reason = CFAOP_REASON_NONE;
    verdict->x509_error = X509_V_OK;
    verdict->error_depth = 0;
    verdict->detail = "";
    if (leaf == NULL)
        return;
    if (!SSL_SESSION_get0_ticket_appdata(session, &rec, &reclen) || rec == NULL)
        bad = "the session carries no record of the policy that accepted it";
    else
        bad = cfaop_sessionrec_decode(p, rec, reclen, &accepted_by, &chain);
    if (bad != NULL) {
        verdict->reason = CFAOP_REASON_INVALID;
        verdict->x509_error = X509_V_ERR_UNSPECIFIED;
        verdict->detail = bad;
    }
    else if (strcmp(accepted_by, policy->name) != 0) {
        /* A session established under one policy never passes under another,
         * even where that one would trust the same certificate. */
        verdict->reason = CFAOP_REASON_HOST_MISMATCH;
        verdict->detail = apr_psprintf(p, "session established under policy %s", accepted_by);
    }
    else {
        cfaop_judge(policy, &sc->engine->checks, leaf, chain, apr_time_sec(apr_time_now()),
                    sc->engine->chain_cache, verdict);
    }
    sk_X509_pop_free(chain, X509_free);
}

/* The SNI of the handshake under way. A TLS 1.2 session is looked up before
 * OpenSSL parses the server_name extension, so then it is read from the
 * ClientHello itself (mod_ssl has already chosen the vhost by it). */
static const char *handshake_sni(SSL *ssl, char buf[CFAOP_SNI_MAX + 1])
{
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    const unsigned char *ext;
    size_t len;

    if (name != NULL)
        return name;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext, &len) == 1
        && cfaop_sni_from_extension(ext, len, buf))
        return buf;
    return NULL;
}

/* Decides whether a session offered for resumption may resume, while
 * OpenSSL can still run a full handshake instead: a session that the policy
 * this SNI selects would not accept now (another hostname's session, a
 * certificate denied since, a session from before the module was on) is
 * declined, and the client is asked for its certificate again. ReportOnly
 * declines only a session of another policy; a failing certificate is
 * resumed and reported, as a full handshake would report it. */
static int resumption_acceptable(SSL *ssl, SSL_SESSION *session)
{
    const cfaop_srv_cfg *sc = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_index);
    cfaop_conn_t *st = SSL_get_ex_data(ssl, ssl_index);
    conn_rec *c = SSL_get_app_data(ssl);
    char sni_buf[CFAOP_SNI_MAX + 1];
    const char *sni;
    const cfaop_policy_t *policy;
    cfaop_verdict_t verdict;

    if (sc == NULL || st == NULL || c == NULL || !cfaop_active(sc))
        return 1;
    sni = handshake_sni(ssl, sni_buf);
    policy = cfaop_policy_for_name(sc, sni);
    judge_session(c->pool, sc, policy, session, &verdict);
    if (verdict.reason == CFAOP_REASON_NONE
        || (sc->engine->mode == CFAOP_MODE_REPORT_ONLY && verdict.reason != CFAOP_REASON_HOST_MISMATCH
            && verdict.reason != CFAOP_REASON_INVALID)) {
        st->verdict = verdict;
        st->policy = policy;
        st->resume_judged = 1;
        return 1;
    }
    cfaop_status_count_declined(sc, verdict.reason);
    if (APLOG_C_IS_LEVEL(c, APLOG_INFO)) {
        X509 *leaf = SSL_SESSION_get0_peer(session);
        ap_log_cerror(APLOG_MARK, APLOG_INFO, 0, c, "%s",
                      cfaop_log_bound(c->pool, apr_psprintf(c->pool,
                          "CFAOP0104: resumption declined, full handshake follows: reason=%s "
                          "client=%s sni=%s policy=%s serial=%s detail=%s",
                          cfaop_reason_name(verdict.reason), c->client_ip,
                          cfaop_log_quote(c->pool, sni), policy->name,
                          leaf ? cfaop_log_quote(c->pool, cfaop_format_serial(c->pool, X509_get0_serialNumber(leaf))) : "-",
                          cfaop_log_quote(c->pool, *verdict.detail ? verdict.detail
                                          : cfaop_reason_name(verdict.reason)))));
    }
    return 0;
}

static SSL_TICKET_RETURN cfaop_ticket_decrypted(SSL *ssl, SSL_SESSION *session,
                                                const unsigned char *keyname, size_t keyname_len,
                                                SSL_TICKET_STATUS status, void *arg)
{
    (void)keyname; (void)keyname_len; (void)arg;
    switch (status) {
    case SSL_TICKET_SUCCESS:
        return resumption_acceptable(ssl, session) ? SSL_TICKET_RETURN_USE
                                                   : SSL_TICKET_RETURN_IGNORE_RENEW;
    case SSL_TICKET_SUCCESS_RENEW:
        return resumption_acceptable(ssl, session) ? SSL_TICKET_RETURN_USE_RENEW
                                                   : SSL_TICKET_RETURN_IGNORE_RENEW;
    case SSL_TICKET_EMPTY:
    case SSL_TICKET_NO_DECRYPT:
        return SSL_TICKET_RETURN_IGNORE_RENEW;
    default:
        return SSL_TICKET_RETURN_ABORT;
    }
}

/* Session ids (TLS 1.2, and TLS 1.3 without tickets) come from mod_ssl's
 * session cache; what it finds is judged as a ticket's session is. */
static SSL_SESSION *cfaop_get_session(SSL *ssl, const unsigned char *id, int idlen, int *copy)
{
    SSL_SESSION *session = modssl_get_session(ssl, id, idlen, copy);

    if (session == NULL || resumption_acceptable(ssl, session))
        return session;
    if (*copy == 0)
        SSL_SESSION_free(session);
    return NULL;
}

/* On every TLS context of the server, CFAOP or not: a connection's
 * session is looked up through the context it arrived on, which is the
 * address's default vhost, before its SNI has chosen the vhost that
 * decides. */
static void install_resumption_checks(server_rec *s, SSL_CTX *ctx)
{
    SSL_SESSION *(*get)(SSL *, const unsigned char *, int, int *) = SSL_CTX_sess_get_get_cb(ctx);

    SSL_CTX_set_session_ticket_cb(ctx, NULL, cfaop_ticket_decrypted, NULL);
    if (get == NULL || get == cfaop_get_session)
        return;
    if (modssl_get_session == NULL)
        modssl_get_session = get;
    if (get != modssl_get_session) {
        /* Not mod_ssl's own lookup: sessions found there are still judged
         * when the handshake completes (rejudge_resumed). */
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                     "CFAOP0119: %s:%d: another session cache lookup is installed; "
                     "its sessions are judged when the handshake completes",
                     s->server_hostname, s->port);
        return;
    }
    SSL_CTX_sess_set_get_cb(ctx, cfaop_get_session);
}

/* No verifier runs on resumption. The session was judged when it was
 * offered (resumption_acceptable); where that could not run, it is judged
 * now, and refused if it fails. */
static void rejudge_resumed(conn_rec *c, SSL *ssl, cfaop_conn_t *st, const cfaop_srv_cfg *sc)
{
    const cfaop_policy_t *policy = select_policy(sc, st, ssl);
    cfaop_verdict_t verdict;

    if (st->resume_judged && st->policy == policy)
        verdict = st->verdict;
    else
        judge_session(c->pool, sc, policy, SSL_get0_session(ssl), &verdict);
    if (!record_verdict(c, ssl, st, sc, policy, &verdict, SSL_get0_peer_certificate(ssl), 1)) {
        /* mod_ssl refuses a handshake whose verify result is an error as
         * soon as SSL_accept returns, before any request is read. */
        SSL_set_verify_result(ssl, cfaop_reason_x509_error(verdict.reason, verdict.x509_error));
    }
}

static void build_export(conn_rec *c, SSL *ssl, cfaop_conn_t *st)
{
    cfaop_export_build(c->pool, &st->verdict, st->policy ? st->policy->name : "zone",
                       SSL_get0_peer_certificate(ssl), &st->export);
    st->export_built = 1;
}

static void cfaop_info_cb(const SSL *const_ssl, int where, int ret)
{
    SSL *ssl = (SSL *)const_ssl;
    const cfaop_srv_cfg *sc = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_index);
    cfaop_conn_t *st;
    conn_rec *c;

    if (sc == NULL)
        return;
    if (sc->modssl_info_cb != NULL)
        sc->modssl_info_cb(ssl, where, ret);
    if (!(where & (SSL_CB_HANDSHAKE_DONE | SSL_CB_ALERT | SSL_CB_ACCEPT_LOOP)))
        return;
    if ((st = SSL_get_ex_data(ssl, ssl_index)) == NULL
        || (c = SSL_get_app_data(ssl)) == NULL)
        return;

    if (where & SSL_CB_ACCEPT_LOOP) {
        if (SSL_get_state(ssl) == TLS_ST_SW_SRVR_HELLO) {
            st->selected = NULL;    /* a HelloRetryRequest's second ClientHello may differ */
            advertise_policy_cas(ssl, sc, select_policy(sc, st, ssl));
            /* The ticket count came from the context the connection arrived
             * on; a vhost chosen by SNI sets its own here (see init_server). */
            if (SSL_get_num_tickets(ssl) > 1)
                SSL_set_num_tickets(ssl, 1);
        }
        return;
    }

    if ((where & SSL_CB_ALERT) && (where & SSL_CB_WRITE)) {
        /* OpenSSL itself refuses an empty Certificate message on an
         * enforcing vhost (certificate_required / handshake_failure);
         * this is the only place that decision can be logged. */
        if ((ret >> 8) == SSL3_AL_FATAL && !st->judged
            && SSL_get_state(ssl) == TLS_ST_SR_CERT && SSL_get0_peer_certificate(ssl) == NULL) {
            cfaop_verdict_t verdict = { CFAOP_REASON_NO_CERT, X509_V_OK, 0, "" };
            record_verdict(c, ssl, st, sc, select_policy(sc, st, ssl), &verdict, NULL, 0);
        }
        return;
    }
    if (!(where & SSL_CB_HANDSHAKE_DONE))
        return;
    if (SSL_session_reused(ssl)) {
        if (!st->handshake_done)
            rejudge_resumed(c, ssl, st, sc);
    }
    else if (!st->judged || st->judged_by != sc) {
        /* ReportOnly lets a client without a certificate through. */
        cfaop_verdict_t verdict = { CFAOP_REASON_NO_CERT, X509_V_OK, 0, "" };
        record_verdict(c, ssl, st, sc, select_policy(sc, st, ssl), &verdict, NULL, 0);
    }
    log_completed(c, ssl, st, sc);
    build_export(c, ssl, st);
    st->handshake_done = 1;
}

int cfaop_tls_init_server(server_rec *s, apr_pool_t *p, int is_proxy, SSL_CTX *ctx)
{
    cfaop_srv_cfg *sc = ap_get_module_config(s->module_config, &cf_aop_module);
    int verify_mode;

    (void)p;
    if (is_proxy || !any_active)
        return DECLINED;
    install_resumption_checks(s, ctx);
    if (!cfaop_active(sc))
        return DECLINED;
    sc->modssl_info_cb = SSL_CTX_get_info_callback(ctx);
    if (!SSL_CTX_set_ex_data(ctx, ctx_index, sc)) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                     "CFAOP0021: %s:%d: cannot attach the policy to the TLS context",
                     s->server_hostname, s->port);
        return APR_EGENERAL;
    }
    /* mod_ssl's verify mode and CA names are replaced, never widened:
     * the module owns client authentication on this vhost. */
    verify_mode = SSL_VERIFY_PEER;
    if (sc->engine->mode == CFAOP_MODE_ON)
        verify_mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, verify_mode, SSL_CTX_get_verify_callback(ctx));
    SSL_CTX_set_cert_verify_callback(ctx, cfaop_cert_verify, sc);
    SSL_CTX_set_client_CA_list(ctx, SSL_dup_CA_list(sc->engine->zone_policy->ca_names));
    SSL_CTX_set_info_callback(ctx, cfaop_info_cb);
    /* Each TLS 1.3 ticket carries the client certificate, and OpenSSL makes
     * a stateless ticket by encoding the session, decoding it again (which
     * re-parses that certificate) and re-encoding it: ~200 us of server CPU
     * a ticket. OpenSSL sends two per handshake by default; one lets a
     * client resume, and halves that cost. */
    if (SSL_CTX_get_num_tickets(ctx) > 1)
        SSL_CTX_set_num_tickets(ctx, 1);
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                 "CFAOP0022: %s:%d: CFAOP %s, %d anchor(s), depth %d",
                 s->server_hostname, s->port,
                 sc->engine->mode == CFAOP_MODE_ON ? "On" : "ReportOnly",
                 sk_X509_NAME_num(sc->engine->zone_policy->ca_names), sc->engine->depth);
    return OK;
}

int cfaop_tls_pre_handshake(conn_rec *c, SSL *ssl, int is_proxy)
{
    cfaop_conn_t *st;

    if (is_proxy || !any_active)
        return DECLINED;
    st = apr_pcalloc(c->pool, sizeof(*st));
    st->ssl = ssl;
    ap_set_module_config(c->conn_config, &cf_aop_module, st);
    SSL_set_ex_data(ssl, ssl_index, st);
    if (any_report_only)
        ap_add_input_filter_handle(cfaop_verdict_filter_handle, st, NULL, c);
    return DECLINED;
}

int cfaop_tls_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)pconf; (void)plog; (void)ptemp;
    if (ctx_index < 0)
        ctx_index = SSL_CTX_get_ex_new_index(0, "cf_aop vhost", NULL, NULL, NULL);
    if (ssl_index < 0)
        ssl_index = SSL_get_ex_new_index(0, "cf_aop connection", NULL, NULL, NULL);
    return (ctx_index < 0 || ssl_index < 0) ? !OK : OK;
}

int cfaop_tls_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *main_server)
{
    server_rec *s;

    (void)pconf; (void)plog; (void)ptemp;
    any_active = any_report_only = 0;
    for (s = main_server; s; s = s->next) {
        if (cfaop_active(cfaop_srv(s)))
            any_active = 1;
        if (cfaop_srv(s)->mode == CFAOP_MODE_REPORT_ONLY)
            any_report_only = 1;
    }
    return OK;
}
