/* SPDX-License-Identifier: Apache-2.0 */
/* test_status_render.c: the cf-aop-status page in its three formats, and
 * the escaping each needs (HTML, JSON strings, OpenMetrics label values). */
#include "test_util.h"

#include <string.h>

#include "status_render.h"

START_TEST(html_escapes_markup_and_bad_bytes)
{
    ck_assert_str_eq(cfaop_html_escape(tu_pool, "<a href=\"x\">&'</a>"),
                     "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    /* UTF-8 kept; a control byte and a byte that is not UTF-8 become U+FFFD */
    ck_assert_str_eq(cfaop_html_escape(tu_pool, "T\xc3\xabst\x01\xff"),
                     "T\xc3\xabst\xef\xbf\xbd\xef\xbf\xbd");
    ck_assert_str_eq(cfaop_html_escape(tu_pool, NULL), "");
}
END_TEST

START_TEST(json_strings)
{
    ck_assert_str_eq(cfaop_json_string(tu_pool, "a\"b\\c"), "\"a\\\"b\\\\c\"");
    ck_assert_str_eq(cfaop_json_string(tu_pool, "\n\t\x01\x7f"), "\"\\n\\t\\u0001\\u007f\"");
    ck_assert_str_eq(cfaop_json_string(tu_pool, "\xc3\xab\xe6\x97\xa5"), "\"\xc3\xab\xe6\x97\xa5\"");
    /* overlong, surrogate, truncated: each bad byte replaced */
    ck_assert_str_eq(cfaop_json_string(tu_pool, "\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    ck_assert_str_eq(cfaop_json_string(tu_pool, "\xed\xa0\x80"),
                     "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    ck_assert_str_eq(cfaop_json_string(tu_pool, "x\xe6\x97"), "\"x\xef\xbf\xbd\xef\xbf\xbd\"");
}
END_TEST

START_TEST(openmetrics_label_values)
{
    /* only backslash, double quote and line feed are escaped */
    ck_assert_str_eq(cfaop_om_label_value(tu_pool, "CN=a\\,O=\"b\"\nc\td"),
                     "\"CN=a\\\\,O=\\\"b\\\"\\nc\td\"");
    ck_assert_str_eq(cfaop_om_label_value(tu_pool, "\xff"), "\"\xef\xbf\xbd\"");
}
END_TEST

START_TEST(times)
{
    ck_assert_str_eq(cfaop_status_time(tu_pool, 1888444800), "2029-11-04T00:00:00Z");
    ck_assert_str_eq(cfaop_status_time(tu_pool, 0), "1970-01-01T00:00:00Z");
}
END_TEST

/* One vhost with an anchor whose subject needs escaping, a deny list, a
 * CRL, a leaf and a few counts. */
static cfaop_status_t *model(int available)
{
    cfaop_status_t *st = apr_pcalloc(tu_pool, sizeof(*st));
    cfaop_status_vhost_t *v;
    cfaop_status_anchor_t *a;
    cfaop_status_deny_t *d;
    cfaop_status_crl_t *c;
    cfaop_status_leaf_t *l;
    static const unsigned char serial[] = { 0x0A, 0x1F };

    st->version = "mod_cf_aop/1.0.0";
    st->now = 1800000000;
    st->since = 1799990000;
    st->counters_available = available;
    st->unavailable = available ? NULL : "mod_slotmem_shm is not loaded <x>";
    st->vhosts = apr_array_make(tu_pool, 1, sizeof(cfaop_status_vhost_t));
    v = apr_array_push(st->vhosts);
    memset(v, 0, sizeof(*v));
    v->name = "www.example.com:443";
    v->mode = "On";
    v->policies = 2;
    v->hostnames = 1;
    v->anchors = apr_array_make(tu_pool, 2, sizeof(cfaop_status_anchor_t));
    a = apr_array_push(v->anchors);
    a->subject = "CN=odd\\\\ca,O=Status \\\"T\xc3\xabst\\\"";
    a->file = "/etc/aop/ca.pem";
    a->not_after = 1800000000 + 10 * 86400;
    /* the same subject and file, an older certificate: one series, the later */
    a = apr_array_push(v->anchors);
    a->subject = "CN=odd\\\\ca,O=Status \\\"T\xc3\xabst\\\"";
    a->file = "/etc/aop/ca.pem";
    a->not_after = 1800000000 - 86400;
    v->deny = apr_array_make(tu_pool, 1, sizeof(cfaop_status_deny_t));
    d = apr_array_push(v->deny);
    d->file = "/etc/aop/deny.txt";
    d->entries = 12345;
    d->loaded = 1799990000;
    v->crls = apr_array_make(tu_pool, 1, sizeof(cfaop_status_crl_t));
    c = apr_array_push(v->crls);
    c->file = "/etc/aop/ca.crl";
    c->issuer = "CN=Example CA";
    c->entries = 3;
    c->loaded = 1799990000;
    c->next_update = 1800000000 + 2 * 86400;
    v->leaves = apr_array_make(tu_pool, 1, sizeof(cfaop_status_leaf_t));
    l = apr_array_push(v->leaves);
    l->policy = "zone";
    l->leaf.seen = 1;
    memcpy(l->leaf.serial, serial, sizeof(serial));
    l->leaf.serial_len = sizeof(serial);
    l->leaf.not_after = 1800000000 + 40 * 86400;
    v->counters.c[CFAOP_COUNT_IDX(CFAOP_COUNT_PASSED, CFAOP_REASON_NONE)] = 7;
    v->counters.c[CFAOP_COUNT_IDX(CFAOP_COUNT_REFUSED, CFAOP_REASON_UNTRUSTED)] = 3;
    v->counters.c[CFAOP_COUNT_IDX(CFAOP_COUNT_REPORTED, CFAOP_REASON_NO_CERT)] = 2;
    v->counters.c[CFAOP_COUNT_IDX(CFAOP_COUNT_421, CFAOP_REASON_HOST_MISMATCH)] = 4;
    v->counters.c[CFAOP_COUNT_IDX(CFAOP_COUNT_403, CFAOP_REASON_NO_CERT)] = 5;
    return st;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    const char *p;

    for (p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

START_TEST(openmetrics_document)
{
    const char *om = cfaop_status_openmetrics(tu_pool, model(1));
    const char *end = om + strlen(om);

    ck_assert(strlen(om) > 7 && !strcmp(end - 6, "# EOF\n"));
    ck_assert_int_eq(count(om, "# EOF"), 1);
    ck_assert(strstr(om, "# TYPE cfaop_handshakes counter\n") != NULL);
    ck_assert(strstr(om, "cfaop_handshakes_total{vhost=\"www.example.com:443\",result=\"passed\",reason=\"ok\"} 7\n"));
    ck_assert(strstr(om, "cfaop_handshakes_total{vhost=\"www.example.com:443\",result=\"refused\",reason=\"untrusted\"} 3\n"));
    ck_assert(strstr(om, "cfaop_handshakes_total{vhost=\"www.example.com:443\",result=\"reported\",reason=\"no-cert\"} 2\n"));
    ck_assert(strstr(om, "cfaop_handshakes_total{vhost=\"www.example.com:443\",result=\"refused\",reason=\"expired\"} 0\n"));
    ck_assert(strstr(om, "cfaop_requests_refused_total{vhost=\"www.example.com:443\",status=\"421\",reason=\"host-mismatch\"} 4\n"));
    ck_assert(strstr(om, "cfaop_requests_refused_total{vhost=\"www.example.com:443\",status=\"403\",reason=\"no-cert\"} 5\n"));
    ck_assert(strstr(om, "cfaop_resumptions_declined_total{vhost=\"www.example.com:443\",reason=\"host-mismatch\"} 0\n"));
    /* 11 refused + 11 reported + 1 passed */
    ck_assert_int_eq(count(om, "cfaop_handshakes_total{"), 23);
    /* the subject's backslashes and quotes escaped; one series for the two */
    ck_assert(strstr(om, "cfaop_anchor_not_after_seconds{vhost=\"www.example.com:443\","
                         "subject=\"CN=odd\\\\\\\\ca,O=Status \\\\\\\"T\xc3\xabst\\\\\\\"\","
                         "file=\"/etc/aop/ca.pem\"} 1800864000\n"));
    ck_assert_int_eq(count(om, "cfaop_anchor_not_after_seconds{"), 1);
    ck_assert(strstr(om, "# UNIT cfaop_anchor_not_after_seconds seconds\n"));
    ck_assert(strstr(om, "cfaop_crl_next_update_seconds{vhost=\"www.example.com:443\",file=\"/etc/aop/ca.crl\","
                         "issuer=\"CN=Example CA\"} 1800172800\n"));
    ck_assert(strstr(om, "cfaop_crl_entries{vhost=\"www.example.com:443\",file=\"/etc/aop/ca.crl\","
                         "issuer=\"CN=Example CA\"} 3\n"));
    ck_assert(strstr(om, "cfaop_deny_list_entries{vhost=\"www.example.com:443\",file=\"/etc/aop/deny.txt\"} 12345\n"));
    ck_assert(strstr(om, "cfaop_leaf_not_after_seconds{vhost=\"www.example.com:443\",policy=\"zone\","
                         "serial=\"0A1F\"} 1803456000\n"));
    ck_assert(strstr(om, "cfaop_vhost_info{vhost=\"www.example.com:443\",mode=\"On\",policies=\"2\",hostnames=\"1\"} 1\n"));
    ck_assert(strstr(om, "cfaop_counters_available 1\n"));
    ck_assert(strstr(om, "cfaop_counters_since_seconds 1799990000\n"));
}
END_TEST

START_TEST(openmetrics_without_counters)
{
    const char *om = cfaop_status_openmetrics(tu_pool, model(0));

    ck_assert(strstr(om, "cfaop_counters_available 0\n"));
    ck_assert(strstr(om, "cfaop_handshakes_total") == NULL);
    ck_assert(strstr(om, "cfaop_anchor_not_after_seconds{") != NULL);
    ck_assert(!strcmp(om + strlen(om) - 6, "# EOF\n"));
}
END_TEST

START_TEST(json_document)
{
    const char *js = cfaop_status_json(tu_pool, model(1));

    ck_assert(strstr(js, "\"counters_available\":true"));
    ck_assert(strstr(js, "\"vhost\":\"www.example.com:443\",\"mode\":\"On\",\"policies\":2,\"hostnames\":1"));
    ck_assert(strstr(js, "\"subject\":\"CN=odd\\\\\\\\ca,O=Status \\\\\\\"T\xc3\xabst\\\\\\\"\""));
    ck_assert(strstr(js, "\"not_after\":\"2027-01-25T08:00:00Z\",\"not_after_seconds\":1800864000,\"not_after_days_left\":10"));
    ck_assert(strstr(js, "\"handshakes\":{\"passed\":7,\"refused\":{\"no-cert\":0,\"untrusted\":3,"));
    ck_assert(strstr(js, "\"reported\":{\"no-cert\":2,"));
    ck_assert(strstr(js, "\"requests_refused\":{\"421\":{\"host-mismatch\":4},\"403\":{\"no-cert\":5,"));
    ck_assert(strstr(js, "\"deny_lists\":[{\"file\":\"/etc/aop/deny.txt\",\"entries\":12345,"));
    ck_assert(strstr(js, "\"next_update_days_left\":2"));
    ck_assert(strstr(js, "\"leaves\":[{\"policy\":\"zone\",\"serial\":\"0A1F\","));
    ck_assert(strstr(js, "\"not_after_days_left\":-1"));
    ck_assert(!strcmp(js + strlen(js) - 3, "]}\n"));
}
END_TEST

START_TEST(json_without_counters)
{
    const char *js = cfaop_status_json(tu_pool, model(0));

    ck_assert(strstr(js, "\"counters_available\":false,\"counters_unavailable\":\"mod_slotmem_shm is not loaded <x>\""));
    ck_assert(strstr(js, "\"handshakes\"") == NULL);
}
END_TEST

START_TEST(html_document)
{
    const char *html = cfaop_status_html(tu_pool, model(1));
    const char *off = cfaop_status_html(tu_pool, model(0));

    ck_assert(strstr(html, "<h2>www.example.com:443</h2>\n<p>CFAOP On, 2 policies, 1 hostname</p>"));
    ck_assert(strstr(html, "<td>CN=odd\\\\ca,O=Status \\&quot;T\xc3\xabst\\&quot;</td>"));
    ck_assert(strstr(html, "<tr><td>handshakes refused</td><td>untrusted</td><td>3</td></tr>"));
    ck_assert(strstr(html, "<tr><td>zone</td><td>0A1F</td><td>2027-02-24T08:00:00Z</td><td>40</td></tr>"));
    ck_assert(strstr(html, "Counters unavailable") == NULL);
    ck_assert(strstr(off, "<strong>Counters unavailable: mod_slotmem_shm is not loaded &lt;x&gt;</strong>"));
}
END_TEST

Suite *status_render_suite(void)
{
    Suite *s = suite_create("status_render");
    TCase *tc = tu_tcase("status_render");

    tcase_add_test(tc, html_escapes_markup_and_bad_bytes);
    tcase_add_test(tc, json_strings);
    tcase_add_test(tc, openmetrics_label_values);
    tcase_add_test(tc, times);
    tcase_add_test(tc, openmetrics_document);
    tcase_add_test(tc, openmetrics_without_counters);
    tcase_add_test(tc, json_document);
    tcase_add_test(tc, json_without_counters);
    tcase_add_test(tc, html_document);
    suite_add_tcase(s, tc);
    return s;
}
