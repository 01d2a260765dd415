/* SPDX-License-Identifier: Apache-2.0 */
/* probe.h: cfaop-probe's shared types: the target, one connection attempt
 * and its outcome, one row of the report; and the functions between files. */
#ifndef CFAOP_PROBE_H
#define CFAOP_PROBE_H

#include <stddef.h>
#include <sys/socket.h>
#include <openssl/ssl.h>

#define PROBE_VERSION      "1.0"
#define PROBE_NAME_MAX     253     /* SNI and Host values we send */
#define PROBE_PEER_MAX     256     /* bytes kept of any one peer value */
#define PROBE_CA_NAMES_MAX 64      /* CA names kept (the count is exact) */
#define PROBE_ALSO_MAX     16      /* ports after --also */
#define PROBE_RESP_MAX     8192    /* bytes of an HTTP response head read */

/* Where to connect. */
typedef struct {
    char text[300];                /* --connect as given */
    char addr[64];                 /* numeric address used */
    struct sockaddr_storage ss;    /* that address, port unset */
    socklen_t sslen;
    int port;
} probe_target;

/* How a TCP connection went. */
enum { TCP_OK, TCP_REFUSED, TCP_TIMEOUT, TCP_ERROR };

/* One connection: TLS (or plain HTTP) and one GET request. */
typedef struct {
    /* what to do */
    int port;
    int use_tls;
    SSL_CTX *ctx;                  /* with or without a client certificate */
    const char *sni;               /* NULL: no SNI */
    const char *host;              /* Host header */
    int want_ca_names;             /* keep the CertificateRequest's CA names */
    /* what happened */
    int tcp;                       /* TCP_* */
    int cert_requested;            /* a CertificateRequest arrived */
    int handshake_done;            /* the client finished its handshake */
    int alert_rcvd;                /* first alert received other than close_notify, or -1 */
    int alert_rcvd_fatal;
    int timed_out;                 /* the deadline passed (after TCP) */
    int got_bytes;                 /* the peer sent application bytes */
    int status;                    /* HTTP status, 0 when none */
    int location_https;            /* a Location: https://... header came */
    char version[16];              /* TLS version negotiated ("" when unknown) */
    char error[200];               /* what failed, as text of our own (escaped) */
    char *ca_names[PROBE_CA_NAMES_MAX]; /* escaped RFC 2253 names */
    int ca_count;                  /* how many the server listed */
} probe_attempt;

/* net.c */
int probe_parse_connect(const char *arg, probe_target *t, char *err, size_t errlen);
void probe_attempt_run(const probe_target *t, probe_attempt *a, double timeout);
void probe_attempt_free(probe_attempt *a);
const char *probe_alert_name(int code);
int probe_served(const probe_attempt *a);

/* cert.c */
SSL_CTX *probe_ctx_new(int tls_version, char *err, size_t errlen);
int probe_ctx_use_files(SSL_CTX *ctx, const char *cert, const char *key,
                        char *err, size_t errlen);
int probe_ctx_use_selfsigned(SSL_CTX *ctx, char *err, size_t errlen);
void probe_ssl_errors(char *err, size_t errlen, const char *what);

/* out.c */
size_t probe_escape(char *out, size_t outlen, const char *in, size_t inlen, int keep_bs);

typedef struct {
    char name[32];                 /* "no-cert", "also:80/http", ... */
    char expected[96];
    char observed[400];
    int ok;                        /* 1 yes, 0 no, -1 not judged (info, not run) */
    int error;                     /* the check could not be made */
    int port;
    int status;                    /* HTTP status, 0 none */
    int alert;                     /* alert received, -1 none */
    char why[512];                 /* the verdict's words when ok is 0 */
} probe_row;

typedef struct {
    const char *verdict;           /* "LOCKED", "NOT LOCKED", "ERROR" */
    char why[1024];                /* after "NOT LOCKED: " or "ERROR: " */
    const probe_target *target;
    const char *sni;
    const char *other_host;
    char version[16];
    char **ca_names;
    int ca_count;
    int ca_kept;
    int cert_requested;            /* -1 unknown */
    probe_row rows[8 + 2 * PROBE_ALSO_MAX];
    int nrows;
    long elapsed_ms;
} probe_report;

void probe_print_text(const probe_report *r);
void probe_print_json(const probe_report *r);

#endif
