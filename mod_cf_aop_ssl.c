/* mod_cf_aop_ssl.c: the glue between mod_ssl/OpenSSL and the engine: per
 * vhost SSL_CTX setup, the certificate verifier, resumption and startup checks. */
#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_log.h"
#include "http_main.h"
#include "util_filter.h"
#include "ap_expr.h"
#include "mpm_common.h"
#include "mod_ssl.h"

#include <apr_hash.h>
#include <apr_optional_hooks.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "mod_cf_aop_private.h"
#include "src/anchors.h"
#include "src/ascii.h"
#include "src/logesc.h"
#include "src/sessionrec.h"
#include "src/chaincache.h"
#include "src/judge.h"
#include "src/reason.h"

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
    if (verdict->reason == CFAOP_REASON_NONE)
        st->published_error = X509_V_OK;
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

static long verdict_x509_error(const cfaop_verdict_t *verdict)
{
    return cfaop_reason_x509_error(verdict->reason, verdict->x509_error);
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
    X509_STORE_CTX_set_error(sctx, (int)verdict_x509_error(&verdict));
    return 0;
}

/* No verifier runs on resumption: judge the session's certificate again,
 * under the policy this handshake's SNI selects and today's anchors. */
static void rejudge_resumed(conn_rec *c, SSL *ssl, cfaop_conn_t *st, const cfaop_srv_cfg *sc)
{
    X509 *leaf = SSL_get0_peer_certificate(ssl);
    const cfaop_policy_t *policy = select_policy(sc, st, ssl);
    STACK_OF(X509) *chain = NULL;
    const char *accepted_by = NULL, *bad = NULL;
    void *rec = NULL;
    size_t reclen = 0;
    cfaop_verdict_t verdict = { CFAOP_REASON_NONE, X509_V_OK, 0, "" };

    if (leaf != NULL) {
        if (!SSL_SESSION_get0_ticket_appdata(SSL_get0_session(ssl), &rec, &reclen) || rec == NULL)
            bad = "the session carries no record of the policy that accepted it";
        else
            bad = cfaop_sessionrec_decode(c->pool, rec, reclen, &accepted_by, &chain);
    }
    if (bad != NULL) {
        verdict.reason = CFAOP_REASON_INVALID;
        verdict.x509_error = X509_V_ERR_UNSPECIFIED;
        verdict.detail = bad;
    }
    else if (leaf != NULL && strcmp(accepted_by, policy->name) != 0) {
        /* A session established under one policy never passes under another,
         * even where that one would trust the same certificate. */
        verdict.reason = CFAOP_REASON_HOST_MISMATCH;
        verdict.detail = apr_psprintf(c->pool, "session established under policy %s", accepted_by);
    }
    else {
        cfaop_judge(policy, &sc->checks, leaf, chain, apr_time_sec(apr_time_now()),
                    sc->chain_cache, &verdict);
    }
    sk_X509_pop_free(chain, X509_free);
    if (!record_verdict(c, ssl, st, sc, policy, &verdict, leaf, 1)) {
        /* mod_ssl refuses a handshake whose verify result is an error as
         * soon as SSL_accept returns, before any request is read. */
        SSL_set_verify_result(ssl, verdict_x509_error(&verdict));
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

/* In ReportOnly the handshake ends with a clean verify result, or mod_ssl
 * would drop it as soon as SSL_accept returns. Right after that check, on
 * the first read of the connection (its own thread, the master connection's
 * under HTTP/2), the verify result becomes the module's verdict, so that
 * SSL_CLIENT_VERIFY, SSLRequire, Require ssl-verify-client, FakeBasicAuth,
 * mod_rewrite and <If> read FAILED:<text> from the first request on.
 * The verify mode loses SSL_VERIFY_PEER, so that any SSLVerifyClient
 * optional or require (server or directory) is stricter than what is in
 * place: mod_ssl then asks for a certificate again (TLS 1.2 renegotiation,
 * TLS 1.3 post-handshake authentication, 403 on an HTTP/2 stream), and the
 * verifier judges it as On would. Not SSL_VERIFY_NONE: with that, and
 * SSLOptions +OptRenegotiate, mod_ssl re-verifies the same certificate
 * against its own store ("quick renegotiation"), bypassing the verifier. */
static void publish_verdict(cfaop_conn_t *st)
{
    const cfaop_srv_cfg *sc = st->judged_by;

    if (sc == NULL || sc->mode != CFAOP_MODE_REPORT_ONLY || !st->judged
        || st->verdict.reason == CFAOP_REASON_NONE || st->verdict.reason == CFAOP_REASON_NO_CERT)
        return;
    st->published_error = verdict_x509_error(&st->verdict);
    SSL_set_verify_result(st->ssl, st->published_error);
    SSL_set_verify(st->ssl, SSL_VERIFY_CLIENT_ONCE, SSL_get_verify_callback(st->ssl));
}

static ap_filter_rec_t *verdict_filter;

/* Sits just above mod_ssl's filter; once the handshake is over it has done
 * its one job and leaves the chain, so requests never pass through it. */
static apr_status_t cfaop_verdict_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                         ap_input_mode_t mode, apr_read_type_e block,
                                         apr_off_t readbytes)
{
    cfaop_conn_t *st = f->ctx;
    apr_status_t rv = ap_get_brigade(f->next, bb, mode, block, readbytes);

    if (st->handshake_done) {
        publish_verdict(st);
        ap_remove_input_filter(f);
    }
    return rv;
}

APR_DECLARE_OPTIONAL_FN(char *, ssl_var_lookup,
                        (apr_pool_t *, server_rec *, conn_rec *, request_rec *, char *));
static APR_OPTIONAL_FN_TYPE(ssl_var_lookup) *modssl_var_lookup;

/* FAILED:<text> while the connection's ReportOnly verdict is a refusal, as
 * mod_ssl words it for that verify result; NULL otherwise. */
static const char *published_verify(conn_rec *c, apr_pool_t *p)
{
    const cfaop_conn_t *st = cfaop_conn_state(c->master ? c->master : c);

    if (st == NULL || st->published_error == X509_V_OK)
        return NULL;
    return apr_pstrcat(p, "FAILED:", X509_verify_cert_error_string(st->published_error), NULL);
}

static const char *modssl_value(ap_expr_eval_ctx_t *ctx, const char *name)
{
    return modssl_var_lookup ? modssl_var_lookup(ctx->p, ctx->s, ctx->c, ctx->r, (char *)name) : NULL;
}

static const char *expr_verify_var(ap_expr_eval_ctx_t *ctx, const void *data)
{
    const char *v = published_verify(ctx->c, ctx->p);

    return v ? v : modssl_value(ctx, data);
}

static const char *expr_ssl_func(ap_expr_eval_ctx_t *ctx, const void *data, const char *arg)
{
    const char *v;

    (void)data;
    if (arg != NULL && cfaop_ascii_strcasecmp(arg, "SSL_CLIENT_VERIFY") == 0
        && (v = published_verify(ctx->c, ctx->p)) != NULL)
        return v;
    return arg ? modssl_value(ctx, arg) : NULL;
}

/* mod_ssl's TLS 1.2 access check sets the verify result back to OK on every
 * request (its server-level verify mode is never unset once it started)
 * and evaluates SSLRequire right after, in the same hook: no hook of this
 * module runs in between. SSLRequire, Require expr and <If> read the
 * variable through ap_expr, so the module answers for SSL_CLIENT_VERIFY
 * there first and hands every other name to mod_ssl. */
static int cfaop_expr_lookup(ap_expr_lookup_parms *parms)
{
    /* Without mod_ssl, the names stay unknown as they were. */
    if (modssl_var_lookup == NULL
        && (modssl_var_lookup = APR_RETRIEVE_OPTIONAL_FN(ssl_var_lookup)) == NULL)
        return DECLINED;
    if (parms->type == AP_EXPR_FUNC_VAR && cfaop_ascii_strcasecmp(parms->name, "SSL_CLIENT_VERIFY") == 0) {
        *parms->func = expr_verify_var;
        *parms->data = "SSL_CLIENT_VERIFY";
        return OK;
    }
    /* mod_ssl takes the function's name in any case: so does this. */
    if (parms->type == AP_EXPR_FUNC_STRING && cfaop_ascii_strcasecmp(parms->name, "SSL") == 0) {
        *parms->func = expr_ssl_func;
        *parms->data = NULL;
        return OK;
    }
    return DECLINED;
}

void cfaop_register_handshake_filter(void)
{
    /* mod_ssl's "SSL/TLS Filter" is AP_FTYPE_CONNECTION + 5. */
    verdict_filter = ap_register_input_filter("CFAOP_VERDICT", cfaop_verdict_filter, NULL,
                                              AP_FTYPE_CONNECTION + 4);
    ap_hook_expr_lookup(cfaop_expr_lookup, NULL, NULL, APR_HOOK_FIRST);
}

void cfaop_republish_verdict(conn_rec *c)
{
    cfaop_conn_t *st;

    /* Never from an HTTP/2 stream: the SSL belongs to the master
     * connection's thread. */
    if (c->master != NULL || (st = cfaop_conn_state(c)) == NULL || st->published_error == X509_V_OK)
        return;
    SSL_set_verify_result(st->ssl, st->published_error);
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

    if (is_proxy || !cfaop_active(sc))
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
    any_active = 0;
    for (s = main_server; s; s = s->next)
        if (cfaop_active(cfaop_srv(s)))
            any_active = 1;
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
                if (anchors == NULL || (err = cfaop_revocation_load_file(crls, ref->path, anchors)) != NULL) {
                    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                                 "CFAOP0007: CFAOPRevocationFile (%s): %s", ref->origin,
                                 err ? err : "out of memory");
                    return APR_EGENERAL;
                }
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
    return d->directive[0] == '<' && !strcasecmp(d->directive + 1, name);
}

static const ap_directive_t *find_vhost_node(const ap_directive_t *d, const server_rec *s)
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
        if (!strcasecmp(d->directive, name))
            value = d->args;
        else if (d->first_child && !is_container(d, "VirtualHost")
                 && (inner = server_directive(d->first_child, name)) != NULL)
            value = inner;
    }
    return value;
}

/* The first of the mod_ssl client-verification directives used anywhere
 * in this scope, for the "ignored for AOP" warning. */
static const ap_directive_t *modssl_verify_directive(const ap_directive_t *d, int top)
{
    static const char *const names[] = {
        "SSLVerifyClient", "SSLVerifyDepth", "SSLCACertificateFile",
        "SSLCACertificatePath", "SSLCADNRequestFile", "SSLCADNRequestPath", NULL
    };
    const ap_directive_t *found;
    int i;

    for (; d; d = d->next) {
        for (i = 0; names[i]; i++)
            if (!strcasecmp(d->directive, names[i]))
                return d;
        if (d->first_child && !(top && is_container(d, "VirtualHost"))
            && (found = modssl_verify_directive(d->first_child, top)) != NULL)
            return found;
    }
    return NULL;
}

static const char *vhost_label(apr_pool_t *p, const server_rec *s)
{
    if (s->defn_name)
        return apr_psprintf(p, "virtual host %s:%u (%s:%u)", s->server_hostname,
                            s->port, s->defn_name, s->defn_line_number);
    return apr_psprintf(p, "main server %s", s->server_hostname);
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

void cfaop_config_warnings(apr_pool_t *ptemp, server_rec *main_server)
{
    const ap_directive_t *top = ap_conftree;
    const char *main_engine = server_directive(top, "SSLEngine");
    const ap_directive_t *main_verify = modssl_verify_directive(top, 1);
    apr_hash_t *warned = apr_hash_make(ptemp);
    time_t now = time(NULL);
    server_rec *s;

    for (s = main_server; s; s = s->next) {
        const cfaop_srv_cfg *sc = cfaop_srv(s);
        const ap_directive_t *node, *verify;
        const char *engine, *label;
        int i, j, builtin_only = 1;

        if (!cfaop_active(sc))
            continue;
        label = vhost_label(ptemp, s);
        node = s->defn_name ? find_vhost_node(top, s) : NULL;
        engine = node ? server_directive(node->first_child, "SSLEngine") : NULL;
        if (engine == NULL)
            engine = main_engine;
        if (!ap_find_linked_module("mod_ssl.c")
            || engine == NULL || (strcasecmp(engine, "on") && strcasecmp(engine, "optional")))
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "CFAOP0010: %s has CFAOP %s but not SSLEngine on: no TLS "
                         "handshake can be verified there%s", label,
                         sc->mode == CFAOP_MODE_ON ? "On" : "ReportOnly",
                         sc->mode == CFAOP_MODE_ON ? ", so every request is refused (403)" : "");
        verify = node ? modssl_verify_directive(node->first_child, 0) : NULL;
        if (verify == NULL)
            verify = main_verify;
        if (verify != NULL)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "CFAOP0013: %s: %s (%s:%d) is ignored for AOP: CFAOP owns client "
                         "certificate verification there; use CFAOPTrustedCA and CFAOPVerifyDepth",
                         label, verify->directive, verify->filename, verify->line_num);
        for (i = 0; i < sc->trusted->nelts; i++) {
            const cfaop_anchor_set_t *set = APR_ARRAY_IDX(sc->trusted, i, cfaop_anchor_set_t *);

            if (!set->builtin)
                builtin_only = 0;
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
                         "CFAOP0011: %s trusts only the shared Cloudflare origin-pull CA: any "
                         "Cloudflare customer's zone can reach it through Cloudflare. Upload your "
                         "own AOP certificate and trust its CA with CFAOPTrustedCA", label);
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
                     "Fetch a fresh one and run apachectl graceful", s->server_hostname, s->port);
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
    cfaop_register_handshake_filter();
}
