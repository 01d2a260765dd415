/* SPDX-License-Identifier: Apache-2.0 */
/* decide.c: a request is believed only on a connection that this vhost's
 * policy judged, for a Host that selects that same policy; the order of
 * the checks below is the order the SPEC gives them. */
#include "decide.h"

#include <string.h>
#include <apr_strings.h>

/* The Leg-1 headers of a request that goes on. */
static cfaop_hdrs_t headers_of_served(cfaop_cch_mode_t mode, int passed)
{
    if (mode == CFAOP_CCH_OFF)
        return CFAOP_HDRS_LEAVE;
    if (!passed)
        return CFAOP_HDRS_STRIP_NOT_PASSED;
    if (mode == CFAOP_CCH_TRUST)
        return CFAOP_HDRS_TRUST;
    if (mode == CFAOP_CCH_VERIFY)
        return CFAOP_HDRS_VERIFY;
    /* Strip leaves the '-' spellings to the application: it was told not
     * to believe them, and may log them. */
    return CFAOP_HDRS_STRIP_UNDERSCORED;
}

/* On refuses; ReportOnly lets the request on, with the reason in
 * CF_AOP_VERIFIED and the judging policy (if this vhost's) in CF_AOP_POLICY. */
static void refuse_or_report(const cfaop_request_in_t *in, cfaop_reason_t reason, cfaop_why_t why,
                             cfaop_decision_t *out)
{
    out->reason = reason;
    out->why = why;
    out->aop_passed = 0;
    if (in->mode == CFAOP_MODE_ON) {
        out->action = CFAOP_DECIDE_REFUSE;
        out->status = reason == CFAOP_REASON_HOST_MISMATCH ? CFAOP_STATUS_MISDIRECTED
                                                           : CFAOP_STATUS_FORBIDDEN;
        out->log_id = reason == CFAOP_REASON_HOST_MISMATCH ? "CFAOP0201" : "CFAOP0202";
        /* This connection will not serve that Host: an HTTP/1 client must
         * open another; an HTTP/2 stream's 421 leaves the connection to its
         * other streams. */
        out->close_connection = out->status == CFAOP_STATUS_MISDIRECTED && !in->stream;
        out->export_connection = 0;
        out->headers = in->headers == CFAOP_CCH_OFF ? CFAOP_HDRS_LEAVE : CFAOP_HDRS_STRIP_REFUSED;
        return;
    }
    out->action = CFAOP_DECIDE_REPORT;
    out->log_id = "CFAOP0203";
    out->policy = in->judged_here && in->judged_policy != NULL ? in->judged_policy->name : "zone";
    out->headers = headers_of_served(in->headers, 0);
}

void cfaop_decide_request(const cfaop_request_in_t *in, cfaop_decision_t *out)
{
    memset(out, 0, sizeof(*out));
    if (in->mode != CFAOP_MODE_ON && in->mode != CFAOP_MODE_REPORT_ONLY)
        return;
    out->watch_trailers = in->headers != CFAOP_CCH_OFF;
    if (in->redirect) {
        /* Decided on the original request; only its headers may have grown
         * (trailers merged since), and an error document of a refused
         * request must not see them. */
        out->aop_passed = in->earlier_passed;
        out->headers = in->headers == CFAOP_CCH_OFF ? CFAOP_HDRS_LEAVE
                       : in->earlier_refused ? CFAOP_HDRS_STRIP_REFUSED
                       : !in->earlier_passed ? CFAOP_HDRS_STRIP_NOT_PASSED
                       : CFAOP_HDRS_STRIP_UNDERSCORED;
        return;
    }
    if (!in->tls) {
        refuse_or_report(in, CFAOP_REASON_NO_CERT, CFAOP_WHY_NOT_TLS, out);
        return;
    }
    /* TLS set up for another vhost (its SNI, or none): this connection is
     * not authoritative here, and a new one with the right SNI may be. */
    if (!in->judged_here || !in->complete) {
        refuse_or_report(in, CFAOP_REASON_HOST_MISMATCH, CFAOP_WHY_OTHER_VHOST, out);
        return;
    }
    if (in->mode == CFAOP_MODE_ON && in->verdict != CFAOP_REASON_NONE) {
        refuse_or_report(in, in->verdict, CFAOP_WHY_FAILED, out);
        return;
    }
    /* A certificate accepted for one hostname must not reach another over
     * the same connection; a request without Host is judged by its SNI. */
    if (in->host_check && in->host_policy != NULL && in->host_policy != in->judged_policy) {
        refuse_or_report(in, CFAOP_REASON_HOST_MISMATCH, CFAOP_WHY_OTHER_POLICY, out);
        /* ReportOnly: the certificate is still described. */
        out->export_connection = out->action == CFAOP_DECIDE_REPORT;
        return;
    }
    out->action = CFAOP_DECIDE_PASS;
    out->export_connection = 1;
    out->aop_passed = in->verdict == CFAOP_REASON_NONE;
    out->headers = headers_of_served(in->headers, out->aop_passed);
}

const char *cfaop_decision_why(apr_pool_t *pool, const cfaop_request_in_t *in,
                               const cfaop_decision_t *out)
{
    switch (out->why) {
    case CFAOP_WHY_NOT_TLS:
        return "the connection is not TLS, so it cannot have passed AOP";
    case CFAOP_WHY_OTHER_VHOST:
        return "the connection's TLS handshake was made for another virtual host";
    case CFAOP_WHY_FAILED:
        return "the connection failed verification";
    case CFAOP_WHY_OTHER_POLICY:
        return apr_psprintf(pool, "the connection was verified under policy %s, the Host selects %s",
                            in->judged_policy != NULL ? in->judged_policy->name : "-",
                            in->host_policy != NULL ? in->host_policy->name : "-");
    default:
        return "";
    }
}
