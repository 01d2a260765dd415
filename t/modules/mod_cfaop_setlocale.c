/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cfaop_setlocale.c: a test module (t/pki.d/request.sh builds it) that
 * does what PHP, embedded Perl or Python do in a child: switch the whole
 * process to a locale whose case rules are not ASCII's. Under tr_TR.UTF-8,
 * tolower('I') is 'I' and strcasecmp("CLIENT-CERT", "client-cert") != 0.
 * SetHandler cfaop-locale reports the child's locale, so that a test can
 * tell it is in force. */
#include <ctype.h>
#include <locale.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"

#include <apr_strings.h>

static const char *wanted = "tr_TR.UTF-8";

static void locale_child_init(apr_pool_t *p, server_rec *s)
{
    (void)p;
    if (setlocale(LC_ALL, wanted) == NULL)
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "cfaop_setlocale: setlocale(LC_ALL, \"%s\") "
                     "failed: the locale is not installed (make deps generates it)", wanted);
}

static int locale_handler(request_rec *r)
{
    const char *now;

    if (r->handler == NULL || strcmp(r->handler, "cfaop-locale") != 0)
        return DECLINED;
    now = setlocale(LC_CTYPE, NULL);
    ap_set_content_type(r, "text/plain");
    ap_rprintf(r, "LC_CTYPE=%s\nTOLOWER_I=%c\n", now ? now : "?", tolower('I'));
    return OK;
}

static void locale_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_child_init(locale_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(locale_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(cfaop_setlocale) = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, NULL, locale_register_hooks
};
