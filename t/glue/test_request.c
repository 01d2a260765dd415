/* SPDX-License-Identifier: Apache-2.0 */
/* test_request.c: the request and authorization glue (mod_cf_aop_request.c,
 * mod_cf_aop_authz.c) on requests made by hand: the status it answers, the
 * exact variables and log lines it writes, the headers it leaves. The
 * decision itself is tabled in t/unit/test_decide.c; here, that the glue
 * gathers the right inputs and applies every part of the answer. */
#include "stub.h"

#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>

#define LOG_0305_ONE "CFAOP0305: removed 1 header(s) spelt as a client-certificate header " \
                     "with '_' (Cloudflare sends none)"

#define LOG_0304_THREE "CFAOP0304: removed 3 client-certificate header(s) from a request " \
                       "the module refused"
#define LOG_0301_THREE "CFAOP0301: removed 3 client-certificate header(s) from a connection " \
                       "that did not pass AOP"
#define LOG_0302_START "CFAOP0302: client-certificate headers ignored: reason=invalid " \
                       "client=192.0.2.7: "

static const char *env(const request_rec *r, const char *name)
{
    const char *v = apr_table_get(r->subprocess_env, name);

    return v != NULL ? v : "(unset)";
}

/* The names of r's headers (or variables), in order, space-separated. */
static int add_name(void *acc, const char *key, const char *value)
{
    char **out = acc;

    (void)value;
    *out = apr_pstrcat(stub.pool, *out, **out ? " " : "", key, NULL);
    return 1;
}

static const char *names(const apr_table_t *t)
{
    char *out = "";

    apr_table_do(add_name, &out, t, NULL);
    return out;
}

/* Runs the request hook on r; checks the status it returned, the names
 * of the variables it set and of the headers it left, and its log lines. */
#define expect(r, status, vars, headers, log) do {                      \
        ck_assert_int_eq(cfaop_post_read_request(r), (status));         \
        ck_assert_str_eq(names((r)->subprocess_env), (vars));           \
        ck_assert_str_eq(names((r)->headers_in), (headers));            \
        ck_assert_str_eq(stub_log(), (log));                            \
    } while (0)

#define CF_AOP_VARS "CF_AOP_VERIFIED CF_AOP_POLICY"

static void forge(request_rec *r)
{
    apr_table_add(r->headers_in, "cf-cert-verified", "true");
    apr_table_add(r->headers_in, "Client-Cert", ":AAAA:");
    apr_table_add(r->headers_in, "client_cert", "x");
    apr_table_add(r->headers_in, "X-Other", "kept");
}

/* ---- CFAOP On ----------------------------------------------------------- */

START_TEST(passed_request_is_served_and_exported)
{
    request_rec *r = stub_request("app.example.test");

    forge(r);
    /* Strip leaves the '-' spellings to the application. */
    expect(r, DECLINED, CF_AOP_VARS, "cf-cert-verified Client-Cert X-Other", LOG_0305_ONE);
    ck_assert_str_eq(env(r, "CF_AOP_VERIFIED"), "SUCCESS");
    ck_assert_str_eq(env(r, "CF_AOP_POLICY"), "hostname:app.example.test");
    ck_assert_int_eq(cfaop_request_state(r)->aop_passed, 1);
    ck_assert_int_eq(stub_filters_added, 1);
    ck_assert_int_eq(stub.c->keepalive, AP_CONN_UNKNOWN);
}
END_TEST

START_TEST(host_of_another_policy_is_421)
{
    request_rec *r = stub_request("zone.example.test");

    forge(r);
    expect(r, HTTP_MISDIRECTED_REQUEST, "", "X-Other",
           "CFAOP0201: request refused (421): reason=host-mismatch client=192.0.2.7 "
           "host=\"zone.example.test\" sni=-: the connection was verified under policy "
           "hostname:app.example.test, the Host selects zone\n" LOG_0304_THREE);
    ck_assert_int_eq(stub.c->keepalive, AP_CONN_CLOSE);
    ck_assert_int_eq(cfaop_request_state(r)->aop_passed, 0);
    ck_assert_int_eq(stub_counted_status, HTTP_MISDIRECTED_REQUEST);
    ck_assert_int_eq(stub_counted_reason, CFAOP_REASON_HOST_MISMATCH);
}
END_TEST

/* An HTTP/2 stream's 421 leaves the connection to its other streams. */
START_TEST(host_of_another_policy_on_a_stream)
{
    conn_rec *stream = apr_pmemdup(stub.pool, stub.c, sizeof(*stub.c));
    request_rec *r = stub_request("zone.example.test");

    stream->master = stub.c;
    stream->keepalive = AP_CONN_UNKNOWN;
    r->connection = stream;
    ck_assert_int_eq(cfaop_post_read_request(r), HTTP_MISDIRECTED_REQUEST);
    ck_assert_int_eq(stream->keepalive, AP_CONN_UNKNOWN);
    ck_assert_int_eq(stub.c->keepalive, AP_CONN_UNKNOWN);
}
END_TEST

/* No Host: judged by the SNI alone; CFAOPHostCheck Off: Host not compared. */
START_TEST(no_host_or_no_host_check_is_served)
{
    request_rec *r = stub_request(NULL);

    ck_assert_int_eq(cfaop_post_read_request(r), DECLINED);
    ck_assert_str_eq(env(r, "CF_AOP_VERIFIED"), "SUCCESS");
    stub.sc->host_check = 0;
    r = stub_request("zone.example.test");
    ck_assert_int_eq(cfaop_post_read_request(r), DECLINED);
    ck_assert_str_eq(env(r, "CF_AOP_POLICY"), "hostname:app.example.test");
    ck_assert_str_eq(stub_log(), "");
}
END_TEST

START_TEST(plain_http_is_403)
{
    request_rec *r;

    stub.st = NULL;
    r = stub_request("app.example.test");
    forge(r);
    expect(r, HTTP_FORBIDDEN, "", "X-Other",
           "CFAOP0202: request refused (403): reason=no-cert client=192.0.2.7 "
           "host=\"app.example.test\" sni=-: the connection is not TLS, so it cannot "
           "have passed AOP\n" LOG_0304_THREE);
    ck_assert_int_eq(stub.c->keepalive, AP_CONN_UNKNOWN);
}
END_TEST

START_TEST(refused_connection_is_403)
{
    request_rec *r;

    stub_judge(&stub_app_policy, CFAOP_REASON_UNTRUSTED);
    r = stub_request("app.example.test");
    expect(r, HTTP_FORBIDDEN, "", "",
           "CFAOP0202: request refused (403): reason=untrusted client=192.0.2.7 "
           "host=\"app.example.test\" sni=-: the connection failed verification");
}
END_TEST

/* A handshake another vhost's policy judged is not authoritative here. */
START_TEST(connection_of_another_vhost_is_421)
{
    cfaop_srv_cfg *other = apr_pmemdup(stub.pool, stub.sc, sizeof(*stub.sc));
    request_rec *r = stub_request("app.example.test");

    stub.st->judged_by = other;
    expect(r, HTTP_MISDIRECTED_REQUEST, "", "",
           "CFAOP0201: request refused (421): reason=host-mismatch client=192.0.2.7 "
           "host=\"app.example.test\" sni=-: the connection's TLS handshake was made "
           "for another virtual host");
    ck_assert_int_eq(stub.c->keepalive, AP_CONN_CLOSE);
}
END_TEST

START_TEST(off_vhost_is_left_alone)
{
    request_rec *r = stub_request("app.example.test");

    stub.sc->mode = CFAOP_MODE_OFF;
    forge(r);
    expect(r, DECLINED, "", "cf-cert-verified Client-Cert client_cert X-Other", "");
    ck_assert_ptr_null(cfaop_request_state(r));
    ck_assert_int_eq(stub_filters_added, 0);
}
END_TEST

/* ---- CFAOP ReportOnly --------------------------------------------------- */

START_TEST(report_only_host_mismatch)
{
    request_rec *r = stub_request("zone.example.test");

    stub.sc->mode = CFAOP_MODE_REPORT_ONLY;
    forge(r);
    expect(r, DECLINED, CF_AOP_VARS, "X-Other",
           "CFAOP0203: report-only, would refuse request: reason=host-mismatch "
           "client=192.0.2.7 host=\"zone.example.test\" sni=-: the connection was "
           "verified under policy hostname:app.example.test, the Host selects zone\n" LOG_0301_THREE);
    ck_assert_str_eq(env(r, "CF_AOP_VERIFIED"), "FAILED:host-mismatch");
    ck_assert_str_eq(env(r, "CF_AOP_POLICY"), "hostname:app.example.test");
    ck_assert_int_eq(stub.c->keepalive, AP_CONN_UNKNOWN);
    ck_assert_int_eq(cfaop_request_state(r)->aop_passed, 0);
}
END_TEST

START_TEST(report_only_plain_http)
{
    request_rec *r;

    stub.sc->mode = CFAOP_MODE_REPORT_ONLY;
    stub.st = NULL;
    r = stub_request("app.example.test");
    expect(r, DECLINED, CF_AOP_VARS, "",
           "CFAOP0203: report-only, would refuse request: reason=no-cert client=192.0.2.7 "
           "host=\"app.example.test\" sni=-: the connection is not TLS, so it cannot "
           "have passed AOP");
    ck_assert_str_eq(env(r, "CF_AOP_VERIFIED"), "NONE");
    ck_assert_str_eq(env(r, "CF_AOP_POLICY"), "zone");
}
END_TEST

/* A failed certificate is exported as judged, with no request line (the
 * handshake's line said it), and its Leg-1 headers are not believed. */
START_TEST(report_only_failed_certificate)
{
    request_rec *r;

    stub.sc->mode = CFAOP_MODE_REPORT_ONLY;
    stub.sc->client_cert_headers = CFAOP_CCH_TRUST;
    stub_judge(&stub_app_policy, CFAOP_REASON_UNTRUSTED);
    r = stub_request("app.example.test");
    forge(r);
    expect(r, DECLINED, CF_AOP_VARS, "X-Other", LOG_0301_THREE);
    ck_assert_str_eq(env(r, "CF_AOP_VERIFIED"), "FAILED:untrusted");
    ck_assert_str_eq(env(r, "CF_AOP_POLICY"), "hostname:app.example.test");
}
END_TEST

/* ReportOnly puts the verdict back in mod_ssl's verify result, on the
 * connection's own thread only. */
START_TEST(report_only_verify_result)
{
    request_rec *r = stub_request("app.example.test");
    conn_rec *stream = apr_pmemdup(stub.pool, stub.c, sizeof(*stub.c));

    cfaop_report_verify_result(r);
    ck_assert_int_eq(stub_modssl_reports, 0);
    stub.sc->mode = CFAOP_MODE_REPORT_ONLY;
    cfaop_report_verify_result(r);
    ck_assert_int_eq(stub_modssl_reports, 1);
    stream->master = stub.c;
    r->connection = stream;
    cfaop_report_verify_result(r);
    ck_assert_int_eq(stub_modssl_reports, 1);
}
END_TEST

/* ReportOnly, a certificate the policy refused: SSL_CLIENT_VERIFY in an
 * expression, and in an HTTP/2 stream's variables, says what mod_ssl would
 * have said had the handshake failed; On leaves it to mod_ssl. */
START_TEST(report_only_ssl_client_verify)
{
    const void *func = NULL, *data = NULL;
    ap_expr_lookup_parms parms;
    ap_expr_eval_ctx_t ctx;
    conn_rec *stream = apr_pmemdup(stub.pool, stub.c, sizeof(*stub.c));
    request_rec *r = stub_request("app.example.test");

    memset(&parms, 0, sizeof(parms));
    parms.type = AP_EXPR_FUNC_VAR;
    parms.name = "ssl_client_verify";
    parms.func = &func;
    parms.data = &data;
    ck_assert_int_eq(cfaop_expr_lookup(&parms), OK);
    memset(&ctx, 0, sizeof(ctx));
    ctx.p = stub.pool;
    ctx.c = stub.c;
    stub.sc->mode = CFAOP_MODE_REPORT_ONLY;
    stub_judge(&stub_app_policy, CFAOP_REASON_EXPIRED);
    ck_assert_str_eq(((ap_expr_var_func_t *)func)(&ctx, data), "FAILED:certificate has expired");
    stub.sc->mode = CFAOP_MODE_ON;
    ck_assert_str_eq(((ap_expr_var_func_t *)func)(&ctx, data), "");
    parms.name = "SSL_CLIENT_S_DN";
    ck_assert_int_eq(cfaop_expr_lookup(&parms), DECLINED);

    stub.sc->mode = CFAOP_MODE_REPORT_ONLY;
    apr_table_set(r->subprocess_env, "SSL_CLIENT_VERIFY", "SUCCESS");
    cfaop_fix_client_verify_env(r);
    ck_assert_str_eq(env(r, "SSL_CLIENT_VERIFY"), "SUCCESS");      /* mod_ssl's own thread set it */
    stream->master = stub.c;
    r->connection = stream;
    cfaop_fix_client_verify_env(r);
    ck_assert_str_eq(env(r, "SSL_CLIENT_VERIFY"), "FAILED:certificate has expired");
}
END_TEST

/* ---- Leg-1 headers believed (Trust) -------------------------------------- */

/* A request to a Trust vhost with cf-cert-verified: true and one more header. */
static request_rec *trusted(const char *name, const char *value)
{
    request_rec *r = stub_request("app.example.test");

    stub.sc->client_cert_headers = CFAOP_CCH_TRUST;
    apr_table_add(r->headers_in, "cf-cert-verified", "true");
    apr_table_add(r->headers_in, name, value);
    return r;
}

START_TEST(trust_exports_the_headers)
{
    request_rec *r = trusted("CF-Cert-Revoked", "false");

    expect(r, DECLINED, CF_AOP_VARS " CF_CLIENT_CERT_VERIFIED CF_CLIENT_CERT_REVOKED",
           "cf-cert-verified CF-Cert-Revoked", "");
    ck_assert_str_eq(env(r, "CF_CLIENT_CERT_VERIFIED"), "true");
    ck_assert_str_eq(env(r, "CF_CLIENT_CERT_REVOKED"), "false");
    ck_assert_int_eq(cfaop_request_state(r)->leg1_valid, 1);
    ck_assert_int_eq(cfaop_authz_cf_aop.check_authorization(r, "", NULL), AUTHZ_GRANTED);
    ck_assert_int_eq(cfaop_authz_cf_client_cert.check_authorization(r, "", NULL), AUTHZ_GRANTED);
}
END_TEST

/* A '_' spelling makes the set invalid: all of it goes, nothing exported. */
START_TEST(trust_refuses_an_underscored_set)
{
    request_rec *r = trusted("cf_cert_revoked", "false");

    apr_table_add(r->headers_in, "X-Other", "kept");
    ck_assert_int_eq(cfaop_post_read_request(r), DECLINED);
    ck_assert_str_eq(names(r->subprocess_env), CF_AOP_VARS);
    ck_assert_str_eq(names(r->headers_in), "X-Other");
    ck_assert_msg(strncmp(stub_log(), LOG_0302_START, strlen(LOG_0302_START)) == 0, "log: %s",
                  stub_log());
    ck_assert_int_eq(cfaop_request_state(r)->leg1_valid, 0);
}
END_TEST

/* ---- internal redirects -------------------------------------------------- */

/* The 421's ErrorDocument shares the refused request's headers, which a
 * merged trailer may have refilled: they go again. */
START_TEST(error_document_of_a_refused_request)
{
    request_rec *r = stub_request("zone.example.test"), *doc;

    forge(r);
    ck_assert_int_eq(cfaop_post_read_request(r), HTTP_MISDIRECTED_REQUEST);
    apr_table_add(r->headers_in, "cf-cert-verified", "true");
    stub_log_clear();
    doc = stub_redirect(r, HTTP_MISDIRECTED_REQUEST);
    expect(doc, DECLINED, "", "X-Other",
           "CFAOP0304: removed 1 client-certificate header(s) from a request the module refused");
    ck_assert_ptr_eq(cfaop_request_state(doc), cfaop_request_state(r));
    ck_assert_int_eq(stub_filters_added, 2);
}
END_TEST

/* Require cf-client-cert denied a passed connection: its error document
 * gets no Leg-1 header; a redirect that is no error keeps them. */
START_TEST(error_document_after_require_denied)
{
    request_rec *r = stub_request("app.example.test"), *doc;

    stub.sc->client_cert_headers = CFAOP_CCH_TRUST;
    apr_table_add(r->headers_in, "cf-cert-verified", "false");
    apr_table_add(r->headers_in, "cf-cert-revoked", "false");
    ck_assert_int_eq(cfaop_post_read_request(r), DECLINED);
    doc = stub_redirect(r, HTTP_OK);
    /* The variables of the original request follow it. */
    expect(doc, DECLINED, CF_AOP_VARS " CF_CLIENT_CERT_VERIFIED CF_CLIENT_CERT_REVOKED",
           "cf-cert-verified cf-cert-revoked", "");

    ck_assert_int_eq(cfaop_authz_cf_client_cert.check_authorization(r, "", NULL), AUTHZ_DENIED);
    ck_assert_str_eq(stub_log(), "CFAOP0401: Require cf-client-cert denied: reason=Cloudflare did "
                                 "not verify the end client's certificate client=192.0.2.7 uri=\"/\"");
    stub_log_clear();
    doc = stub_redirect(r, HTTP_FORBIDDEN);
    expect(doc, DECLINED, CF_AOP_VARS " CF_CLIENT_CERT_VERIFIED CF_CLIENT_CERT_REVOKED", "",
           "CFAOP0304: removed 2 client-certificate header(s) from a request the module refused");
}
END_TEST

/* ---- authorization providers ------------------------------------------- */

START_TEST(require_cf_aop)
{
    request_rec *r = stub_request("zone.example.test");
    cmd_parms cmd;
    const void *parsed = NULL;

    stub.sc->mode = CFAOP_MODE_REPORT_ONLY;
    ck_assert_int_eq(cfaop_post_read_request(r), DECLINED);
    stub_log_clear();
    ck_assert_int_eq(cfaop_authz_cf_aop.check_authorization(r, "", NULL), AUTHZ_DENIED);
    ck_assert_str_eq(stub_log(), "CFAOP0401: Require cf-aop denied: reason=the connection did not "
                                 "pass AOP client=192.0.2.7 uri=\"/\"");
    stub_log_clear();
    r = stub_request("app.example.test");         /* no state: CFAOP is not on here */
    ck_assert_int_eq(cfaop_authz_cf_aop.check_authorization(r, "", NULL), AUTHZ_DENIED);
    ck_assert_str_eq(stub_log(), "CFAOP0401: Require cf-aop denied: reason=the virtual host does not "
                                 "have CFAOP On or ReportOnly client=192.0.2.7 uri=\"/\"");

    memset(&cmd, 0, sizeof(cmd));
    cmd.pool = cmd.temp_pool = stub.pool;
    ck_assert_ptr_null(cfaop_authz_cf_aop.parse_require_line(&cmd, "", &parsed));
    ck_assert_str_eq(cfaop_authz_cf_aop.parse_require_line(&cmd, "x", &parsed),
                     "CFAOP0001: Require cf-aop takes no argument (got 'x')");
    ck_assert_ptr_null(cfaop_authz_cf_client_cert.parse_require_line(&cmd, "origin-verified", &parsed));
    ck_assert_ptr_nonnull(parsed);
    ck_assert_str_eq(cfaop_authz_cf_client_cert.parse_require_line(&cmd, "origin-verified x", &parsed),
                     "CFAOP0001: Require cf-client-cert takes nothing or 'origin-verified' "
                     "(got 'origin-verified x')");
}
END_TEST

/* ---- trailers ------------------------------------------------------------ */

/* MergeTrailers on: httpd adds the trailer's own key and value to the
 * headers; those entries go, the request's own header lines stay. */
START_TEST(trailers_merged_into_the_headers)
{
    request_rec *r = stub_request("app.example.test");
    ap_filter_t f;
    const char *key = "cf-cert-verified", *value = "true";

    apr_table_add(r->headers_in, "CF-Cert-Verified", "false");
    apr_table_setn(r->trailers_in, key, value);
    apr_table_addn(r->headers_in, key, value);
    memset(&f, 0, sizeof(f));
    f.r = r;
    ck_assert_int_eq(cfaop_trailers_filter(&f, NULL, AP_MODE_READBYTES, APR_BLOCK_READ, 0), APR_SUCCESS);
    ck_assert_str_eq(names(r->headers_in), "CF-Cert-Verified");
    ck_assert_str_eq(names(r->trailers_in), "");
    ck_assert_str_eq(stub_log(), "CFAOP0306: removed 1 client-certificate header(s) sent as "
                                 "trailers of the request body");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("glue");
    TCase *tc = tcase_create("request");
    SRunner *sr;
    int failed;

    apr_initialize();
    tcase_add_checked_fixture(tc, stub_setup, stub_teardown);
    tcase_add_test(tc, passed_request_is_served_and_exported);
    tcase_add_test(tc, host_of_another_policy_is_421);
    tcase_add_test(tc, host_of_another_policy_on_a_stream);
    tcase_add_test(tc, no_host_or_no_host_check_is_served);
    tcase_add_test(tc, plain_http_is_403);
    tcase_add_test(tc, refused_connection_is_403);
    tcase_add_test(tc, connection_of_another_vhost_is_421);
    tcase_add_test(tc, off_vhost_is_left_alone);
    tcase_add_test(tc, report_only_host_mismatch);
    tcase_add_test(tc, report_only_plain_http);
    tcase_add_test(tc, report_only_failed_certificate);
    tcase_add_test(tc, report_only_verify_result);
    tcase_add_test(tc, report_only_ssl_client_verify);
    tcase_add_test(tc, trust_exports_the_headers);
    tcase_add_test(tc, trust_refuses_an_underscored_set);
    tcase_add_test(tc, error_document_of_a_refused_request);
    tcase_add_test(tc, error_document_after_require_denied);
    tcase_add_test(tc, require_cf_aop);
    tcase_add_test(tc, trailers_merged_into_the_headers);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
