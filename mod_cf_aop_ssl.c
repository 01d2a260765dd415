/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cf_aop_ssl.c: the glue between mod_ssl/OpenSSL and the engine: per
 * vhost SSL_CTX setup, the certificate verifier, resumption and startup checks. */
#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_log.h"
#include "http_main.h"
#include "mpm_common.h"
#include "util_filter.h"
#include "mod_ssl.h"

#include <apr_hash.h>
#include <apr_optional_hooks.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "mod_cf_aop_private.h"
#include "src/anchors.h"
#include "src/ascii.h"
#include "src/builtin_ca.h"
#include "src/sessionrec.h"
#include "src/chaincache.h"
#include "src/judge.h"
#include "src/reason.h"
#include "src/logesc.h"
#include "src/sni.h"

/* Debian's apache2-dev does not ship mod_ssl_openssl.h; these two
 * declarations are the ones it makes for the hooks this module uses. */
APR_DECLARE_EXTERNAL_HOOK(ssl, SSL, int, init_server,
                          (server_rec *s, apr_pool_t *p, int is_proxy, SSL_CTX *ctx))
APR_DECLARE_EXTERNAL_HOOK(ssl, SSL, int, pre_handshake,
                          (conn_rec *c, SSL *ssl, int is_proxy))

#define CFAOP_EXPIRY_WARNING_DAYS 30

static int ctx_index = -1;      /* SSL_CTX ex_data: its vhost's cfaop_srv_cfg */
static int ssl_index = -1;      /* SSL ex_data: the connection's cfaop_conn_t */
static int any_active;          /* some vhost has CFAOP On or ReportOnly */
static int any_report_only;     /* some vhost has CFAOP ReportOnly */
static ap_filter_rec_t *verdict_filter;
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
    return sc->mode == CFAOP_MODE_ON || (st->handshake_done && !st->resumed);
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
                st->verdict.reason != CFAOP_REASON_NONE && sc->mode == CFAOP_MODE_ON);
}

void cfaop_report_verdict_to_modssl(const cfaop_conn_t *st)
{
    const cfaop_verdict_t *v = &st->verdict;

    if (!st->judged || st->judged_by == NULL || st->judged_by->mode != CFAOP_MODE_REPORT_ONLY
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
static apr_status_t cfaop_verdict_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                         ap_input_mode_t mode, apr_read_type_e block,
                                         apr_off_t readbytes)
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
    const cfaop_hostname_entry_t *entry;

    if (name != NULL && sc->hostmap != NULL
        && (entry = cfaop_hostmap_lookup(sc->hostmap, name, NULL)) != NULL)
        return sc->hostname_policies[entry->index];
    return sc->zone_policy;
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
    if (policy != sc->zone_policy)
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
    cfaop_judge(policy, &sc->checks, leaf, untrusted, apr_time_sec(apr_time_now()),
                sc->chain_cache, &verdict);
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
        cfaop_judge(policy, &sc->checks, leaf, chain, apr_time_sec(apr_time_now()),
                    sc->chain_cache, verdict);
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
        || (sc->mode == CFAOP_MODE_REPORT_ONLY && verdict.reason != CFAOP_REASON_HOST_MISMATCH
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

/* One trust store per distinct list of CA files, shared by every hostname
 * naming that list; each hostname gets its own named policy over it. */
static apr_status_t build_hostname_policies(server_rec *s, apr_pool_t *p, cfaop_srv_cfg *sc)
{
    const apr_array_header_t *entries = cfaop_hostmap_values(sc->hostmap);
    apr_hash_t *trust_by_key = apr_hash_make(p);
    int i;

    sc->hostname_policies = apr_pcalloc(p, sizeof(*sc->hostname_policies) * (entries->nelts + 1));
    for (i = 0; i < entries->nelts; i++) {
        const cfaop_hostname_entry_t *entry = APR_ARRAY_IDX(entries, i, cfaop_hostname_entry_t *);
        const char *name = apr_pstrcat(p, "hostname:", entry->hostname, NULL), *err = NULL;
        cfaop_policy_t *trust = apr_hash_get(trust_by_key, entry->key, APR_HASH_KEY_STRING);

        if (trust != NULL) {
            sc->hostname_policies[entry->index] = cfaop_policy_alias(p, trust, name);
            continue;
        }
        trust = cfaop_policy_create(p, name, (const cfaop_anchor_set_t *const *)entry->sets->elts,
                                    entry->sets->nelts, sc->depth, &err);
        if (trust == NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                         "CFAOP0020: %s:%d: cannot build the trust policy for %s: %s",
                         s->server_hostname, s->port, entry->hostname, err);
            return APR_EGENERAL;
        }
        apr_hash_set(trust_by_key, entry->key, APR_HASH_KEY_STRING, trust);
        sc->hostname_policies[entry->index] = trust;
    }
    return APR_SUCCESS;
}

static int cfaop_init_server(server_rec *s, apr_pool_t *p, int is_proxy, SSL_CTX *ctx)
{
    cfaop_srv_cfg *sc = ap_get_module_config(s->module_config, &cf_aop_module);
    const char *err = NULL;
    int verify_mode;

    if (is_proxy || !any_active)
        return DECLINED;
    install_resumption_checks(s, ctx);
    if (!cfaop_active(sc))
        return DECLINED;
    sc->zone_policy = cfaop_policy_create(p, "zone",
                                          (const cfaop_anchor_set_t *const *)sc->trusted->elts,
                                          sc->trusted->nelts, sc->depth, &err);
    if (sc->zone_policy == NULL) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                     "CFAOP0020: %s:%d: cannot build the trust policy: %s",
                     s->server_hostname, s->port, err);
        return APR_EGENERAL;
    }
    if (sc->hostmap != NULL && build_hostname_policies(s, p, sc) != APR_SUCCESS)
        return APR_EGENERAL;
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
    if (sc->mode == CFAOP_MODE_ON)
        verify_mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, verify_mode, SSL_CTX_get_verify_callback(ctx));
    SSL_CTX_set_cert_verify_callback(ctx, cfaop_cert_verify, sc);
    SSL_CTX_set_client_CA_list(ctx, SSL_dup_CA_list(sc->zone_policy->ca_names));
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
                 sc->mode == CFAOP_MODE_ON ? "On" : "ReportOnly",
                 sk_X509_NAME_num(sc->zone_policy->ca_names), sc->depth);
    return OK;
}

static int cfaop_pre_handshake(conn_rec *c, SSL *ssl, int is_proxy)
{
    cfaop_conn_t *st;

    if (is_proxy || !any_active)
        return DECLINED;
    st = apr_pcalloc(c->pool, sizeof(*st));
    st->ssl = ssl;
    ap_set_module_config(c->conn_config, &cf_aop_module, st);
    SSL_set_ex_data(ssl, ssl_index, st);
    if (any_report_only)
        ap_add_input_filter_handle(verdict_filter, st, NULL, c);
    return DECLINED;
}

static int cfaop_ssl_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)pconf; (void)plog; (void)ptemp;
    if (ctx_index < 0)
        ctx_index = SSL_CTX_get_ex_new_index(0, "cf_aop vhost", NULL, NULL, NULL);
    if (ssl_index < 0)
        ssl_index = SSL_get_ex_new_index(0, "cf_aop connection", NULL, NULL, NULL);
    return (ctx_index < 0 || ssl_index < 0) ? !OK : OK;
}

static int cfaop_ssl_check_config(apr_pool_t *pconf, apr_pool_t *plog,
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

static apr_status_t free_store(void *store)
{
    X509_STORE_free(store);
    return APR_SUCCESS;
}

/* Every anchor a vhost trusts (zone and hostnames), to check CRL signatures. */
static X509_STORE *vhost_anchor_store(apr_pool_t *ptemp, const cfaop_srv_cfg *sc)
{
    X509_STORE *store = X509_STORE_new();
    int i, j, k;

    if (store == NULL)
        return NULL;
    apr_pool_cleanup_register(ptemp, store, free_store, apr_pool_cleanup_null);
    for (i = 0; i < sc->trusted->nelts; i++) {
        const cfaop_anchor_set_t *set = APR_ARRAY_IDX(sc->trusted, i, cfaop_anchor_set_t *);
        for (k = 0; k < sk_X509_num(set->certs); k++)
            X509_STORE_add_cert(store, sk_X509_value(set->certs, k));
    }
    if (sc->hostmap != NULL) {
        const apr_array_header_t *entries = cfaop_hostmap_values(sc->hostmap);
        for (i = 0; i < entries->nelts; i++) {
            const cfaop_hostname_entry_t *entry = APR_ARRAY_IDX(entries, i, cfaop_hostname_entry_t *);
            for (j = 0; j < entry->sets->nelts; j++) {
                const cfaop_anchor_set_t *set = APR_ARRAY_IDX(entry->sets, j, cfaop_anchor_set_t *);
                for (k = 0; k < sk_X509_num(set->certs); k++)
                    X509_STORE_add_cert(store, sk_X509_value(set->certs, k));
            }
        }
    }
    ERR_clear_error();
    return store;
}

apr_status_t cfaop_build_checks(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *main_server)
{
    server_rec *s;

    for (s = main_server; s; s = s->next) {
        cfaop_srv_cfg *sc = ap_get_module_config(s->module_config, &cf_aop_module);
        const char *err = NULL;
        int i;

        memset(&sc->checks, 0, sizeof(sc->checks));
        sc->crl_next_update = 0;
        if (!cfaop_active(sc))
            continue;
        if (sc->deny != NULL) {
            if (!cfaop_serialset_frozen(sc->deny) && (err = cfaop_serialset_freeze(sc->deny)) != NULL) {
                ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "CFAOP0006: CFAOPDenySerial: %s", err);
                return APR_EGENERAL;
            }
            sc->checks.deny = sc->deny;
        }
        if (sc->pins != NULL && (cfaop_pinset_count_sha256(sc->pins) || cfaop_pinset_count_spki(sc->pins)))
            sc->checks.pins = sc->pins;
        if (sc->revocation_files != NULL) {
            cfaop_revocation_t *crls = cfaop_revocation_create(pconf);
            X509_STORE *anchors = vhost_anchor_store(ptemp, sc);

            for (i = 0; i < sc->revocation_files->nelts; i++) {
                const cfaop_file_ref_t *ref = &APR_ARRAY_IDX(sc->revocation_files, i, cfaop_file_ref_t);
                const apr_array_header_t *infos = cfaop_revocation_crls(crls);
                int first = infos->nelts, k;
                apr_size_t entries = 0;

                if (anchors == NULL || (err = cfaop_revocation_load_file(crls, ref->path, anchors)) != NULL) {
                    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                                 "CFAOP0007: CFAOPRevocationFile (%s): %s", ref->origin,
                                 err ? err : "out of memory");
                    return APR_EGENERAL;
                }
                infos = cfaop_revocation_crls(crls);
                for (k = first; k < infos->nelts; k++)
                    entries += APR_ARRAY_IDX(infos, k, cfaop_crl_info_t).entries;
                cfaop_note_loaded(s, "CFAOPRevocationFile", ref->path,
                                  apr_psprintf(ptemp, "%d CRL%s, %" APR_SIZE_T_FMT " entr%s",
                                               infos->nelts - first, infos->nelts - first == 1 ? "" : "s",
                                               entries, entries == 1 ? "y" : "ies"));
            }
            if ((err = cfaop_revocation_freeze(crls)) != NULL) {
                ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "CFAOP0007: CFAOPRevocationFile: %s", err);
                return APR_EGENERAL;
            }
            sc->checks.crls = crls;
            sc->crl_next_update = cfaop_revocation_next_update(crls);
        }
    }
    return APR_SUCCESS;
}

/* ---- startup checks ---------------------------------------------------- */

static int is_container(const ap_directive_t *d, const char *name)
{
    return d->directive[0] == '<' && !cfaop_ascii_strcasecmp(d->directive + 1, name);
}

const ap_directive_t *find_vhost_node(const ap_directive_t *d, const server_rec *s)
{
    for (; d; d = d->next) {
        const ap_directive_t *found;
        if (is_container(d, "VirtualHost")) {
            if (s->defn_name && d->filename && !strcmp(d->filename, s->defn_name)
                && d->line_num == (int)s->defn_line_number)
                return d;
            continue;
        }
        if (d->first_child && (found = find_vhost_node(d->first_child, s)) != NULL)
            return found;
    }
    return NULL;
}

/* The last value of a server-level directive in this scope (containers
 * other than VirtualHost, such as IfModule, are looked into). */
static const char *server_directive(const ap_directive_t *d, const char *name)
{
    const char *value = NULL, *inner;

    for (; d; d = d->next) {
        if (!cfaop_ascii_strcasecmp(d->directive, name))
            value = d->args;
        else if (d->first_child && !is_container(d, "VirtualHost")
                 && (inner = server_directive(d->first_child, name)) != NULL)
            value = inner;
    }
    return value;
}

/* The port a vhost listens on: ServerName's port is 0 unless written. */
static unsigned vhost_port(const server_rec *s)
{
    if (s->port != 0 || s->addrs == NULL)
        return s->port;
    return s->addrs->host_port;
}

const char *vhost_label(apr_pool_t *p, const server_rec *s)
{
    unsigned port = vhost_port(s);

    /* <VirtualHost *> answers on every port: say so rather than ":0" */
    if (s->defn_name)
        return apr_psprintf(p, "virtual host %s:%s (%s:%u)", s->server_hostname,
                            port ? apr_psprintf(p, "%u", port) : "*",
                            s->defn_name, s->defn_line_number);
    return apr_psprintf(p, "main server %s", s->server_hostname);
}

/* Every mod_ssl client-verification directive used in this scope (for
 * the "ignored for AOP" warning), in configuration order. With top set,
 * VirtualHost containers are not looked into (the main server's scope). */
static void modssl_verify_directives(const ap_directive_t *d, int top,
                                     apr_array_header_t *found)
{
    static const char *const names[] = {
        "SSLVerifyClient", "SSLVerifyDepth", "SSLCACertificateFile",
        "SSLCACertificatePath", "SSLCADNRequestFile", "SSLCADNRequestPath", NULL
    };
    int i;

    for (; d; d = d->next) {
        for (i = 0; names[i]; i++)
            if (!cfaop_ascii_strcasecmp(d->directive, names[i]))
                APR_ARRAY_PUSH(found, const ap_directive_t *) = d;
        if (d->first_child && !(top && is_container(d, "VirtualHost")))
            modssl_verify_directives(d->first_child, top, found);
    }
}

/* The last use of a server-level directive in this scope, the one mod_ssl
 * keeps, with where it was written. */
static const ap_directive_t *last_directive(const ap_directive_t *d, const char *name, int top)
{
    const ap_directive_t *last = NULL, *inner;

    for (; d; d = d->next) {
        if (!cfaop_ascii_strcasecmp(d->directive, name))
            last = d;
        else if (d->first_child && !(top && is_container(d, "VirtualHost"))
                 && (inner = last_directive(d->first_child, name, top)) != NULL)
            last = inner;
    }
    return last;
}

/* What mod_ssl merges into a vhost: its own directive, else the main server's. */
const ap_directive_t *effective_directive(const ap_directive_t *node, const char *name)
{
    const ap_directive_t *d = node ? last_directive(node->first_child, name, 0) : NULL;

    return d ? d : last_directive(ap_conftree, name, 1);
}

/* The first word of a directive's arguments, lower-cased ("chain" of
 * "chain no_crl_for_cert_ok"). */
static const char *first_word(apr_pool_t *p, const ap_directive_t *d)
{
    const char *args = d->args;
    char *word = ap_getword_conf(p, &args);
    char *c;

    for (c = word; *c; c++)
        *c = (char)cfaop_ascii_tolower((unsigned char)*c);
    return word;
}

static int refuse_revocation(server_rec *s, const char *label, const ap_directive_t *d,
                             const char *why)
{
    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                 "CFAOP0030: %s: %s %s (%s:%d) %s on a CFAOP vhost: the module verifies the "
                 "client certificate there and mod_ssl's revocation checks nothing, so a "
                 "certificate it revokes would be accepted. Use CFAOPRevocationFile with the "
                 "CRL instead, and remove the mod_ssl directive", label, d->directive, d->args,
                 d->filename, d->line_num, why);
    return 1;
}

apr_status_t cfaop_check_modssl_revocation(apr_pool_t *ptemp, server_rec *main_server)
{
    static const char *const crl_sources[] = { "SSLCARevocationFile", "SSLCARevocationPath", NULL };
    server_rec *s;
    int refused = 0, i;

    for (s = main_server; s; s = s->next) {
        const ap_directive_t *node, *check, *ocsp;
        const char *label;

        if (!cfaop_active(cfaop_srv(s)))
            continue;
        node = s->defn_name ? find_vhost_node(ap_conftree, s) : NULL;
        label = vhost_label(ptemp, s);
        /* mod_ssl reads a CRL only when SSLCARevocationCheck asks it to:
         * a file without the check was inert before the module too. */
        check = effective_directive(node, "SSLCARevocationCheck");
        if (check != NULL && strcmp(first_word(ptemp, check), "none")) {
            int named = 0;
            for (i = 0; crl_sources[i]; i++) {
                const ap_directive_t *src = effective_directive(node, crl_sources[i]);
                if (src != NULL)
                    named = refuse_revocation(s, label, src, apr_psprintf(ptemp,
                                              "with %s %s (%s:%d) has no effect", check->directive,
                                              check->args, check->filename, check->line_num));
            }
            if (!named)
                refuse_revocation(s, label, check, "has no effect");
            refused = 1;
        }
        ocsp = effective_directive(node, "SSLOCSPEnable");
        if (ocsp != NULL && strcmp(first_word(ptemp, ocsp), "off"))
            refused = refuse_revocation(s, label, ocsp, "has no effect");
    }
    return refused ? APR_EGENERAL : APR_SUCCESS;
}

/* One warning per file, however many vhosts or hostnames list it. */
static void warn_expiring(server_rec *s, apr_pool_t *ptemp, apr_hash_t *warned,
                          const cfaop_anchor_set_t *set, const char *what, time_t now)
{
    int j;

    if (apr_hash_get(warned, set->source, APR_HASH_KEY_STRING))
        return;
    apr_hash_set(warned, set->source, APR_HASH_KEY_STRING, set);
    for (j = 0; j < sk_X509_num(set->certs); j++) {
        const char *why = cfaop_anchor_expiry_warning(ptemp, sk_X509_value(set->certs, j),
                                                      now, CFAOP_EXPIRY_WARNING_DAYS);
        if (why != NULL)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "CFAOP0012: %s %s: certificate %s",
                         what, set->source, why);
    }
}

/* The SHA-256 of the built-in Cloudflare CA, to recognise it when it is
 * given as a file (conf/cloudflare-origin-pull-ca.pem, or a copy of it
 * downloaded from Cloudflare): the same shared CA under another name. */
static int builtin_fingerprint(apr_pool_t *ptemp, unsigned char fp[EVP_MAX_MD_SIZE])
{
    cfaop_anchor_set_t *set;
    unsigned int len = 0;

    if (cfaop_anchor_set_load_pem(ptemp, cfaop_builtin_ca_pem, CFAOP_BUILTIN_CA_NAME, 1, &set) != NULL
        || sk_X509_num(set->certs) != 1
        || !X509_digest(sk_X509_value(set->certs, 0), EVP_sha256(), fp, &len)) {
        ERR_clear_error();
        return 0;
    }
    return 1;
}

/* A set that holds only the shared Cloudflare CA: the built-in one, or a
 * file whose every certificate is that CA. */
static int shared_cloudflare_only(const cfaop_anchor_set_t *set, const unsigned char *builtin_fp)
{
    unsigned char fp[EVP_MAX_MD_SIZE];
    unsigned int len;
    int k;

    if (set->builtin)
        return 1;
    if (builtin_fp == NULL || sk_X509_num(set->certs) == 0)
        return 0;
    for (k = 0; k < sk_X509_num(set->certs); k++) {
        if (!X509_digest(sk_X509_value(set->certs, k), EVP_sha256(), fp, &len) || len != 32
            || memcmp(fp, builtin_fp, 32) != 0) {
            ERR_clear_error();
            return 0;
        }
    }
    return 1;
}

apr_status_t cfaop_check_runtime(apr_pool_t *ptemp, server_rec *main_server)
{
    ap_version_t v;
    server_rec *s;

    for (s = main_server; s != NULL && !cfaop_active(cfaop_srv(s)); s = s->next)
        ;
    if (s == NULL)
        return APR_SUCCESS;
    ap_get_server_revision(&v);
    if (v.major < 2 || (v.major == 2 && (v.minor < 4 || (v.minor == 4 && v.patch < 30)))) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                     "CFAOP0024: %s has CFAOP %s, and this httpd is %d.%d.%d: mod_cf_aop needs "
                     "2.4.30 or later, whose mod_ssl runs the hooks every handshake relies on; "
                     "refusing to start", vhost_label(ptemp, s),
                     cfaop_srv(s)->mode == CFAOP_MODE_ON ? "On" : "ReportOnly", v.major, v.minor, v.patch);
        return APR_EGENERAL;
    }
    if (!ap_find_linked_module("mod_ssl.c")) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                     "CFAOP0024: %s has CFAOP %s but mod_ssl is not loaded: no TLS handshake "
                     "can be verified, so every request would be refused. Load ssl_module "
                     "before cf_aop_module (a2enmod ssl); refusing to start", vhost_label(ptemp, s),
                     cfaop_srv(s)->mode == CFAOP_MODE_ON ? "On" : "ReportOnly");
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

void cfaop_config_warnings(apr_pool_t *ptemp, server_rec *main_server)
{
    unsigned char builtin_fp[EVP_MAX_MD_SIZE];
    const unsigned char *have_builtin_fp = builtin_fingerprint(ptemp, builtin_fp) ? builtin_fp : NULL;
    const ap_directive_t *top = ap_conftree;
    const char *main_engine = server_directive(top, "SSLEngine");
    apr_array_header_t *main_verify = apr_array_make(ptemp, 4, sizeof(const ap_directive_t *));
    apr_hash_t *warned = apr_hash_make(ptemp);
    time_t now = time(NULL);
    server_rec *s;

    modssl_verify_directives(top, 1, main_verify);
    for (s = main_server; s; s = s->next) {
        const cfaop_srv_cfg *sc = cfaop_srv(s);
        const ap_directive_t *node;
        apr_array_header_t *verify;
        const char *engine, *label;
        int i, j, builtin_only = 1;
        const char *shared_file = NULL;     /* the shared CA given as a file */

        if (!cfaop_active(sc))
            continue;
        label = vhost_label(ptemp, s);
        node = s->defn_name ? find_vhost_node(top, s) : NULL;
        engine = node ? server_directive(node->first_child, "SSLEngine") : NULL;
        if (engine == NULL)
            engine = main_engine;
        if (engine == NULL || (cfaop_ascii_strcasecmp(engine, "on")
                                    && cfaop_ascii_strcasecmp(engine, "optional")))
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "CFAOP0010: %s has CFAOP %s but not SSLEngine on: no TLS "
                         "handshake can be verified there%s", label,
                         sc->mode == CFAOP_MODE_ON ? "On" : "ReportOnly",
                         sc->mode == CFAOP_MODE_ON ? ", so every request is refused (403)" : "");
        verify = apr_array_make(ptemp, 4, sizeof(const ap_directive_t *));
        if (node != NULL)
            modssl_verify_directives(node->first_child, 0, verify);
        /* the main server's, where the vhost does not set its own (mod_ssl's merge) */
        for (i = 0; i < main_verify->nelts; i++) {
            const ap_directive_t *d = APR_ARRAY_IDX(main_verify, i, const ap_directive_t *);
            if (node == NULL || last_directive(node->first_child, d->directive, 0) == NULL)
                APR_ARRAY_PUSH(verify, const ap_directive_t *) = d;
        }
        if (verify->nelts > 0) {
            const char *list = "";
            for (i = 0; i < verify->nelts; i++) {
                const ap_directive_t *d = APR_ARRAY_IDX(verify, i, const ap_directive_t *);
                list = apr_psprintf(ptemp, "%s%s%s (%s:%d)", list, i ? ", " : "",
                                    d->directive, d->filename, d->line_num);
            }
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "CFAOP0013: %s: %s %s ignored for AOP: CFAOP owns client "
                         "certificate verification there; use CFAOPTrustedCA and CFAOPVerifyDepth",
                         label, list, verify->nelts > 1 ? "are" : "is");
        }
        for (i = 0; i < sc->trusted->nelts; i++) {
            const cfaop_anchor_set_t *set = APR_ARRAY_IDX(sc->trusted, i, cfaop_anchor_set_t *);

            if (!shared_cloudflare_only(set, have_builtin_fp))
                builtin_only = 0;
            else if (!set->builtin && shared_file == NULL)
                shared_file = set->source;
            warn_expiring(s, ptemp, warned, set, "CFAOPTrustedCA", now);
        }
        if (sc->hostmap != NULL) {
            const apr_array_header_t *entries = cfaop_hostmap_values(sc->hostmap);

            for (i = 0; i < entries->nelts; i++) {
                const cfaop_hostname_entry_t *entry = APR_ARRAY_IDX(entries, i, cfaop_hostname_entry_t *);
                for (j = 0; j < entry->sets->nelts; j++)
                    warn_expiring(s, ptemp, warned,
                                  APR_ARRAY_IDX(entry->sets, j, cfaop_anchor_set_t *),
                                  "hostname CA file", now);
            }
        }
        if (sc->checks.crls != NULL) {
            const apr_array_header_t *stale = cfaop_revocation_stale(sc->checks.crls, ptemp, now);
            for (i = 0; i < stale->nelts; i++)
                ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                             "CFAOP0014: %s: %s", label,
                             APR_ARRAY_IDX(stale, i, const char *));
        }
        if (builtin_only)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "CFAOP0011: %s trusts only the shared Cloudflare origin-pull CA%s%s%s: any "
                         "Cloudflare customer's zone can reach it through Cloudflare. Upload your "
                         "own AOP certificate and trust its CA with CFAOPTrustedCA", label,
                         shared_file ? " (given as the file " : "", shared_file ? shared_file : "",
                         shared_file ? ")" : "");
    }
}

/* A CRL past its nextUpdate is still applied (a stale list revokes more
 * than none); the parent says so at startup (CFAOP0014) and then at most
 * once an hour per vhost, from the MPM's monitor hook, so that neither the
 * number of children nor another vhost changes how often it is said. */
static apr_hash_t *stale_warned;        /* parent only: cfaop_srv_cfg * -> time_t */

static int cfaop_stale_crl_monitor(apr_pool_t *p, server_rec *main_server)
{
    time_t now = time(NULL);
    server_rec *s;

    (void)p;
    if (stale_warned == NULL)
        return DECLINED;
    for (s = main_server; s; s = s->next) {
        const cfaop_srv_cfg *sc = cfaop_srv(s);
        time_t *last;

        if (!cfaop_active(sc) || sc->crl_next_update == 0 || now <= sc->crl_next_update)
            continue;
        last = apr_hash_get(stale_warned, &sc, sizeof(sc));
        if (last == NULL) {
            /* startup already said it (CFAOP0014): the next word is due in an hour */
            last = apr_palloc(apr_hash_pool_get(stale_warned), sizeof(*last));
            *last = now;
            apr_hash_set(stale_warned, apr_pmemdup(apr_hash_pool_get(stale_warned), &sc, sizeof(sc)),
                         sizeof(sc), last);
            continue;
        }
        if (now - *last < 3600)
            continue;
        *last = now;
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "CFAOP0107: a CRL of %s:%u is past its nextUpdate; it is still applied. "
                     "Fetch a fresh one and run apachectl graceful", s->server_hostname, vhost_port(s));
    }
    return DECLINED;
}

static int cfaop_ssl_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                                 server_rec *s)
{
    (void)plog; (void)ptemp; (void)s;
    stale_warned = apr_hash_make(pconf);    /* a new configuration starts the clock again */
    return OK;
}

void cfaop_register_ssl_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(cfaop_ssl_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(cfaop_ssl_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(cfaop_ssl_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_monitor(cfaop_stale_crl_monitor, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ssl, init_server, cfaop_init_server, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ssl, pre_handshake, cfaop_pre_handshake, NULL, NULL, APR_HOOK_MIDDLE);
    /* mod_ssl's "SSL/TLS Filter" is AP_FTYPE_CONNECTION + 5: one less is above it. */
    verdict_filter = ap_register_input_filter("cfaop_verdict", cfaop_verdict_filter, NULL,
                                              AP_FTYPE_CONNECTION + 4);
}
