/* SPDX-License-Identifier: Apache-2.0 */
/* stub.h: httpd without httpd, for the glue tests: requests, connections
 * and a server made by hand with the module's per-vhost and per-connection
 * records, and what the stubbed ap_* functions were asked to do. */
#ifndef CFAOP_GLUE_STUB_H
#define CFAOP_GLUE_STUB_H

#include <check.h>

#include "mod_cf_aop_private.h"

/* One vhost, one connection (st NULL: plain HTTP), in the test's pool. */
typedef struct {
    apr_pool_t *pool;
    server_rec *s;
    cfaop_srv_cfg *sc;
    conn_rec *c;
    cfaop_conn_t *st;
} stub_world_t;

extern stub_world_t stub;

/* The policies the stub's cfaop_policy_for_name knows: "zone", and
 * "hostname:app.example.test" for that one name. */
extern cfaop_policy_t stub_zone_policy, stub_app_policy;

/* A fresh world: an enforcing vhost (Strip, host check on) and a TLS
 * connection whose handshake app.example.test's policy passed. */
void stub_setup(void);
void stub_teardown(void);

/* The connection's verdict, as the TLS side records it (export built). */
void stub_judge(const cfaop_policy_t *policy, cfaop_reason_t reason);

/* A request on the world's connection for Host host (NULL: none). */
request_rec *stub_request(const char *host);
/* An internal redirect of r (an ErrorDocument), with status. */
request_rec *stub_redirect(request_rec *r, int status);

/* Every line ap_log_rerror_ was given, "\n"-joined ("" for none). */
const char *stub_log(void);
void stub_log_clear(void);
/* How often the trailers filter was added to a request, and how often
 * the verdict was handed to mod_ssl. */
extern int stub_filters_added;
extern int stub_modssl_reports;
/* The last refusal the status page's counter was given (0: none). */
extern int stub_counted_status;
extern cfaop_reason_t stub_counted_reason;

#endif
