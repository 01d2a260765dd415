/* SPDX-License-Identifier: Apache-2.0 */
/* stub.c: the ap_* functions the request and authorization glue calls,
 * and the module's own pieces from its other files, just enough for the
 * real glue, compiled against httpd's headers, to run in a test. */
#define CFAOP_DECLARES_MODULE
#include "stub.h"

#include <string.h>
#include <apr_base64.h>
#include <apr_strings.h>

#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

#include "src/export.h"

module AP_MODULE_DECLARE_DATA cf_aop_module = { .module_index = 0, .name = "mod_cf_aop.c" };

stub_world_t stub;
int stub_filters_added;
int stub_modssl_reports;
int stub_counted_status;
cfaop_reason_t stub_counted_reason;
cfaop_policy_t stub_zone_policy = { .name = "zone", .depth = 1 };
cfaop_policy_t stub_app_policy = { .name = "hostname:app.example.test", .depth = 1 };
static apr_array_header_t *log_lines;

/* ---- the module's other files ------------------------------------------ */

/* As the TLS glue's: the hostname entry's policy, else the zone's;
 * here one entry, app.example.test. */
const cfaop_policy_t *cfaop_policy_for_name(const cfaop_srv_cfg *sc, const char *name)
{
    (void)sc;
    return name != NULL && strcmp(name, "app.example.test") == 0 ? &stub_app_policy
                                                                 : &stub_zone_policy;
}

/* The status page's counter: the last refusal counted. */
void cfaop_status_count_request(const cfaop_srv_cfg *sc, int status, cfaop_reason_t reason)
{
    (void)sc;
    stub_counted_status = status;
    stub_counted_reason = reason;
}

cfaop_conn_t *cfaop_conn_state(conn_rec *c)
{
    return c == stub.c ? stub.st : NULL;
}

void cfaop_report_verdict_to_modssl(const cfaop_conn_t *st)
{
    (void)st;
    stub_modssl_reports++;
}

/* ---- httpd ------------------------------------------------------------- */

AP_DECLARE(void) ap_log_rerror_(const char *file, int line, int module_index, int level,
                                apr_status_t status, const request_rec *r, const char *fmt, ...)
{
    va_list ap;

    (void)file; (void)line; (void)module_index; (void)level; (void)status;
    va_start(ap, fmt);
    APR_ARRAY_PUSH(log_lines, const char *) = apr_pvsprintf(r->pool, fmt, ap);
    va_end(ap);
}

AP_DECLARE(ap_filter_t *) ap_add_input_filter_handle(ap_filter_rec_t *f, void *ctx,
                                                     request_rec *r, conn_rec *c)
{
    (void)f; (void)ctx; (void)r; (void)c;
    stub_filters_added++;
    return NULL;
}

AP_DECLARE(apr_status_t) ap_get_brigade(ap_filter_t *filter, apr_bucket_brigade *bucket,
                                        ap_input_mode_t mode, apr_read_type_e block,
                                        apr_off_t readbytes)
{
    (void)filter; (void)bucket; (void)mode; (void)block; (void)readbytes;
    return APR_SUCCESS;
}

AP_DECLARE(int) ap_is_initial_req(request_rec *r)
{
    return r->main == NULL && r->prev == NULL;
}

AP_DECLARE(char *) ap_pbase64encode(apr_pool_t *p, char *string)
{
    char *out = apr_palloc(p, apr_base64_encode_len((int)strlen(string)));

    apr_base64_encode(out, string, (int)strlen(string));
    return out;
}

/* Words separated by blanks; enough for a Require line without quotes. */
AP_DECLARE(char *) ap_getword_conf(apr_pool_t *p, const char **line)
{
    const char *start = *line, *end;

    while (*start == ' ' || *start == '\t')
        start++;
    for (end = start; *end && *end != ' ' && *end != '\t'; end++)
        ;
    *line = end;
    return apr_pstrmemdup(p, start, (apr_size_t)(end - start));
}

/* ---- the world --------------------------------------------------------- */

static void **config_vector(apr_pool_t *p, void *first)
{
    void **v = apr_pcalloc(p, sizeof(void *) * 4);

    v[0] = first;
    return v;
}

void stub_setup(void)
{
    apr_pool_t *p;

    apr_pool_create(&p, NULL);
    memset(&stub, 0, sizeof(stub));
    stub.pool = p;
    log_lines = apr_array_make(p, 8, sizeof(const char *));
    stub_filters_added = 0;
    stub_modssl_reports = 0;
    stub_counted_status = 0;
    stub_counted_reason = CFAOP_REASON_NONE;

    stub.sc = apr_pcalloc(p, sizeof(*stub.sc));
    stub.sc->mode = CFAOP_MODE_ON;
    stub.sc->host_check = 1;
    stub.sc->client_cert_headers = CFAOP_CCH_STRIP;

    stub.s = apr_pcalloc(p, sizeof(*stub.s));
    stub.s->module_config = (ap_conf_vector_t *)config_vector(p, stub.sc);
    stub.s->log.level = APLOG_TRACE8;
    stub.sc->server = stub.s;

    stub.c = apr_pcalloc(p, sizeof(*stub.c));
    stub.c->pool = p;
    stub.c->base_server = stub.s;
    stub.c->client_ip = "192.0.2.7";
    stub.c->keepalive = AP_CONN_UNKNOWN;

    stub.st = apr_pcalloc(p, sizeof(*stub.st));
    stub_judge(&stub_app_policy, CFAOP_REASON_NONE);
}

void stub_teardown(void)
{
    apr_pool_destroy(stub.pool);
}

void stub_judge(const cfaop_policy_t *policy, cfaop_reason_t reason)
{
    cfaop_verdict_t verdict = { .reason = reason, .detail = "" };

    stub.st->verdict = verdict;
    stub.st->policy = policy;
    stub.st->judged_by = stub.sc;
    stub.st->judged = 1;
    cfaop_export_build(stub.pool, &verdict, policy->name, NULL, &stub.st->export);
    stub.st->export_built = 1;
}

request_rec *stub_request(const char *host)
{
    request_rec *r = apr_pcalloc(stub.pool, sizeof(*r));

    r->pool = stub.pool;
    r->connection = stub.c;
    r->server = stub.s;
    r->request_config = (ap_conf_vector_t *)config_vector(stub.pool, NULL);
    r->headers_in = apr_table_make(stub.pool, 8);
    r->subprocess_env = apr_table_make(stub.pool, 8);
    r->trailers_in = apr_table_make(stub.pool, 2);
    r->hostname = host;
    r->useragent_ip = stub.c->client_ip;
    r->status = HTTP_OK;
    r->uri = "/";
    return r;
}

request_rec *stub_redirect(request_rec *prev, int status)
{
    request_rec *r = stub_request(prev->hostname);

    r->prev = prev;
    prev->next = r;
    r->headers_in = prev->headers_in;       /* as an internal redirect shares them */
    r->status = status;
    return r;
}

void stub_log_clear(void)
{
    apr_array_clear(log_lines);
}

const char *stub_log(void)
{
    return log_lines->nelts ? apr_array_pstrcat(stub.pool, log_lines, '\n') : "";
}
