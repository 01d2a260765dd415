/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cf_aop_authz.c: `Require cf-aop` and `Require cf-client-cert
 * [origin-verified]`, reading what the request hook decided. */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_request.h"
#include "ap_provider.h"
#include "mod_auth.h"

#include <apr_strings.h>

#include "mod_cf_aop_private.h"
#include "src/ascii.h"
#include "src/logesc.h"

static authz_status deny(request_rec *r, const char *requirement, const char *reason)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s", cfaop_log_bound(r->pool,
                  apr_psprintf(r->pool, "CFAOP0401: Require %s denied: reason=%s client=%s uri=%s",
                               requirement, reason, r->useragent_ip,
                               cfaop_log_quote(r->pool, r->uri))));
    cfaop_request_denied(r);
    return AUTHZ_DENIED;
}

static authz_status check_cf_aop(request_rec *r, const char *require_args, const void *parsed)
{
    const cfaop_req_t *rq = cfaop_request_state(r);

    (void)require_args; (void)parsed;
    if (rq == NULL)
        return deny(r, "cf-aop", "the virtual host does not have CFAOP On or ReportOnly");
    return rq->aop_passed ? AUTHZ_GRANTED
                          : deny(r, "cf-aop", "the connection did not pass AOP");
}

static const char *parse_cf_aop(cmd_parms *cmd, const char *require_line, const void **parsed)
{
    (void)parsed;
    if (*require_line)
        return apr_psprintf(cmd->pool, "CFAOP0001: Require cf-aop takes no argument (got '%s')",
                            require_line);
    return NULL;
}

#define ORIGIN_VERIFIED_ARG ((const void *)1)

static authz_status check_cf_client_cert(request_rec *r, const char *require_args, const void *parsed)
{
    const cfaop_req_t *rq = cfaop_request_state(r);
    const char *what = parsed == ORIGIN_VERIFIED_ARG ? "cf-client-cert origin-verified"
                                                     : "cf-client-cert";

    (void)require_args;
    if (rq == NULL)
        return deny(r, what, "the virtual host does not have CFAOP On or ReportOnly");
    if (!rq->aop_passed)
        return deny(r, what, "the connection did not pass AOP, so its headers are not believed");
    if (!rq->leg1_valid)
        return deny(r, what, "no valid client-certificate headers (CFAOPClientCertHeaders "
                             "Trust or Verify, and Cloudflare's client certificate headers)");
    if (rq->cf_verified == NULL || cfaop_ascii_strcasecmp(rq->cf_verified, "true") != 0)
        return deny(r, what, "Cloudflare did not verify the end client's certificate");
    if (rq->cf_revoked == NULL || cfaop_ascii_strcasecmp(rq->cf_revoked, "false") != 0)
        return deny(r, what, "Cloudflare reports the end client's certificate revoked (or says nothing)");
    if (parsed == ORIGIN_VERIFIED_ARG
        && (rq->origin_verified == NULL || strcmp(rq->origin_verified, "SUCCESS") != 0))
        return deny(r, what, apr_pstrcat(r->pool, "origin verification: ",
                                         rq->origin_verified ? rq->origin_verified
                                                             : "not done (needs CFAOPClientCertHeaders Verify)",
                                         NULL));
    return AUTHZ_GRANTED;
}

static const char *parse_cf_client_cert(cmd_parms *cmd, const char *require_line, const void **parsed)
{
    const char *word, *rest = require_line;

    *parsed = NULL;
    if (*(word = ap_getword_conf(cmd->temp_pool, &rest)) == '\0')
        return NULL;
    if (cfaop_ascii_strcasecmp(word, "origin-verified") != 0 || *ap_getword_conf(cmd->temp_pool, &rest) != '\0')
        return apr_psprintf(cmd->pool, "CFAOP0001: Require cf-client-cert takes nothing or "
                            "'origin-verified' (got '%s')", require_line);
    *parsed = ORIGIN_VERIFIED_ARG;
    return NULL;
}

const authz_provider cfaop_authz_cf_aop = { check_cf_aop, parse_cf_aop };
const authz_provider cfaop_authz_cf_client_cert = { check_cf_client_cert, parse_cf_client_cert };
