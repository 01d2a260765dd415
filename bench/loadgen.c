/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loadgen: a small TLS load generator that presents a client certificate on
 * every connection, for measuring mod_cf_aop against mod_ssl's own client
 * verification.  OpenSSL 3 + pthreads, loopback only.
 *
 *   full      connect, handshake, one HTTP/1.1 GET with "Connection: close",
 *             read the whole response, close (one handshake per request)
 *   keepalive one connection per thread, many GETs on it (reconnects if the
 *             server closes)
 *
 * Output: one machine-readable line starting with "loadgen " (key=value
 * pairs) and one line for people.  The client's own CPU share (user+sys
 * divided by wall time, in cores) is printed so that a reader can see that
 * the client was not the bottleneck.
 *
 * Exit status: 0 all operations succeeded, 2 some failed, 3 none succeeded,
 * 1 usage or setup error.
 *
 * Build: cc -O2 -Wall -Wextra -Werror -pthread -o loadgen loadgen.c -lssl -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define MAX_THREADS   256
#define MAX_SECONDS   3600.0
#define IO_TIMEOUT_S  10
#define RBUF_SIZE     16384
#define LAT_BUCKET_US 10        /* latency histogram: 10 us buckets ... */
#define LAT_BUCKETS   10000     /* ... up to 100 ms, the last one is open */

enum mode { MODE_FULL, MODE_KEEPALIVE };

enum fail_kind {
    F_CONNECT, F_HANDSHAKE, F_ALERT, F_WRITE, F_READ, F_SHORT, F_STATUS,
    F_TIMEOUT, F_PROTO, F_NKINDS
};
static const char *const fail_name[F_NKINDS] = {
    "connect", "handshake", "alert", "write", "read", "short", "status",
    "timeout", "proto"
};

struct options {
    const char *host;
    int port;
    const char *sni;
    const char *cert, *key, *chain, *cafile;
    int threads;
    double seconds;
    long long count;
    enum mode mode;
    int tls;                     /* 0 = any, else TLS1_2_VERSION/TLS1_3_VERSION */
    const char *path;
    const char *host_header;
    int resume;
    int verbose;
};

struct stats {
    uint64_t ok, ops, conns, handshakes, resumed, reopened;
    uint64_t fail[F_NKINDS];
    uint64_t alerts[256];
    uint64_t status[600];        /* HTTP status counts for != 200 */
    uint64_t bytes;
    uint64_t lat_sum_us;
    uint32_t lat[LAT_BUCKETS];
} __attribute__((aligned(64)));

struct worker {
    pthread_t tid;
    int index;
    struct stats st;
};

static struct options opt;
static SSL_CTX *ctx;
static struct sockaddr_in target;
static char request[2048];
static size_t request_len;
static struct timespec t_start;
static double deadline_s;       /* seconds after t_start */
static long long ops_issued;    /* atomically claimed when --count is set */

/* Last fatal alert received on this thread's current connection, or -1. */
static __thread int tl_alert = -1;

/* First failure of each kind is described on stderr, once. */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static int reported[F_NKINDS];

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t_start.tv_sec) + (double)(t.tv_nsec - t_start.tv_nsec) / 1e9;
}

static void report_first(enum fail_kind k, const char *what, int err)
{
    char buf[256] = "";
    unsigned long e = ERR_peek_last_error();
    if (e != 0)
        ERR_error_string_n(e, buf, sizeof buf);
    pthread_mutex_lock(&report_lock);
    if (!reported[k] || opt.verbose) {
        reported[k] = 1;
        fprintf(stderr, "loadgen: first %s failure: %s%s%s%s%s\n", fail_name[k], what,
                err ? ": " : "", err ? strerror(err) : "",
                buf[0] ? " / " : "", buf);
    }
    pthread_mutex_unlock(&report_lock);
}

static const char *alert_name(int a)
{
    switch (a) {   /* newer than some OpenSSL's tables */
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return SSL_alert_desc_string_long(a);
    }
}

static void info_cb(const SSL *ssl, int where, int ret)
{
    (void)ssl;
    /* ret: high byte level (2 = fatal), low byte the alert description */
    if ((where & SSL_CB_READ_ALERT) && ((ret >> 8) & 0xff) == SSL3_AL_FATAL)
        tl_alert = ret & 0xff;
}

static void count_fail(struct stats *st, enum fail_kind k, const char *what, int err)
{
    if (tl_alert >= 0) {
        st->fail[F_ALERT]++;
        st->alerts[tl_alert]++;
        pthread_mutex_lock(&report_lock);
        if (!reported[F_ALERT] || opt.verbose) {
            reported[F_ALERT] = 1;
            fprintf(stderr, "loadgen: first alert failure: received alert %d (%s) during %s\n",
                    tl_alert, alert_name(tl_alert), what);
        }
        pthread_mutex_unlock(&report_lock);
    } else {
        if (err == EAGAIN || err == EWOULDBLOCK)
            k = F_TIMEOUT;
        st->fail[k]++;
        report_first(k, what, err);
    }
    ERR_clear_error();
}

/* Claim one operation; 0 when the run is over (count or time exhausted). */
static int claim_op(void)
{
    if (opt.count > 0 && __atomic_fetch_add(&ops_issued, 1, __ATOMIC_RELAXED) >= opt.count)
        return 0;
    return now_s() < deadline_s;
}

static int tcp_connect(int *err)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    int one = 1;
    struct timeval tv = { IO_TIMEOUT_S, 0 };
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&target, sizeof target) != 0) {
        *err = errno;
        close(fd);
        return -1;
    }
    return fd;
}

/* Open a TCP connection and complete the TLS handshake.  Returns the SSL or
 * NULL (failure counted). */
static SSL *tls_open(struct stats *st, SSL_SESSION *sess, int *fdp)
{
    int err = 0;
    tl_alert = -1;
    int fd = tcp_connect(&err);
    if (fd < 0) {
        count_fail(st, F_CONNECT, "connect", err);
        return NULL;
    }
    st->conns++;
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL) {
        close(fd);
        count_fail(st, F_HANDSHAKE, "SSL_new", 0);
        return NULL;
    }
    SSL_set_fd(ssl, fd);
    if (opt.sni && opt.sni[0])
        SSL_set_tlsext_host_name(ssl, opt.sni);
    if (sess)
        SSL_set_session(ssl, sess);
    errno = 0;
    st->handshakes++;
    int r = SSL_connect(ssl);
    if (r != 1) {
        err = (SSL_get_error(ssl, r) == SSL_ERROR_SYSCALL) ? errno : 0;
        count_fail(st, F_HANDSHAKE, "handshake", err);
        SSL_free(ssl);
        close(fd);
        return NULL;
    }
    if (SSL_session_reused(ssl))
        st->resumed++;
    *fdp = fd;
    return ssl;
}

static void tls_close(SSL *ssl, int fd, int clean)
{
    /* No close_notify round trip: the server already closed (full mode) or
     * we are done.  Marking the shutdown as sent keeps the session
     * resumable (OpenSSL invalidates sessions of connections that were not
     * shut down). */
    if (clean)
        SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl);
    close(fd);
}

static int parse_status(const char *buf, size_t hdr_len)
{
    if (hdr_len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
        return -1;
    int s = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return -1;
        s = s * 10 + (buf[i] - '0');
    }
    return s;
}

/* Finds a header's value in [buf, buf+len); NULL if absent. */
static const char *find_header(const char *buf, size_t len, const char *name, size_t *vlen)
{
    size_t nlen = strlen(name);
    const char *p = memchr(buf, '\n', len);
    const char *end = buf + len;
    while (p && p + 1 < end) {
        p++;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            break;
        if ((size_t)(eol - p) > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
            const char *v = p + nlen + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            const char *ve = eol;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
                ve--;
            *vlen = (size_t)(ve - v);
            return v;
        }
        p = eol;
    }
    return NULL;
}

/* Sends the request and reads one response.  Returns 1 if it was a complete
 * 200, 0 otherwise (failure counted), or -1 (nothing counted) when a reused
 * keep-alive connection was closed by the server before any byte of the
 * response: the caller reopens and sends again, as HTTP clients do.  *keep is
 * set to whether the connection can carry another request. */
static int do_request(struct stats *st, SSL *ssl, int *keep, int reused)
{
    static __thread char rbuf[RBUF_SIZE];
    size_t have = 0, hdr_end = 0;
    long long clen = -1;
    unsigned long long body = 0;
    int status = -1, conn_close = (opt.mode == MODE_FULL), eof = 0;

    *keep = 0;
    errno = 0;
    int w = SSL_write(ssl, request, (int)request_len);
    if (w != (int)request_len) {
        int e = (SSL_get_error(ssl, w) == SSL_ERROR_SYSCALL) ? errno : 0;
        if (reused && tl_alert < 0) {
            ERR_clear_error();
            return -1;
        }
        count_fail(st, F_WRITE, "write", e);
        return 0;
    }
    for (;;) {
        if (hdr_end == 0 && have == sizeof rbuf) {
            count_fail(st, F_PROTO, "response headers larger than the buffer", 0);
            return 0;
        }
        errno = 0;
        int n = SSL_read(ssl, rbuf + (hdr_end ? 0 : have), (int)(hdr_end ? sizeof rbuf : sizeof rbuf - have));
        if (n <= 0) {
            int se = SSL_get_error(ssl, n);
            if (reused && have == 0 && tl_alert < 0) {
                ERR_clear_error();
                return -1;
            }
            if (se == SSL_ERROR_ZERO_RETURN) {
                eof = 1;
                break;
            }
            int e = (se == SSL_ERROR_SYSCALL) ? errno : 0;
            if (se == SSL_ERROR_SYSCALL && e == 0) {   /* TCP EOF, no close_notify */
                eof = 1;
                break;
            }
            count_fail(st, F_READ, "read", e);
            return 0;
        }
        st->bytes += (uint64_t)n;
        if (hdr_end == 0) {
            have += (size_t)n;
            const char *h = memmem(rbuf, have, "\r\n\r\n", 4);
            if (h == NULL)
                continue;
            hdr_end = (size_t)(h - rbuf) + 4;
            status = parse_status(rbuf, hdr_end);
            if (status < 0) {
                count_fail(st, F_PROTO, "bad status line", 0);
                return 0;
            }
            size_t vl;
            const char *v = find_header(rbuf, hdr_end, "Content-Length", &vl);
            if (v) {
                char *ep;
                char tmp[32];
                if (vl == 0 || vl >= sizeof tmp) {
                    count_fail(st, F_PROTO, "bad Content-Length", 0);
                    return 0;
                }
                memcpy(tmp, v, vl);
                tmp[vl] = '\0';
                clen = strtoll(tmp, &ep, 10);
                if (*ep != '\0' || clen < 0) {
                    count_fail(st, F_PROTO, "bad Content-Length", 0);
                    return 0;
                }
            }
            v = find_header(rbuf, hdr_end, "Connection", &vl);
            if (v && vl == 5 && strncasecmp(v, "close", 5) == 0)
                conn_close = 1;
            body = have - hdr_end;
        } else {
            body += (unsigned long long)n;
        }
        /* Keep-alive: stop at the end of the body.  Full mode reads to EOF. */
        if (!conn_close && clen >= 0 && body >= (unsigned long long)clen)
            break;
    }
    if (hdr_end == 0 || (clen >= 0 && body < (unsigned long long)clen)) {
        count_fail(st, F_SHORT, "short read", 0);
        return 0;
    }
    if (clen < 0 && !eof) {
        count_fail(st, F_PROTO, "no Content-Length on a kept-alive response", 0);
        return 0;
    }
    if (status != 200) {
        st->fail[F_STATUS]++;
        if (status >= 0 && status < 600)
            st->status[status]++;
        pthread_mutex_lock(&report_lock);
        if (!reported[F_STATUS] || opt.verbose) {
            reported[F_STATUS] = 1;
            fprintf(stderr, "loadgen: first status failure: HTTP %d\n", status);
        }
        pthread_mutex_unlock(&report_lock);
        *keep = !conn_close && !eof;
        return 0;
    }
    *keep = !conn_close && !eof;
    return 1;
}

static void record_latency(struct stats *st, double t0)
{
    double us = (now_s() - t0) * 1e6;
    uint64_t u = us < 0 ? 0 : (uint64_t)us;
    uint64_t b = u / LAT_BUCKET_US;
    st->lat[b < LAT_BUCKETS ? b : LAT_BUCKETS - 1]++;
    st->lat_sum_us += u;
}

static void *run_full(struct worker *w)
{
    struct stats *st = &w->st;
    SSL_SESSION *sess = NULL;
    while (claim_op()) {
        double t0 = now_s();
        int fd = -1, keep;
        st->ops++;
        SSL *ssl = tls_open(st, sess, &fd);
        if (ssl == NULL)
            continue;
        int good = do_request(st, ssl, &keep, 0);
        if (good) {
            st->ok++;
            record_latency(st, t0);
        }
        if (opt.resume && good) {
            SSL_SESSION *s = SSL_get1_session(ssl);
            if (s) {
                SSL_SESSION_free(sess);
                sess = s;
            }
        }
        tls_close(ssl, fd, good);
    }
    SSL_SESSION_free(sess);
    return NULL;
}

static void *run_keepalive(struct worker *w)
{
    struct stats *st = &w->st;
    SSL *ssl = NULL;
    int fd = -1, served = 0;
    while (claim_op()) {
        double t0 = now_s();
        int keep = 0, good;
        st->ops++;
        for (;;) {
            if (ssl == NULL) {
                served = 0;
                ssl = tls_open(st, NULL, &fd);
                if (ssl == NULL) {
                    usleep(1000);   /* do not spin on a refusing server */
                    good = -2;
                    break;
                }
            }
            good = do_request(st, ssl, &keep, served > 0);
            if (good != -1)
                break;
            st->reopened++;     /* server closed an idle kept-alive connection */
            tls_close(ssl, fd, 0);
            ssl = NULL;
        }
        if (good == -2)
            continue;
        served++;
        if (good) {
            st->ok++;
            record_latency(st, t0);
        }
        if (!keep) {
            tls_close(ssl, fd, good);
            ssl = NULL;
        }
    }
    if (ssl)
        tls_close(ssl, fd, 1);
    return NULL;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    if (opt.mode == MODE_FULL)
        run_full(w);
    else
        run_keepalive(w);
    ERR_clear_error();
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: loadgen --port N [--cert FILE --key FILE] [options]\n"
        "  --host ADDR          IPv4 loopback address (default 127.0.0.1)\n"
        "  --port N             server port\n"
        "  --sni NAME           TLS server name (default localhost; \"\" for none)\n"
        "  --cert FILE          client certificate (PEM; more certs after it are sent as chain);\n"
        "                       without --cert/--key no certificate is presented\n"
        "  --key FILE           client private key (PEM; ECDSA or RSA)\n"
        "  --chain FILE         extra chain certificates to send (PEM)\n"
        "  --cafile FILE        verify the server against this CA (default: no verification)\n"
        "  --threads N          concurrent connections (default 8)\n"
        "  --seconds T          run for T seconds (default 10; also the bound with --count)\n"
        "  --count N            stop after N operations (connections or requests)\n"
        "  --mode full|keepalive  one handshake per request, or many requests per connection\n"
        "  --tls 1.2|1.3|any    protocol version (default 1.3)\n"
        "  --path /x            request path (default /)\n"
        "  --host-header H      Host header (default: the SNI name, else the address)\n"
        "  --resume             full mode: resume the previous session of the thread\n"
        "  --verbose            describe every failure on stderr, not just the first of each kind\n");
}

static int load_chain(const char *file)
{
    BIO *b = BIO_new_file(file, "r");
    if (b == NULL)
        return 0;
    int n = 0;
    X509 *x;
    while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (!SSL_CTX_add0_chain_cert(ctx, x)) {
            X509_free(x);
            BIO_free(b);
            return 0;
        }
        n++;
    }
    ERR_clear_error();
    BIO_free(b);
    return n > 0;
}

static double percentile(const uint32_t *lat, uint64_t total, double q)
{
    if (total == 0)
        return 0;
    uint64_t want = (uint64_t)(q * (double)total), acc = 0;
    if (want == 0)
        want = 1;
    for (int i = 0; i < LAT_BUCKETS; i++) {
        acc += lat[i];
        if (acc >= want)
            return (i + 0.5) * LAT_BUCKET_US;
    }
    return (double)LAT_BUCKETS * LAT_BUCKET_US;
}

static int parse_args(int argc, char **argv)
{
    static const struct option lo[] = {
        { "host", required_argument, NULL, 'h' },
        { "port", required_argument, NULL, 'p' },
        { "sni", required_argument, NULL, 's' },
        { "cert", required_argument, NULL, 'c' },
        { "key", required_argument, NULL, 'k' },
        { "chain", required_argument, NULL, 'C' },
        { "cafile", required_argument, NULL, 'A' },
        { "threads", required_argument, NULL, 't' },
        { "seconds", required_argument, NULL, 'T' },
        { "count", required_argument, NULL, 'n' },
        { "mode", required_argument, NULL, 'm' },
        { "tls", required_argument, NULL, 'V' },
        { "path", required_argument, NULL, 'P' },
        { "host-header", required_argument, NULL, 'H' },
        { "resume", no_argument, NULL, 'r' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, '?' },
        { NULL, 0, NULL, 0 }
    };
    char *ep;
    int c;

    opt.host = "127.0.0.1";
    opt.sni = "localhost";
    opt.threads = 8;
    opt.seconds = -1;
    opt.mode = MODE_FULL;
    opt.tls = TLS1_3_VERSION;
    opt.path = "/";
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'h': opt.host = optarg; break;
        case 'p':
            opt.port = (int)strtol(optarg, &ep, 10);
            if (*ep || opt.port < 1 || opt.port > 65535)
                return fprintf(stderr, "loadgen: bad --port %s\n", optarg), 0;
            break;
        case 's': opt.sni = optarg; break;
        case 'c': opt.cert = optarg; break;
        case 'k': opt.key = optarg; break;
        case 'C': opt.chain = optarg; break;
        case 'A': opt.cafile = optarg; break;
        case 't':
            opt.threads = (int)strtol(optarg, &ep, 10);
            if (*ep || opt.threads < 1 || opt.threads > MAX_THREADS)
                return fprintf(stderr, "loadgen: --threads must be 1..%d\n", MAX_THREADS), 0;
            break;
        case 'T':
            opt.seconds = strtod(optarg, &ep);
            if (*ep || !(opt.seconds > 0) || opt.seconds > MAX_SECONDS)
                return fprintf(stderr, "loadgen: --seconds must be in (0, %.0f]\n", MAX_SECONDS), 0;
            break;
        case 'n':
            opt.count = strtoll(optarg, &ep, 10);
            if (*ep || opt.count < 1)
                return fprintf(stderr, "loadgen: bad --count %s\n", optarg), 0;
            break;
        case 'm':
            if (strcmp(optarg, "full") == 0)
                opt.mode = MODE_FULL;
            else if (strcmp(optarg, "keepalive") == 0)
                opt.mode = MODE_KEEPALIVE;
            else
                return fprintf(stderr, "loadgen: --mode is full or keepalive\n"), 0;
            break;
        case 'V':
            if (strcmp(optarg, "1.2") == 0)
                opt.tls = TLS1_2_VERSION;
            else if (strcmp(optarg, "1.3") == 0)
                opt.tls = TLS1_3_VERSION;
            else if (strcmp(optarg, "any") == 0)
                opt.tls = 0;
            else
                return fprintf(stderr, "loadgen: --tls is 1.2, 1.3 or any\n"), 0;
            break;
        case 'P': opt.path = optarg; break;
        case 'H': opt.host_header = optarg; break;
        case 'r': opt.resume = 1; break;
        case 'v': opt.verbose = 1; break;
        default:
            usage(stderr);
            return 0;
        }
    }
    if (optind != argc || opt.port == 0 || !opt.cert != !opt.key) {
        usage(stderr);
        return 0;
    }
    if (opt.resume && opt.mode != MODE_FULL)
        return fprintf(stderr, "loadgen: --resume applies to --mode full only\n"), 0;
    if (opt.seconds < 0)
        opt.seconds = opt.count > 0 ? 600 : 10;
    if (opt.path[0] != '/' || strpbrk(opt.path, " \r\n"))
        return fprintf(stderr, "loadgen: --path must start with / and have no spaces\n"), 0;
    return 1;
}

int main(int argc, char **argv)
{
    if (!parse_args(argc, argv))
        return 1;

    memset(&target, 0, sizeof target);
    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)opt.port);
    if (inet_pton(AF_INET, opt.host, &target.sin_addr) != 1) {
        fprintf(stderr, "loadgen: --host must be an IPv4 address\n");
        return 1;
    }
    if ((ntohl(target.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "loadgen: refusing a non-loopback target %s\n", opt.host);
        return 1;
    }

    const char *hh = opt.host_header ? opt.host_header : (opt.sni && opt.sni[0] ? opt.sni : opt.host);
    int rl = snprintf(request, sizeof request,
                      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: cfaop-loadgen\r\n%s\r\n",
                      opt.path, hh, opt.mode == MODE_FULL ? "Connection: close\r\n" : "");
    if (rl < 0 || (size_t)rl >= sizeof request) {
        fprintf(stderr, "loadgen: request too long\n");
        return 1;
    }
    request_len = (size_t)rl;

    ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL)
        goto ssl_fail;
    if (opt.tls) {
        SSL_CTX_set_min_proto_version(ctx, opt.tls);
        SSL_CTX_set_max_proto_version(ctx, opt.tls);
    }
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* Resumption only on request, and then by hand per thread (no shared
     * client cache to lock). */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_info_callback(ctx, info_cb);
    if (opt.cert && SSL_CTX_use_certificate_chain_file(ctx, opt.cert) != 1) {
        fprintf(stderr, "loadgen: cannot load --cert %s\n", opt.cert);
        goto ssl_fail;
    }
    if (opt.key && (SSL_CTX_use_PrivateKey_file(ctx, opt.key, SSL_FILETYPE_PEM) != 1 ||
                    SSL_CTX_check_private_key(ctx) != 1)) {
        fprintf(stderr, "loadgen: cannot load --key %s (or it does not match the cert)\n", opt.key);
        goto ssl_fail;
    }
    if (opt.chain && !load_chain(opt.chain)) {
        fprintf(stderr, "loadgen: cannot load --chain %s\n", opt.chain);
        goto ssl_fail;
    }
    if (opt.cafile) {
        if (SSL_CTX_load_verify_locations(ctx, opt.cafile, NULL) != 1) {
            fprintf(stderr, "loadgen: cannot load --cafile %s\n", opt.cafile);
            goto ssl_fail;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }

    struct worker *w = calloc((size_t)opt.threads, sizeof *w);
    if (w == NULL) {
        fprintf(stderr, "loadgen: out of memory\n");
        return 1;
    }
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    clock_gettime(CLOCK_MONOTONIC, &t_start);
    deadline_s = opt.seconds;
    int started = 0;
    for (int i = 0; i < opt.threads; i++) {
        w[i].index = i;
        if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
            fprintf(stderr, "loadgen: cannot start thread %d\n", i);
            deadline_s = 0;
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++)
        pthread_join(w[i].tid, NULL);
    double wall = now_s();
    getrusage(RUSAGE_SELF, &ru1);

    struct stats *tot = calloc(1, sizeof *tot);
    if (tot == NULL)
        return 1;
    for (int i = 0; i < started; i++) {
        struct stats *s = &w[i].st;
        tot->ok += s->ok;
        tot->ops += s->ops;
        tot->conns += s->conns;
        tot->handshakes += s->handshakes;
        tot->resumed += s->resumed;
        tot->reopened += s->reopened;
        tot->bytes += s->bytes;
        tot->lat_sum_us += s->lat_sum_us;
        for (int k = 0; k < F_NKINDS; k++)
            tot->fail[k] += s->fail[k];
        for (int a = 0; a < 256; a++)
            tot->alerts[a] += s->alerts[a];
        for (int h = 0; h < 600; h++)
            tot->status[h] += s->status[h];
        for (int b = 0; b < LAT_BUCKETS; b++)
            tot->lat[b] += s->lat[b];
    }
    uint64_t failed = 0;
    for (int k = 0; k < F_NKINDS; k++)
        failed += tot->fail[k];

    double cpu_user = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                      (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6;
    double cpu_sys = (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                     (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    double share = wall > 0 ? (cpu_user + cpu_sys) / wall : 0;
    double rate = wall > 0 ? (double)tot->ok / wall : 0;
    const char *unit = opt.mode == MODE_FULL ? "conn/s" : "req/s";
    const char *tls = opt.tls == TLS1_2_VERSION ? "1.2" : opt.tls == TLS1_3_VERSION ? "1.3" : "any";
    double p50 = percentile(tot->lat, tot->ok, 0.50), p99 = percentile(tot->lat, tot->ok, 0.99);

    char alerts[1024] = "-", statuses[512] = "-";
    size_t ap = 0, sp = 0;
    for (int a = 0; a < 256; a++)
        if (tot->alerts[a] && ap < sizeof alerts - 32)
            ap += (size_t)snprintf(alerts + ap, sizeof alerts - ap, "%s%d:%llu", ap ? "," : "", a,
                                   (unsigned long long)tot->alerts[a]);
    for (int h = 0; h < 600; h++)
        if (tot->status[h] && sp < sizeof statuses - 32)
            sp += (size_t)snprintf(statuses + sp, sizeof statuses - sp, "%s%d:%llu", sp ? "," : "", h,
                                   (unsigned long long)tot->status[h]);

    printf("loadgen mode=%s tls=%s threads=%d resume=%d wall=%.3f ok=%llu failed=%llu ops=%llu"
           " conns=%llu handshakes=%llu resumed=%llu reopened=%llu rate=%.1f unit=%s"
           " f_connect=%llu f_handshake=%llu f_alert=%llu f_write=%llu f_read=%llu f_short=%llu"
           " f_status=%llu f_timeout=%llu f_proto=%llu alerts=%s statuses=%s"
           " lat_p50_us=%.0f lat_p99_us=%.0f lat_mean_us=%.0f"
           " cpu_user=%.3f cpu_sys=%.3f cpu_share=%.3f\n",
           opt.mode == MODE_FULL ? "full" : "keepalive", tls, opt.threads, opt.resume, wall,
           (unsigned long long)tot->ok, (unsigned long long)failed, (unsigned long long)tot->ops,
           (unsigned long long)tot->conns, (unsigned long long)tot->handshakes,
           (unsigned long long)tot->resumed, (unsigned long long)tot->reopened, rate, unit,
           (unsigned long long)tot->fail[F_CONNECT], (unsigned long long)tot->fail[F_HANDSHAKE],
           (unsigned long long)tot->fail[F_ALERT], (unsigned long long)tot->fail[F_WRITE],
           (unsigned long long)tot->fail[F_READ], (unsigned long long)tot->fail[F_SHORT],
           (unsigned long long)tot->fail[F_STATUS], (unsigned long long)tot->fail[F_TIMEOUT],
           (unsigned long long)tot->fail[F_PROTO], alerts, statuses,
           p50, p99, tot->ok ? (double)tot->lat_sum_us / (double)tot->ok : 0.0,
           cpu_user, cpu_sys, share);
    printf("# %s TLS %s, %d threads, %.2f s: %.1f %s, %llu ok, %llu failed", opt.mode == MODE_FULL ? "full" : "keepalive",
           tls, opt.threads, wall, rate, unit, (unsigned long long)tot->ok, (unsigned long long)failed);
    if (failed) {
        printf(" (");
        int first = 1;
        for (int k = 0; k < F_NKINDS; k++)
            if (tot->fail[k]) {
                printf("%s%s %llu", first ? "" : ", ", fail_name[k], (unsigned long long)tot->fail[k]);
                first = 0;
            }
        if (tot->fail[F_ALERT])
            printf("; alerts %s", alerts);
        if (tot->fail[F_STATUS])
            printf("; statuses %s", statuses);
        printf(")");
    }
    if (tot->reopened)
        printf(", %llu kept-alive connections closed by the server and reopened", (unsigned long long)tot->reopened);
    if (opt.resume)
        printf(", resumed %.1f%%", tot->handshakes ? 100.0 * (double)tot->resumed / (double)tot->handshakes : 0.0);
    printf(", latency p50 %.0f us p99 %.0f us, client CPU %.0f%% of one core\n", p50, p99, share * 100);

    int rc = tot->ok == 0 ? 3 : failed ? 2 : 0;
    free(tot);
    free(w);
    SSL_CTX_free(ctx);
    return rc;

ssl_fail:
    ERR_print_errors_fp(stderr);
    return 1;
}
