/* mod_cf_aop_private.h: what the glue files share: the per-vhost and
 * per-connection records, and the hooks each glue file provides. */
#ifndef MOD_CF_AOP_PRIVATE_H
#define MOD_CF_AOP_PRIVATE_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include <openssl/ssl.h>

#include "src/directive.h"
#include "src/export.h"
#include "src/policy.h"

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
    apr_array_header_t *trusted;        /* cfaop_anchor_set_t *; NULL = unset */

    /* built once by ssl_init_server, read-only afterwards */
    server_rec *server;
    cfaop_policy_t *zone_policy;
    void (*modssl_info_cb)(const SSL *ssl, int where, int ret);
};

/* One per TLS connection (the master connection under HTTP/2). */
typedef struct {
    SSL *ssl;
    const cfaop_srv_cfg *judged_by;     /* the vhost whose policy judged it */
    const cfaop_policy_t *policy;
    cfaop_verdict_t verdict;
    int judged;
    int resumed;
    int export_built;
    cfaop_export_t export;
    volatile apr_uint32_t verify_result_reported;
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

/* mod_cf_aop_ssl.c */
void cfaop_register_ssl_hooks(apr_pool_t *p);
cfaop_conn_t *cfaop_conn_state(conn_rec *c);
/* Startup checks: warnings an admin sees in configtest and the error log. */
void cfaop_config_warnings(apr_pool_t *ptemp, server_rec *main_server);

/* mod_cf_aop_request.c */
void cfaop_register_request_hooks(apr_pool_t *p);

#endif
