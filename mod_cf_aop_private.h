/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cf_aop_private.h: what the glue files share: the per-vhost and
 * per-connection records, and the hooks each glue file provides. */
#ifndef MOD_CF_AOP_PRIVATE_H
#define MOD_CF_AOP_PRIVATE_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "ap_mmn.h"

/* 2.4.30 added the module flags the module is declared with; mod_ssl's
 * init_server and pre_handshake hooks, which every handshake relies on,
 * are older (docs/compat.md). */
#if !AP_MODULE_MAGIC_AT_LEAST(20120211, 70)
#error "mod_cf_aop needs the headers of Apache httpd 2.4.30 or later"
#endif

#include "mod_ssl.h"         /* SSL_DECLARE, for the mod_ssl hooks below */
#include "mpm_common.h"      /* ap_hook_monitor */
#include "util_filter.h"
#include <apr_optional_hooks.h>
#include <openssl/ssl.h>

#include "src/directive.h"
#include "src/engine.h"
#include "src/export.h"
#include "src/hostmap.h"
#include "src/judge.h"
#include "src/policy.h"
#include "src/openssl_compat.h"

/* mod_cf_aop.c declares the module, which declares its log index too. */
#ifndef CFAOP_DECLARES_MODULE
APLOG_USE_MODULE(cf_aop);
#endif

#define CFAOP_UNSET (-1)

typedef struct cfaop_srv_cfg cfaop_srv_cfg;

struct cfaop_srv_cfg {
    /* from the directives, merged */
    cfaop_mode_t mode;
    int depth;
    int host_check;
    int chain_cache;                    /* CFAOPChainCache */
    apr_array_header_t *trusted;        /* cfaop_anchor_set_t *; NULL = unset */
    cfaop_hostmap_t *hostmap;           /* -> cfaop_hostname_entry_t *; NULL = unset */
    cfaop_cch_mode_t client_cert_headers;
    cfaop_policy_t *client_ca;          /* CFAOPClientCA, built when read; NULL = unset */
    apr_array_header_t *revocation_files; /* cfaop_file_ref_t; NULL = unset */
    cfaop_serialset_t *deny;            /* CFAOPDenySerial(File); NULL = unset */
    const char *deny_error;             /* why merging the main server's deny set failed */
    cfaop_pinset_t *pins;               /* CFAOPPinSHA256 / CFAOPPinSPKI; NULL = unset */
    int remote_ip;                      /* CFAOPRemoteIP */

    /* set at startup (check_config, ssl_init_server), read-only afterwards */
    server_rec *server;
    const cfaop_engine_t *engine;       /* compiled from the above (src/engine.c); NULL = Off */
    void (*modssl_info_cb)(const SSL *ssl, int where, int ret);
    struct cfaop_status_vhost *status;  /* its counters (mod_cf_aop_status.c); NULL: none kept */
};

/* One per TLS connection (the master connection under HTTP/2). */
typedef struct {
    SSL *ssl;
    const cfaop_srv_cfg *judged_by;     /* the vhost whose policy judged it */
    const cfaop_policy_t *policy;       /* the policy that judged it */
    const cfaop_srv_cfg *selected_for;  /* the vhost `selected` was chosen in */
    const cfaop_policy_t *selected;     /* the policy this handshake's SNI selects */
    cfaop_verdict_t verdict;
    int judged;
    int resumed;
    int handshake_done;                 /* the first handshake completed */
    int resume_judged;                  /* the offered session was judged when offered */
    int verdict_logged;                 /* this handshake's verdict line is written */
    int export_built;
    cfaop_export_t export;
} cfaop_conn_t;

extern module AP_MODULE_DECLARE_DATA cf_aop_module;

static APR_INLINE const cfaop_srv_cfg *cfaop_srv(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &cf_aop_module);
}

static APR_INLINE int cfaop_active(const cfaop_srv_cfg *sc)
{
    return sc->mode == CFAOP_MODE_ON || sc->mode == CFAOP_MODE_REPORT_ONLY;
}

/* The policy a client-sent name (SNI or Host; NULL for none) selects on
 * a vhost: its hostname entry, else the zone policy (mod_cf_aop_tls.c,
 * from the vhost's engine). */
const cfaop_policy_t *cfaop_policy_for_name(const cfaop_srv_cfg *sc, const char *name);

/* What the request hook decided, for the authorization providers. */
typedef struct {
    int aop_passed;                     /* the connection passed AOP for this request */
    int leg1_valid;                     /* Leg-1 headers present and well-formed (Trust/Verify) */
    const char *cf_verified;            /* cf-cert-verified as received, or NULL */
    const char *cf_revoked;             /* cf-cert-revoked as received, or NULL */
    const char *origin_verified;        /* CF_CLIENT_CERT_ORIGIN_VERIFIED, or NULL */
} cfaop_req_t;

/* The decision recorded for the request (or the one it was derived from). */
const cfaop_req_t *cfaop_request_state(const request_rec *r);

/* mod_cf_aop.c */
/* Records what a configuration file loaded ("12345 serials"), for the
 * one CFAOP0031 notice per file at each start and reload. */
void cfaop_note_loaded(server_rec *s, const char *directive, const char *path, const char *what);

/* mod_cf_aop_tls.c: mod_ssl's callbacks and each connection's verdict. */
/* Debian's apache2-dev does not ship mod_ssl_openssl.h; these two
 * declarations are the ones it makes for the hooks this module uses. */
APR_DECLARE_EXTERNAL_HOOK(ssl, SSL, int, init_server,
                          (server_rec *s, apr_pool_t *p, int is_proxy, SSL_CTX *ctx))
APR_DECLARE_EXTERNAL_HOOK(ssl, SSL, int, pre_handshake,
                          (conn_rec *c, SSL *ssl, int is_proxy))
int cfaop_tls_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp);
int cfaop_tls_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                           server_rec *main_server);
int cfaop_tls_init_server(server_rec *s, apr_pool_t *p, int is_proxy, SSL_CTX *ctx);
int cfaop_tls_pre_handshake(conn_rec *c, SSL *ssl, int is_proxy);
/* The verdict filter (AP_FTYPE_CONNECTION + 4, above mod_ssl's): ReportOnly
 * verdicts reach mod_ssl's verify result once its handshake check is done. */
apr_status_t cfaop_verdict_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
                                  apr_read_type_e block, apr_off_t readbytes);
extern ap_filter_rec_t *cfaop_verdict_filter_handle;
cfaop_conn_t *cfaop_conn_state(conn_rec *c);
/* ReportOnly: once mod_ssl has accepted the handshake, its verify result
 * carries the module's verdict (SSL_CLIENT_VERIFY reads FAILED:...).
 * Only from the connection's own thread. */
void cfaop_report_verdict_to_modssl(const cfaop_conn_t *st);

/* mod_cf_aop_startup.c: the configuration's checks and warnings, and the
 * stale-CRL monitor. */
/* Without mod_ssl, or on an httpd older than 2.4.30, no handshake of a
 * CFAOP vhost could be verified and every request would be refused with
 * nothing said at startup: the configuration is refused (CFAOP0024). */
apr_status_t cfaop_check_runtime(apr_pool_t *ptemp, server_rec *main_server);
/* mod_ssl's own revocation directives (SSLCARevocationCheck with a CRL
 * file or path, SSLOCSPEnable) on a CFAOP vhost, its own or inherited,
 * check nothing there; each is a configuration error (CFAOP0030). */
apr_status_t cfaop_check_modssl_revocation(apr_pool_t *ptemp, server_rec *main_server);
/* Startup checks: warnings an admin sees in configtest and the error log. */
void cfaop_config_warnings(apr_pool_t *ptemp, server_rec *main_server);
int cfaop_startup_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                              server_rec *s);
int cfaop_stale_crl_monitor(apr_pool_t *p, server_rec *main_server);
/* The configuration tree as the startup checks read it: the
 * <VirtualHost> node that defined s (NULL for the main server); what a
 * server-level directive is in a vhost, its own last use else the main
 * server's (node NULL: the main server's); a vhost's name for messages. */
const ap_directive_t *cfaop_find_vhost_node(const ap_directive_t *d, const server_rec *s);
const ap_directive_t *cfaop_effective_directive(const ap_directive_t *node, const char *name);
const char *cfaop_vhost_label(apr_pool_t *p, const server_rec *s);

/* ---- mod_cf_aop_request.c and mod_cf_aop_authz.c: per request -----------
 * The hooks and providers, registered by mod_cf_aop.c's register_hooks. */
#include "ap_expr.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mod_auth.h"
#include "util_filter.h"

/* post_read_request, first: decides the request (src/decide.h), writes
 * CF_AOP_*, handles the Leg-1 headers; an internal redirect keeps them out
 * of a refused request's error document. */
int cfaop_post_read_request(request_rec *r);
/* check_authn, right after mod_ssl's: SSLOptions +FakeBasicAuth logs no one
 * in from a certificate that did not pass AOP. */
int cfaop_fake_basic_auth_guard(request_rec *r);
/* access_checker, after mod_ssl's: ReportOnly puts the verdict back in
 * mod_ssl's verify result, which its TLS 1.2 access check resets. */
int cfaop_report_verify_result(request_rec *r);
/* fixups, after mod_ssl's: SSL_CLIENT_VERIFY of an HTTP/2 stream in ReportOnly. */
int cfaop_fix_client_verify_env(request_rec *r);
/* expr_lookup, first: SSL_CLIENT_VERIFY in expressions says the verdict. */
int cfaop_expr_lookup(ap_expr_lookup_parms *parms);
void cfaop_retrieve_optional_fns(void);
/* The CFAOP_TRAILERS input filter (AP_FTYPE_CONTENT_SET): Leg-1 names
 * merged in from a chunked body's trailers go once the body is read. */
apr_status_t cfaop_trailers_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
                                   apr_read_type_e block, apr_off_t readbytes);
#define CFAOP_TRAILERS_FILTER "CFAOP_TRAILERS"
extern ap_filter_rec_t *cfaop_trailers_filter_handle;

/* mod_cf_aop_remoteip.c: CFAOPRemoteIP. post_read_request, after the
 * request decision and after mod_remoteip: the client IP from
 * CF-Connecting-IP. With the other startup warnings (cfaop_config_warnings):
 * mod_remoteip's RemoteIPHeader CF-Connecting-IP on such a vhost (CFAOP0603). */
int cfaop_remoteip_post_read_request(request_rec *r);
void cfaop_remoteip_config_warnings(apr_pool_t *ptemp, server_rec *main_server);

/* For the authorization providers: a Require of the module denied r; an
 * error document it leads to gets no Leg-1 header. */
void cfaop_request_denied(request_rec *r);

/* `Require cf-aop` and `Require cf-client-cert [origin-verified]`. */
extern const authz_provider cfaop_authz_cf_aop;
extern const authz_provider cfaop_authz_cf_client_cert;

/* mod_cf_aop_status.c: the cf-aop-status handler and its counters. The
 * count calls are the only lines other glue files have for it; each costs
 * one atomic add (and, for a passing leaf, a comparison with the last). */
void cfaop_register_status_hooks(apr_pool_t *p);
/* At the verdict's one log point: passed, refused (enforced) or reported. */
void cfaop_status_count_verdict(const cfaop_conn_t *st, X509 *leaf, int enforced);
/* A session offered for resumption was declined. */
void cfaop_status_count_declined(const cfaop_srv_cfg *sc, cfaop_reason_t reason);
/* A request refused with status (421 or 403). */
void cfaop_status_count_request(const cfaop_srv_cfg *sc, int status, cfaop_reason_t reason);
/* What a CFAOPDenySerialFile added, for the page (at configuration time). */
void cfaop_status_note_deny_file(server_rec *s, const char *path, apr_size_t entries);

#endif
