/* mod_cf_aop.c: the module's glue: directives, per-vhost configuration
 * create/merge, and hook registration. Decisions live in src/. */
#define CFAOP_DECLARES_MODULE
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "ap_provider.h"

#include <apr_strings.h>

#include "mod_cf_aop_private.h"
#include "src/anchors.h"
#include "src/builtin_ca.h"

static void *create_srv_cfg(apr_pool_t *p, server_rec *s)
{
    cfaop_srv_cfg *sc = apr_pcalloc(p, sizeof(*sc));

    sc->mode = CFAOP_MODE_UNSET;
    sc->depth = CFAOP_UNSET;
    sc->host_check = CFAOP_UNSET;
    sc->trusted = NULL;
    sc->server = s;
    return sc;
}

#define MERGE_INT(field) mrg->field = (add->field != CFAOP_UNSET) ? add->field : base->field
#define MERGE_PTR(field) mrg->field = (add->field != NULL) ? add->field : base->field

static void *merge_srv_cfg(apr_pool_t *p, void *basev, void *addv)
{
    const cfaop_srv_cfg *base = basev, *add = addv;
    cfaop_srv_cfg *mrg = apr_pcalloc(p, sizeof(*mrg));

    MERGE_INT(mode);
    MERGE_INT(depth);
    MERGE_INT(host_check);
    MERGE_PTR(trusted);
    mrg->server = add->server;
    /* built at ssl_init_server time, per vhost, never inherited */
    mrg->zone_policy = NULL;
    mrg->modssl_info_cb = NULL;
    return mrg;
}

/* Defaults are applied after every merge, so no vhost (nor the main server,
 * which is never merged) sees an UNSET field. */
static apr_status_t apply_defaults(apr_pool_t *pconf, server_rec *main_server)
{
    cfaop_anchor_set_t *builtin = NULL;     /* parsed once per configuration */
    server_rec *s;

    for (s = main_server; s; s = s->next) {
        cfaop_srv_cfg *sc = ap_get_module_config(s->module_config, &cf_aop_module);

        sc->server = s;
        if (sc->mode == CFAOP_MODE_UNSET)
            sc->mode = CFAOP_MODE_OFF;
        if (sc->depth == CFAOP_UNSET)
            sc->depth = 1;
        if (sc->host_check == CFAOP_UNSET)
            sc->host_check = 1;
        if (sc->trusted == NULL && cfaop_active(sc)) {
            if (builtin == NULL) {
                const char *err = cfaop_anchor_set_load_pem(pconf, cfaop_builtin_ca_pem,
                                                            CFAOP_BUILTIN_CA_NAME, 1, &builtin);
                if (err != NULL) {
                    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                                 "CFAOP0003: the built-in Cloudflare CA does not load: %s", err);
                    return APR_EGENERAL;
                }
            }
            sc->trusted = apr_array_make(pconf, 1, sizeof(cfaop_anchor_set_t *));
            APR_ARRAY_PUSH(sc->trusted, cfaop_anchor_set_t *) = builtin;
        }
    }
    return APR_SUCCESS;
}

static const char *directive_error(cmd_parms *cmd, const char *id, const char *msg)
{
    return apr_psprintf(cmd->pool, "%s: %s: %s", id, cmd->cmd->name, msg);
}

static const char *set_mode(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    cfaop_srv_cfg *sc = ap_get_module_config(cmd->server->module_config, &cf_aop_module);
    const char *err = cfaop_parse_mode(arg, &sc->mode);

    return err ? directive_error(cmd, "CFAOP0001", err) : NULL;
}

static const char *set_depth(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    cfaop_srv_cfg *sc = ap_get_module_config(cmd->server->module_config, &cf_aop_module);
    const char *err = cfaop_parse_depth(cmd->pool, arg, &sc->depth);

    return err ? directive_error(cmd, "CFAOP0001", err) : NULL;
}

static const char *set_host_check(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    cfaop_srv_cfg *sc = ap_get_module_config(cmd->server->module_config, &cf_aop_module);
    const char *err = cfaop_parse_on_off(arg, &sc->host_check);

    return err ? directive_error(cmd, "CFAOP0001", err) : NULL;
}

static const char *add_trusted_ca(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    cfaop_srv_cfg *sc = ap_get_module_config(cmd->server->module_config, &cf_aop_module);
    cfaop_anchor_set_t *set;
    const char *err;

    if (!strcasecmp(arg, CFAOP_BUILTIN_CA_NAME)) {
        err = cfaop_anchor_set_load_pem(cmd->pool, cfaop_builtin_ca_pem,
                                        CFAOP_BUILTIN_CA_NAME, 1, &set);
    }
    else {
        const char *path = ap_server_root_relative(cmd->temp_pool, arg);

        if (path == NULL)
            return directive_error(cmd, "CFAOP0002", apr_pstrcat(cmd->pool,
                                   "invalid file path ", arg, NULL));
        err = cfaop_anchor_set_load_file(cmd->pool, apr_pstrdup(cmd->pool, path), &set);
    }
    if (err != NULL)
        return directive_error(cmd, "CFAOP0002", err);
    if (sc->trusted == NULL)
        sc->trusted = apr_array_make(cmd->pool, 2, sizeof(cfaop_anchor_set_t *));
    APR_ARRAY_PUSH(sc->trusted, cfaop_anchor_set_t *) = set;
    return NULL;
}

static const command_rec cfaop_cmds[] = {
    AP_INIT_TAKE1("CFAOP", set_mode, NULL, RSRC_CONF,
                  "On | Off | ReportOnly: verify Cloudflare's origin-pull client certificate on this virtual host"),
    AP_INIT_ITERATE("CFAOPTrustedCA", add_trusted_ca, NULL, RSRC_CONF,
                    "'cloudflare' or a PEM file of CA certificates to trust (repeatable)"),
    AP_INIT_TAKE1("CFAOPVerifyDepth", set_depth, NULL, RSRC_CONF,
                  "Maximum chain depth, counted as SSLVerifyDepth (default 1)"),
    AP_INIT_TAKE1("CFAOPHostCheck", set_host_check, NULL, RSRC_CONF,
                  "On | Off: the request's Host must select the policy that verified the connection"),
    { NULL }
};

static int cfaop_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    if (apply_defaults(pconf, s) != APR_SUCCESS)
        return !OK;
    if (ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_CONFIG_TEST)
        cfaop_config_warnings(ptemp, s);
    return OK;
}

static int cfaop_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf;
    (void)plog;
    /* The first of httpd's two startup passes only checks; warn once, on
     * the pass that serves, so the error log gets each warning once. */
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG)
        cfaop_config_warnings(ptemp, s);
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const after_ssl[] = { "mod_ssl.c", NULL };

    ap_hook_check_config(cfaop_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(cfaop_post_config, after_ssl, NULL, APR_HOOK_MIDDLE);
    cfaop_register_ssl_hooks(p);
    cfaop_register_request_hooks(p);
}

AP_DECLARE_MODULE(cf_aop) = {
    STANDARD20_MODULE_STUFF,
    NULL,                       /* per-directory config creator */
    NULL,                       /* dir config merger */
    create_srv_cfg,             /* server config creator */
    merge_srv_cfg,              /* server config merger */
    cfaop_cmds,                 /* command table */
    register_hooks,             /* set up other request processing hooks */
    AP_MODULE_FLAG_NONE
};
