/* SPDX-License-Identifier: Apache-2.0 */
/* test_decide.c: the request decision (cfaop_decide_request) as one table.
 * Each row covers a set of inputs (bit masks, ANY for "whatever it is")
 * and names the whole expected decision; every combination of the inputs
 * is covered by exactly one row. The rows are what the suite shows of a
 * running server: t/request-refused.t, t/request-reportonly.t,
 * t/hostcheck.t, t/misdirected.t, t/reportonly.t, t/identity*.t. */
#include "test_util.h"

#include <string.h>

#include "decide.h"

/* The vhost's mode. */
enum { M_ON = 1, M_RO = 2, M_OFF = 4, M_ACTIVE = M_ON | M_RO };
/* The connection: plain HTTP; judged by another vhost (its SNI, or none);
 * judged here, handshake not completed; judged here with a verdict:
 * passed, failed (untrusted), no certificate, host-mismatch (a resumed
 * session of another policy, which ReportOnly lets through). */
enum { C_PLAIN = 1, C_OTHER = 2, C_UNFINISHED = 4, C_PASSED = 8, C_FAILED = 16, C_NOCERT = 32,
       C_MISMATCHED = 64, C_NOT_PASSED = C_FAILED | C_NOCERT | C_MISMATCHED,
       C_JUDGED = C_PASSED | C_NOT_PASSED, C_ELSEWHERE = C_OTHER | C_UNFINISHED };
/* CFAOPHostCheck. */
enum { HC_ON = 1, HC_OFF = 2 };
/* The Host selects the judging policy, another, or there is no Host. */
enum { H_SAME = 1, H_OTHER = 2, H_NONE = 4, H_AGREES = H_SAME | H_NONE };
/* CFAOPClientCertHeaders. */
enum { L_STRIP = 1, L_TRUST = 2, L_VERIFY = 4, L_OFF = 8, L_ON = L_STRIP | L_TRUST | L_VERIFY };
/* HTTP/1 connection, or HTTP/2 stream. */
enum { S_H1 = 1, S_H2 = 2 };
/* The first request, or an internal redirect of one that passed, did
 * not pass, was refused on a connection that did not pass (421, 403), or
 * was denied by Require on one that did (cf-client-cert). */
enum { Q_FIRST = 1, Q_R_PASSED = 2, Q_R_NOT_PASSED = 4, Q_R_REFUSED = 8, Q_R_DENIED_PASSED = 16,
       Q_REDIRECT = Q_R_PASSED | Q_R_NOT_PASSED | Q_R_REFUSED | Q_R_DENIED_PASSED };
#define ANY 0xffffu

static const unsigned dim_all[] = { M_ON | M_RO | M_OFF, 127, HC_ON | HC_OFF, 7, 15, 3, 31 };

typedef struct {
    unsigned in[7];                     /* mode, conn, hc, host, cch, stream, q */
    cfaop_action_t action;
    int status;
    cfaop_reason_t reason;
    cfaop_why_t why;
    const char *log_id;
    int close, export;
    const char *policy;                 /* CF_AOP_POLICY when reported */
    int passed;
    cfaop_hdrs_t headers;
    int trailers;
} row_t;

#define PASS   CFAOP_DECIDE_PASS
#define REPORT CFAOP_DECIDE_REPORT
#define REFUSE CFAOP_DECIDE_REFUSE
#define R(x)   CFAOP_REASON_##x
#define W(x)   CFAOP_WHY_##x
#define D(x)   CFAOP_HDRS_##x
#define APP    "hostname:app.example.test"

/*  mode     conn          hc     host     cch      str  q
 *  action  status reason           why           log_id       close exp policy  passed headers        trailers */
static const row_t rows[] = {
    /* ---- CFAOP On: refused unless passed for this Host -------------------- */
    /* Plain HTTP: 403 no-cert (t/request-refused.t, CFAOP0202). */
    { { M_ON,  C_PLAIN,      ANY,   ANY,     L_ON,  ANY,  Q_FIRST },
      REFUSE, 403, R(NO_CERT),       W(NOT_TLS),   "CFAOP0202", 0, 0, NULL, 0, D(STRIP_REFUSED), 1 },
    { { M_ON,  C_PLAIN,      ANY,   ANY,     L_OFF, ANY,  Q_FIRST },
      REFUSE, 403, R(NO_CERT),       W(NOT_TLS),   "CFAOP0202", 0, 0, NULL, 0, D(LEAVE), 0 },
    /* TLS made for another vhost (t/hostcheck.t: SNI plain, Host aop-a):
     * 421; HTTP/1 is told to close, an HTTP/2 stream is not (t/misdirected.t). */
    { { M_ON,  C_ELSEWHERE,  ANY,   ANY,     L_ON,  S_H1, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(OTHER_VHOST), "CFAOP0201", 1, 0, NULL, 0, D(STRIP_REFUSED), 1 },
    { { M_ON,  C_ELSEWHERE,  ANY,   ANY,     L_ON,  S_H2, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(OTHER_VHOST), "CFAOP0201", 0, 0, NULL, 0, D(STRIP_REFUSED), 1 },
    { { M_ON,  C_ELSEWHERE,  ANY,   ANY,     L_OFF, S_H1, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(OTHER_VHOST), "CFAOP0201", 1, 0, NULL, 0, D(LEAVE), 0 },
    { { M_ON,  C_ELSEWHERE,  ANY,   ANY,     L_OFF, S_H2, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(OTHER_VHOST), "CFAOP0201", 0, 0, NULL, 0, D(LEAVE), 0 },
    /* A failed verdict (one that let the handshake complete) is refused
     * with its own reason, before the Host is looked at. */
    { { M_ON,  C_FAILED,     ANY,   ANY,     L_ON,  ANY,  Q_FIRST },
      REFUSE, 403, R(UNTRUSTED),     W(FAILED),    "CFAOP0202", 0, 0, NULL, 0, D(STRIP_REFUSED), 1 },
    { { M_ON,  C_FAILED,     ANY,   ANY,     L_OFF, ANY,  Q_FIRST },
      REFUSE, 403, R(UNTRUSTED),     W(FAILED),    "CFAOP0202", 0, 0, NULL, 0, D(LEAVE), 0 },
    { { M_ON,  C_NOCERT,     ANY,   ANY,     L_ON,  ANY,  Q_FIRST },
      REFUSE, 403, R(NO_CERT),       W(FAILED),    "CFAOP0202", 0, 0, NULL, 0, D(STRIP_REFUSED), 1 },
    { { M_ON,  C_NOCERT,     ANY,   ANY,     L_OFF, ANY,  Q_FIRST },
      REFUSE, 403, R(NO_CERT),       W(FAILED),    "CFAOP0202", 0, 0, NULL, 0, D(LEAVE), 0 },
    { { M_ON,  C_MISMATCHED, ANY,   ANY,     L_ON,  S_H1, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(FAILED),    "CFAOP0201", 1, 0, NULL, 0, D(STRIP_REFUSED), 1 },
    { { M_ON,  C_MISMATCHED, ANY,   ANY,     L_ON,  S_H2, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(FAILED),    "CFAOP0201", 0, 0, NULL, 0, D(STRIP_REFUSED), 1 },
    { { M_ON,  C_MISMATCHED, ANY,   ANY,     L_OFF, S_H1, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(FAILED),    "CFAOP0201", 1, 0, NULL, 0, D(LEAVE), 0 },
    { { M_ON,  C_MISMATCHED, ANY,   ANY,     L_OFF, S_H2, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(FAILED),    "CFAOP0201", 0, 0, NULL, 0, D(LEAVE), 0 },
    /* Passed, but the Host selects another policy: 421, nothing exported
     * (t/hostcheck.t, t/misdirected.t, t/request-refused.t). */
    { { M_ON,  C_PASSED,     HC_ON, H_OTHER, L_ON,  S_H1, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(OTHER_POLICY), "CFAOP0201", 1, 0, NULL, 0, D(STRIP_REFUSED), 1 },
    { { M_ON,  C_PASSED,     HC_ON, H_OTHER, L_ON,  S_H2, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(OTHER_POLICY), "CFAOP0201", 0, 0, NULL, 0, D(STRIP_REFUSED), 1 },
    { { M_ON,  C_PASSED,     HC_ON, H_OTHER, L_OFF, S_H1, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(OTHER_POLICY), "CFAOP0201", 1, 0, NULL, 0, D(LEAVE), 0 },
    { { M_ON,  C_PASSED,     HC_ON, H_OTHER, L_OFF, S_H2, Q_FIRST },
      REFUSE, 421, R(HOST_MISMATCH), W(OTHER_POLICY), "CFAOP0201", 0, 0, NULL, 0, D(LEAVE), 0 },

    /* ---- CFAOP ReportOnly: served; what On refuses is logged ----------- */
    /* Plain HTTP: CF_AOP_VERIFIED=NONE, CF_AOP_POLICY=zone. */
    { { M_RO,  C_PLAIN,      ANY,   ANY,     L_ON,  ANY,  Q_FIRST },
      REPORT,   0, R(NO_CERT),       W(NOT_TLS),   "CFAOP0203", 0, 0, "zone", 0, D(STRIP_NOT_PASSED), 1 },
    { { M_RO,  C_PLAIN,      ANY,   ANY,     L_OFF, ANY,  Q_FIRST },
      REPORT,   0, R(NO_CERT),       W(NOT_TLS),   "CFAOP0203", 0, 0, "zone", 0, D(LEAVE), 0 },
    /* TLS judged by another vhost: FAILED:host-mismatch, policy zone; an
     * unfinished handshake of this vhost names its policy. */
    { { M_RO,  C_OTHER,      ANY,   ANY,     L_ON,  ANY,  Q_FIRST },
      REPORT,   0, R(HOST_MISMATCH), W(OTHER_VHOST), "CFAOP0203", 0, 0, "zone", 0, D(STRIP_NOT_PASSED), 1 },
    { { M_RO,  C_OTHER,      ANY,   ANY,     L_OFF, ANY,  Q_FIRST },
      REPORT,   0, R(HOST_MISMATCH), W(OTHER_VHOST), "CFAOP0203", 0, 0, "zone", 0, D(LEAVE), 0 },
    { { M_RO,  C_UNFINISHED, ANY,   ANY,     L_ON,  ANY,  Q_FIRST },
      REPORT,   0, R(HOST_MISMATCH), W(OTHER_VHOST), "CFAOP0203", 0, 0, APP, 0, D(STRIP_NOT_PASSED), 1 },
    { { M_RO,  C_UNFINISHED, ANY,   ANY,     L_OFF, ANY,  Q_FIRST },
      REPORT,   0, R(HOST_MISMATCH), W(OTHER_VHOST), "CFAOP0203", 0, 0, APP, 0, D(LEAVE), 0 },
    /* The Host selects another policy: reported as host-mismatch whatever
     * the verdict, the certificate still described (t/request-reportonly.t:
     * "200 FAILED:host-mismatch hostname:app.req.test"). */
    { { M_RO,  C_JUDGED,     HC_ON, H_OTHER, L_ON,  ANY,  Q_FIRST },
      REPORT,   0, R(HOST_MISMATCH), W(OTHER_POLICY), "CFAOP0203", 0, 1, APP, 0, D(STRIP_NOT_PASSED), 1 },
    { { M_RO,  C_JUDGED,     HC_ON, H_OTHER, L_OFF, ANY,  Q_FIRST },
      REPORT,   0, R(HOST_MISMATCH), W(OTHER_POLICY), "CFAOP0203", 0, 1, APP, 0, D(LEAVE), 0 },
    /* A certificate that failed (or none) is exported as it is, with no
     * request line (t/reportonly.t: the handshake's CFAOP0102 says it);
     * its headers are not believed (t/identity.t: "no Leg-1 header
     * reaches the application"). */
    { { M_RO,  C_NOT_PASSED, ANY,   H_AGREES, L_ON,  ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 0, D(STRIP_NOT_PASSED), 1 },
    { { M_RO,  C_NOT_PASSED, ANY,   H_AGREES, L_OFF, ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 0, D(LEAVE), 0 },
    { { M_RO,  C_NOT_PASSED, HC_OFF, H_OTHER, L_ON,  ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 0, D(STRIP_NOT_PASSED), 1 },
    { { M_RO,  C_NOT_PASSED, HC_OFF, H_OTHER, L_OFF, ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 0, D(LEAVE), 0 },

    /* ---- both modes: passed for this Host (or no Host, or CFAOPHostCheck
     * Off): served, exported; the Leg-1 headers as CFAOPClientCertHeaders
     * says (t/identity.t, t/identity-verify.t). */
    { { M_ACTIVE, C_PASSED,     ANY,   H_AGREES, L_STRIP, ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 1, D(STRIP_UNDERSCORED), 1 },
    { { M_ACTIVE, C_PASSED,     ANY,   H_AGREES, L_TRUST, ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 1, D(TRUST), 1 },
    { { M_ACTIVE, C_PASSED,     ANY,   H_AGREES, L_VERIFY, ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 1, D(VERIFY), 1 },
    { { M_ACTIVE, C_PASSED,     ANY,   H_AGREES, L_OFF, ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 1, D(LEAVE), 0 },
    { { M_ACTIVE, C_PASSED,     HC_OFF, H_OTHER, L_STRIP, ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 1, D(STRIP_UNDERSCORED), 1 },
    { { M_ACTIVE, C_PASSED,     HC_OFF, H_OTHER, L_TRUST, ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 1, D(TRUST), 1 },
    { { M_ACTIVE, C_PASSED,     HC_OFF, H_OTHER, L_VERIFY, ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 1, D(VERIFY), 1 },
    { { M_ACTIVE, C_PASSED,     HC_OFF, H_OTHER, L_OFF, ANY, Q_FIRST },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 1, NULL, 1, D(LEAVE), 0 },

    /* ---- internal redirects (ErrorDocument): decided before; only the
     * headers, which trailers may have joined, are looked at again
     * (t/request-refused.t: no Leg-1 header reaches an error document). */
    { { M_ACTIVE, ANY,       ANY,   ANY,     L_ON,  ANY,  Q_R_REFUSED },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 0, NULL, 0, D(STRIP_REFUSED), 1 },
    { { M_ACTIVE, ANY,       ANY,   ANY,     L_ON,  ANY,  Q_R_DENIED_PASSED },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 0, NULL, 1, D(STRIP_REFUSED), 1 },
    { { M_ACTIVE, ANY,       ANY,   ANY,     L_ON,  ANY,  Q_R_NOT_PASSED },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 0, NULL, 0, D(STRIP_NOT_PASSED), 1 },
    { { M_ACTIVE, ANY,       ANY,   ANY,     L_ON,  ANY,  Q_R_PASSED },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 0, NULL, 1, D(STRIP_UNDERSCORED), 1 },
    { { M_ACTIVE, ANY,       ANY,   ANY,     L_OFF, ANY,  Q_R_PASSED | Q_R_DENIED_PASSED },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 0, NULL, 1, D(LEAVE), 0 },
    { { M_ACTIVE, ANY,       ANY,   ANY,     L_OFF, ANY,  Q_R_NOT_PASSED | Q_R_REFUSED },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 0, NULL, 0, D(LEAVE), 0 },

    /* ---- CFAOP Off: the module is not there ------------------------------ */
    { { M_OFF, ANY,          ANY,   ANY,     ANY,   ANY,  ANY },
      PASS,     0, R(NONE),          W(NONE),      NULL,        0, 0, NULL, 0, D(LEAVE), 0 },
};

static const cfaop_policy_t zone = { .name = "zone", .depth = 1 };
static const cfaop_policy_t app = { .name = APP, .depth = 1 };
static const cfaop_policy_t elsewhere = { .name = "hostname:other.example.test", .depth = 1 };

/* The input at one point (one bit per dimension). */
static void make_input(const unsigned bit[7], cfaop_request_in_t *in)
{
    memset(in, 0, sizeof(*in));
    in->mode = bit[0] == M_ON ? CFAOP_MODE_ON : bit[0] == M_RO ? CFAOP_MODE_REPORT_ONLY : CFAOP_MODE_OFF;
    in->tls = bit[1] != C_PLAIN;
    in->judged_here = bit[1] & (C_UNFINISHED | C_JUDGED);
    in->complete = bit[1] & (C_OTHER | C_JUDGED);
    in->judged_policy = bit[1] == C_PLAIN ? NULL : bit[1] == C_OTHER ? &elsewhere : &app;
    in->verdict = bit[1] == C_FAILED ? CFAOP_REASON_UNTRUSTED
                  : bit[1] == C_NOCERT ? CFAOP_REASON_NO_CERT
                  : bit[1] == C_MISMATCHED ? CFAOP_REASON_HOST_MISMATCH : CFAOP_REASON_NONE;
    in->host_check = bit[2] == HC_ON;
    in->host_policy = bit[3] == H_SAME ? &app : bit[3] == H_OTHER ? &zone : NULL;
    in->headers = bit[4] == L_STRIP ? CFAOP_CCH_STRIP : bit[4] == L_TRUST ? CFAOP_CCH_TRUST
                  : bit[4] == L_VERIFY ? CFAOP_CCH_VERIFY : CFAOP_CCH_OFF;
    in->stream = bit[5] == S_H2;
    in->redirect = bit[6] != Q_FIRST;
    in->earlier_passed = bit[6] == Q_R_PASSED || bit[6] == Q_R_DENIED_PASSED;
    in->earlier_refused = bit[6] == Q_R_REFUSED || bit[6] == Q_R_DENIED_PASSED;
}

static int row_covers(const row_t *row, const unsigned bit[7])
{
    int d;

    for (d = 0; d < 7; d++)
        if (!(row->in[d] & bit[d]))
            return 0;
    return 1;
}

static void check_point(const unsigned bit[7], int *points)
{
    const row_t *row = NULL;
    cfaop_request_in_t in;
    cfaop_decision_t out;
    size_t i;
    char where[128];

    snprintf(where, sizeof(where), "mode %u conn %u hc %u host %u cch %u stream %u q %u",
             bit[0], bit[1], bit[2], bit[3], bit[4], bit[5], bit[6]);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (!row_covers(&rows[i], bit))
            continue;
        ck_assert_msg(row == NULL, "%s: rows %d and %zu both cover it", where, (int)(row - rows), i);
        row = &rows[i];
    }
    ck_assert_msg(row != NULL, "%s: no row covers it", where);
    make_input(bit, &in);
    cfaop_decide_request(&in, &out);
    ck_assert_msg(out.action == row->action, "%s (row %d): action %d", where, (int)(row - rows), out.action);
    ck_assert_msg(out.status == row->status, "%s (row %d): status %d", where, (int)(row - rows), out.status);
    ck_assert_msg(out.reason == row->reason, "%s (row %d): reason %s", where, (int)(row - rows),
                  cfaop_reason_name(out.reason));
    ck_assert_msg(out.why == row->why, "%s (row %d): why %d", where, (int)(row - rows), out.why);
    ck_assert_msg(row->log_id ? out.log_id && !strcmp(out.log_id, row->log_id) : out.log_id == NULL,
                  "%s (row %d): log id %s", where, (int)(row - rows), out.log_id ? out.log_id : "none");
    ck_assert_msg(out.close_connection == row->close, "%s (row %d): close %d", where, (int)(row - rows),
                  out.close_connection);
    ck_assert_msg(out.export_connection == row->export, "%s (row %d): export %d", where,
                  (int)(row - rows), out.export_connection);
    ck_assert_msg(row->policy ? out.policy && !strcmp(out.policy, row->policy) : out.policy == NULL,
                  "%s (row %d): policy %s", where, (int)(row - rows), out.policy ? out.policy : "none");
    ck_assert_msg(!!out.aop_passed == row->passed, "%s (row %d): passed %d", where, (int)(row - rows),
                  out.aop_passed);
    ck_assert_msg(out.headers == row->headers, "%s (row %d): headers %d", where, (int)(row - rows),
                  out.headers);
    ck_assert_msg(out.watch_trailers == row->trailers, "%s (row %d): trailers %d", where,
                  (int)(row - rows), out.watch_trailers);
    (*points)++;
}

/* Every combination of the inputs, one bit of each dimension at a time. */
START_TEST(every_combination_has_its_row)
{
    unsigned bit[7];
    int points = 0;

    for (bit[0] = 1; bit[0] <= dim_all[0]; bit[0] <<= 1)
     for (bit[1] = 1; bit[1] <= dim_all[1]; bit[1] <<= 1)
      for (bit[2] = 1; bit[2] <= dim_all[2]; bit[2] <<= 1)
       for (bit[3] = 1; bit[3] <= dim_all[3]; bit[3] <<= 1)
        for (bit[4] = 1; bit[4] <= dim_all[4]; bit[4] <<= 1)
         for (bit[5] = 1; bit[5] <= dim_all[5]; bit[5] <<= 1)
          for (bit[6] = 1; bit[6] <= dim_all[6]; bit[6] <<= 1)
              check_point(bit, &points);
    ck_assert_int_eq(points, 3 * 7 * 2 * 3 * 4 * 2 * 5);
}
END_TEST

/* The sentences that end CFAOP0201/0202/0203, as the suite reads them. */
START_TEST(why_sentences)
{
    unsigned bit[7] = { M_ON, C_PASSED, HC_ON, H_OTHER, L_STRIP, S_H1, Q_FIRST };
    cfaop_request_in_t in;
    cfaop_decision_t out;

    make_input(bit, &in);
    cfaop_decide_request(&in, &out);
    ck_assert_str_eq(cfaop_decision_why(tu_pool, &in, &out),
                     "the connection was verified under policy hostname:app.example.test, "
                     "the Host selects zone");
    bit[1] = C_PLAIN;
    make_input(bit, &in);
    cfaop_decide_request(&in, &out);
    ck_assert_str_eq(cfaop_decision_why(tu_pool, &in, &out),
                     "the connection is not TLS, so it cannot have passed AOP");
    bit[1] = C_OTHER;
    make_input(bit, &in);
    cfaop_decide_request(&in, &out);
    ck_assert_str_eq(cfaop_decision_why(tu_pool, &in, &out),
                     "the connection's TLS handshake was made for another virtual host");
    bit[1] = C_FAILED;
    make_input(bit, &in);
    cfaop_decide_request(&in, &out);
    ck_assert_str_eq(cfaop_decision_why(tu_pool, &in, &out), "the connection failed verification");
    bit[1] = C_PASSED;
    bit[3] = H_SAME;
    make_input(bit, &in);
    cfaop_decide_request(&in, &out);
    ck_assert_str_eq(cfaop_decision_why(tu_pool, &in, &out), "");
}
END_TEST

/* Policies are compared by identity: two hostname entries sharing their
 * CA files have two policies, and a certificate for one is not for the
 * other (t/hostname-reuse.t). */
START_TEST(policies_compare_by_identity)
{
    const cfaop_policy_t twin = { .name = APP, .depth = 1 };
    unsigned bit[7] = { M_ON, C_PASSED, HC_ON, H_SAME, L_STRIP, S_H1, Q_FIRST };
    cfaop_request_in_t in;
    cfaop_decision_t out;

    make_input(bit, &in);
    in.host_policy = &twin;
    cfaop_decide_request(&in, &out);
    ck_assert_int_eq(out.action, CFAOP_DECIDE_REFUSE);
    ck_assert_int_eq(out.status, 421);
}
END_TEST

Suite *decide_suite(void)
{
    Suite *s = suite_create("decide");
    TCase *tc = tu_tcase("decide");

    tcase_add_test(tc, every_combination_has_its_row);
    tcase_add_test(tc, why_sentences);
    tcase_add_test(tc, policies_compare_by_identity);
    suite_add_tcase(s, tc);
    return s;
}
