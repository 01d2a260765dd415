/* SPDX-License-Identifier: Apache-2.0 */
/* decide.h: the one decision on a request to a CFAOP vhost: from how its
 * connection was judged, its Host and the vhost's modes, pass, report or
 * refuse, which CF_AOP_* it gets and what becomes of its Leg-1 headers. */
#ifndef CFAOP_DECIDE_H
#define CFAOP_DECIDE_H

#include <apr_pools.h>

#include "directive.h"
#include "policy.h"
#include "reason.h"

/* What the glue gathers for one request; nothing is read from httpd here. */
typedef struct {
    cfaop_mode_t mode;                  /* CFAOP On or ReportOnly (Off: nothing to do) */
    int host_check;                     /* CFAOPHostCheck */
    cfaop_cch_mode_t headers;           /* CFAOPClientCertHeaders */
    int stream;                         /* an HTTP/2 stream: the connection serves others */
    /* The connection, as its TLS side recorded it. */
    int tls;                            /* it is TLS (it has the module's state) */
    int judged_here;                    /* this vhost's policy judged its handshake */
    int complete;                       /* ...and that handshake completed (verdict and export recorded) */
    cfaop_reason_t verdict;             /* the verdict's reason, when judged_here */
    const cfaop_policy_t *judged_policy; /* the policy that judged it, or NULL */
    const cfaop_policy_t *host_policy;  /* the policy the Host selects; NULL: no Host, or not looked up */
    /* An internal redirect (ErrorDocument, mod_rewrite) of a request decided before. */
    int redirect;
    int earlier_passed;                 /* its connection passed AOP */
    int earlier_refused;                /* the module refused it, or a Require of the module
                                         * denied it and the redirect shows an error status */
} cfaop_request_in_t;

typedef enum {
    CFAOP_DECIDE_PASS = 0,              /* the request goes on, nothing to log */
    CFAOP_DECIDE_REPORT,                /* ReportOnly: it goes on, logged as what On would refuse */
    CFAOP_DECIDE_REFUSE                 /* answered with `status` */
} cfaop_action_t;

/* The sentence that ends the request's log line. */
typedef enum {
    CFAOP_WHY_NONE = 0,
    CFAOP_WHY_NOT_TLS,
    CFAOP_WHY_OTHER_VHOST,
    CFAOP_WHY_FAILED,
    CFAOP_WHY_OTHER_POLICY
} cfaop_why_t;

/* What becomes of the request's Leg-1 headers (and the log id that counts them). */
typedef enum {
    CFAOP_HDRS_LEAVE = 0,               /* CFAOPClientCertHeaders Off: not touched */
    CFAOP_HDRS_STRIP_REFUSED,           /* every one: the request is refused (CFAOP0304) */
    CFAOP_HDRS_STRIP_NOT_PASSED,        /* every one: the connection did not pass AOP (CFAOP0301) */
    CFAOP_HDRS_STRIP_UNDERSCORED,       /* the '_' spellings only (CFAOP0305) */
    CFAOP_HDRS_TRUST,                   /* believed: checked, exported as CF_CLIENT_CERT_* */
    CFAOP_HDRS_VERIFY                   /* the same, and Client-Cert verified against CFAOPClientCA */
} cfaop_hdrs_t;

typedef struct {
    cfaop_action_t action;
    int status;                         /* 403 or 421 when refused, else 0 */
    cfaop_reason_t reason;              /* refused or reported for; CFAOP_REASON_NONE otherwise */
    cfaop_why_t why;
    const char *log_id;                 /* "CFAOP0201"/"0202" (refused), "CFAOP0203" (reported), or NULL */
    int close_connection;               /* a 421 on a connection that is no HTTP/2 stream */
    int export_connection;              /* the connection's CF_AOP_* go into the request */
    const char *policy;                 /* reported: CF_AOP_POLICY (CF_AOP_VERIFIED follows `reason`) */
    int aop_passed;                     /* the connection passed AOP for this request */
    cfaop_hdrs_t headers;
    int watch_trailers;                 /* Leg-1 names arriving as trailers are removed */
} cfaop_decision_t;

#define CFAOP_STATUS_FORBIDDEN 403
#define CFAOP_STATUS_MISDIRECTED 421

/* Decides the request described by in. Pure: no allocation, no I/O. */
void cfaop_decide_request(const cfaop_request_in_t *in, cfaop_decision_t *out);

/* The log line's closing sentence for out->why ("" for none), naming the
 * two policies of a host mismatch. */
const char *cfaop_decision_why(apr_pool_t *pool, const cfaop_request_in_t *in,
                               const cfaop_decision_t *out);

#endif
