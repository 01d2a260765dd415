/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cfaop_echo.c: a test module (t/pki.d/request.sh builds it):
 * SetHandler cfaop-echo answers with the request's header lines exactly as
 * the handler sees them ("H name: value"), after reading the whole body
 * first, as an application that parses a form before its headers does;
 * trailers follow as "T name: value". It stands for an application behind
 * the origin (an error document, a proxied backend). */
#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h"

#include <apr_strings.h>

static int print_line(void *r, const char *key, const char *value)
{
    ap_rprintf(r, "H %s: %s\n", key, value);
    return 1;
}

static int print_trailer(void *r, const char *key, const char *value)
{
    ap_rprintf(r, "T %s: %s\n", key, value);
    return 1;
}

static int echo_handler(request_rec *r)
{
    int rc;

    if (r->handler == NULL || strcmp(r->handler, "cfaop-echo") != 0)
        return DECLINED;
    if ((rc = ap_discard_request_body(r)) != OK)
        return rc;
    ap_set_content_type(r, "text/plain");
    ap_rprintf(r, "STATUS %d\nURI %s\n", r->prev ? r->prev->status : r->status, r->uri);
    apr_table_do(print_line, r, r->headers_in, NULL);
    if (r->trailers_in != NULL)
        apr_table_do(print_trailer, r, r->trailers_in, NULL);
    return OK;
}

static void echo_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_handler(echo_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(cfaop_echo) = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, NULL, echo_register_hooks
};
