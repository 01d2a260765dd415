/* SPDX-License-Identifier: Apache-2.0 */
/* probe_net.c: cfaop-probe's network side: --connect parsing, TCP connect
 * and TLS handshake under a deadline, one GET and its bounded response head. */
#define _GNU_SOURCE
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/x509.h>

/* TLS alert descriptions (RFC 8446 section 6.2 and RFC 5246), by number. */
const char *probe_alert_name(int code)
{
    switch (code) {
    case 0:   return "close_notify";
    case 10:  return "unexpected_message";
    case 20:  return "bad_record_mac";
    case 22:  return "record_overflow";
    case 40:  return "handshake_failure";
    case 42:  return "bad_certificate";
    case 43:  return "unsupported_certificate";
    case 44:  return "certificate_revoked";
    case 45:  return "certificate_expired";
    case 46:  return "certificate_unknown";
    case 47:  return "illegal_parameter";
    case 48:  return "unknown_ca";
    case 49:  return "access_denied";
    case 50:  return "decode_error";
    case 51:  return "decrypt_error";
    case 70:  return "protocol_version";
    case 71:  return "insufficient_security";
    case 80:  return "internal_error";
    case 86:  return "inappropriate_fallback";
    case 90:  return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default:  return NULL;
    }
}

/* ---- --connect ------------------------------------------------------- */

static int parse_port(const char *s, int *port)
{
    char *end;
    long v;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > 65535)
        return -1;
    *port = (int)v;
    return 0;
}

/* ADDR:PORT, [ADDR6]:PORT, or a name; PORT defaults to 443. */
int probe_parse_connect(const char *arg, probe_target *t, char *err, size_t errlen)
{
    char host[256];
    const char *port_s = NULL;
    size_t hlen;
    struct addrinfo hints, *res = NULL;
    int rc;

    memset(t, 0, sizeof(*t));
    if (strlen(arg) >= sizeof(t->text)) {
        snprintf(err, errlen, "--connect: too long");
        return -1;
    }
    strcpy(t->text, arg);
    if (arg[0] == '[') {
        const char *close = strchr(arg, ']');
        if (!close || (close[1] != '\0' && close[1] != ':')) {
            snprintf(err, errlen, "--connect: write an IPv6 address as [ADDRESS]:PORT");
            return -1;
        }
        hlen = (size_t)(close - arg - 1);
        if (hlen == 0 || hlen >= sizeof(host)) {
            snprintf(err, errlen, "--connect: no address between [ and ]");
            return -1;
        }
        memcpy(host, arg + 1, hlen);
        host[hlen] = '\0';
        if (close[1] == ':')
            port_s = close + 2;
    }
    else {
        const char *colon = strchr(arg, ':');
        if (colon && strchr(colon + 1, ':')) {
            snprintf(err, errlen, "--connect: write an IPv6 address as [ADDRESS]:PORT");
            return -1;
        }
        hlen = colon ? (size_t)(colon - arg) : strlen(arg);
        if (hlen == 0 || hlen >= sizeof(host)) {
            snprintf(err, errlen, "--connect: no address before the port");
            return -1;
        }
        memcpy(host, arg, hlen);
        host[hlen] = '\0';
        if (colon)
            port_s = colon + 1;
    }
    t->port = 443;
    if (port_s && parse_port(port_s, &t->port) != 0) {
        snprintf(err, errlen, "--connect: the port must be a number from 1 to 65535");
        return -1;
    }

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = arg[0] == '[' ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (arg[0] == '[')
        hints.ai_flags = AI_NUMERICHOST;
    rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || !res) {
        char esc[PROBE_PEER_MAX];
        probe_escape(esc, sizeof(esc), host, strlen(host), 0);
        snprintf(err, errlen, "--connect: cannot resolve %s: %s", esc, gai_strerror(rc));
        if (res)
            freeaddrinfo(res);
        return -1;
    }
    if (res->ai_addrlen > sizeof(t->ss)) {
        freeaddrinfo(res);
        snprintf(err, errlen, "--connect: unsupported address");
        return -1;
    }
    memcpy(&t->ss, res->ai_addr, res->ai_addrlen);
    t->sslen = (socklen_t)res->ai_addrlen;
    freeaddrinfo(res);
    if (t->ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&t->ss)->sin_addr, t->addr, sizeof(t->addr));
    else
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&t->ss)->sin6_addr, t->addr, sizeof(t->addr));
    return 0;
}

/* ---- time and waiting ------------------------------------------------ */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1: ready; 0: the deadline passed; -1: poll failed. */
static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        struct pollfd p = { .fd = fd, .events = events };
        long long left = deadline - now_ms();
        int rc;

        if (left <= 0)
            return 0;
        rc = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

static int tcp_connect(const probe_target *t, probe_attempt *a, long long deadline)
{
    struct sockaddr_storage ss = t->ss;
    int fd, soerr = 0;
    socklen_t len = sizeof(soerr);

    if (ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&ss)->sin_port = htons((unsigned short)a->port);
    else
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons((unsigned short)a->port);
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        a->tcp = TCP_ERROR;
        snprintf(a->error, sizeof(a->error), "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&ss, t->sslen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        soerr = errno;
    }
    else {
        int w = wait_fd(fd, POLLOUT, deadline);
        if (w == 0) {
            close(fd);
            a->tcp = TCP_TIMEOUT;
            snprintf(a->error, sizeof(a->error), "no answer to the TCP connection");
            return -1;
        }
        if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            soerr = errno;
    }
    if (soerr == 0)
        return fd;
    close(fd);
    a->tcp = soerr == ECONNREFUSED ? TCP_REFUSED : TCP_ERROR;
    snprintf(a->error, sizeof(a->error), "TCP connection: %s", strerror(soerr));
    return -1;
}

/* ---- OpenSSL callbacks ----------------------------------------------- */

static void info_cb(const SSL *ssl, int where, int ret)
{
    probe_attempt *a = SSL_get_app_data(ssl);

    if (!a)
        return;
    if ((where & SSL_CB_CONNECT_LOOP) && SSL_get_state(ssl) == TLS_ST_CR_CERT_REQ)
        a->cert_requested = 1;
    if ((where & SSL_CB_ALERT) && (where & SSL_CB_READ)) {
        int code = ret & 0xff;
        if (code != 0 && a->alert_rcvd < 0) {
            a->alert_rcvd = code;
            a->alert_rcvd_fatal = (ret >> 8) == 2;
        }
    }
}

/* Called when the server asks for a certificate and the attempt has none:
 * keep the CA names it advertised, and send no certificate. */
static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
    probe_attempt *a = SSL_get_app_data(ssl);
    const STACK_OF(X509_NAME) *names;
    int i, n;

    (void)x509;
    (void)pkey;
    if (!a)
        return 0;
    a->cert_requested = 1;
    if (!a->want_ca_names || a->ca_count > 0)
        return 0;
    names = SSL_get_client_CA_list(ssl);
    n = names ? sk_X509_NAME_num(names) : 0;
    a->ca_count = n;
    for (i = 0; i < n && i < PROBE_CA_NAMES_MAX; i++) {
        BIO *b = BIO_new(BIO_s_mem());
        char *data = NULL, esc[PROBE_PEER_MAX];
        long len;

        if (!b)
            break;
        X509_NAME_print_ex(b, sk_X509_NAME_value(names, i), 0, XN_FLAG_RFC2253);
        len = BIO_get_mem_data(b, &data);
        probe_escape(esc, sizeof(esc), data ? data : "", len > 0 ? (size_t)len : 0, 1);
        a->ca_names[i] = strdup(esc);
        BIO_free(b);
        if (!a->ca_names[i])
            break;
    }
    return 0;
}

/* ---- the attempt ----------------------------------------------------- */

/* Reads the response head into buf (at most PROBE_RESP_MAX - 1 bytes),
 * through TLS when ssl is set. */
static size_t read_head(probe_attempt *a, int fd, SSL *ssl, char *buf, long long deadline)
{
    size_t have = 0;

    while (have < PROBE_RESP_MAX - 1) {
        int n;

        if (ssl) {
            int e;
            ERR_clear_error();
            n = SSL_read(ssl, buf + have, (int)(PROBE_RESP_MAX - 1 - have));
            if (n > 0)
                goto got;
            e = SSL_get_error(ssl, n);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                int w = wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                if (w == 0) {
                    a->timed_out = 1;
                    break;
                }
                if (w < 0)
                    break;
                continue;
            }
            if (e == SSL_ERROR_SSL && a->alert_rcvd < 0 && !a->error[0]) {
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
                if (ERR_GET_REASON(ERR_peek_error()) != SSL_R_UNEXPECTED_EOF_WHILE_READING)
#endif
                    probe_ssl_errors(a->error, sizeof(a->error), "TLS read");
            }
            break;      /* close_notify, EOF, alert */
        }
        n = (int)read(fd, buf + have, PROBE_RESP_MAX - 1 - have);
        if (n > 0)
            goto got;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            int w = wait_fd(fd, POLLIN, deadline);
            if (w == 0) {
                a->timed_out = 1;
                break;
            }
            if (w < 0)
                break;
            continue;
        }
        break;
    got:
        have += (size_t)n;
        a->got_bytes = 1;
        buf[have] = '\0';
        if (memmem(buf, have, "\r\n\r\n", 4) || memmem(buf, have, "\n\n", 2))
            break;
    }
    buf[have] = '\0';
    return have;
}

static void parse_head(probe_attempt *a, const char *buf, size_t len)
{
    const char *p, *end;

    /* HTTP/d.d SP ddd */
    if (len < 12 || strncmp(buf, "HTTP/", 5) != 0 || buf[5] < '0' || buf[5] > '9'
        || buf[6] != '.' || buf[7] < '0' || buf[7] > '9' || buf[8] != ' '
        || buf[9] < '1' || buf[9] > '5' || buf[10] < '0' || buf[10] > '9'
        || buf[11] < '0' || buf[11] > '9')
        return;
    a->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
    end = buf + len;
    for (p = memchr(buf, '\n', len); p && p + 1 < end; p = memchr(p + 1, '\n', (size_t)(end - p - 1))) {
        const char *line = p + 1;
        if (*line == '\r' || *line == '\n')
            break;      /* end of the head */
        if ((size_t)(end - line) > 9 && strncasecmp(line, "Location:", 9) == 0) {
            const char *v = line + 9;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            if ((size_t)(end - v) >= 8 && strncasecmp(v, "https://", 8) == 0)
                a->location_https = 1;
        }
    }
}

/* Waits for the handshake (or any SSL call) to stop wanting I/O.
 * Returns SSL's return value; *e gets SSL_get_error's answer. */
static int ssl_drive(probe_attempt *a, int fd, SSL *ssl, int (*op)(SSL *),
                     long long deadline, int *e)
{
    for (;;) {
        int rc, w;

        ERR_clear_error();
        rc = op(ssl);
        if (rc == 1) {
            *e = SSL_ERROR_NONE;
            return rc;
        }
        *e = SSL_get_error(ssl, rc);
        if (*e != SSL_ERROR_WANT_READ && *e != SSL_ERROR_WANT_WRITE)
            return rc;
        w = wait_fd(fd, *e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
        if (w <= 0) {
            if (w == 0)
                a->timed_out = 1;
            return -1;
        }
    }
}

/* Writes all of req; 0 on success. */
static int send_all(probe_attempt *a, int fd, SSL *ssl, const char *req, size_t len,
                    long long deadline)
{
    size_t done = 0;

    while (done < len) {
        int n, w;

        if (ssl) {
            int e;
            ERR_clear_error();
            n = SSL_write(ssl, req + done, (int)(len - done));
            if (n > 0) {
                done += (size_t)n;
                continue;
            }
            e = SSL_get_error(ssl, n);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                return -1;
            w = wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
        }
        else {
            n = (int)send(fd, req + done, len - done, MSG_NOSIGNAL);
            if (n > 0) {
                done += (size_t)n;
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                return -1;
            w = wait_fd(fd, POLLOUT, deadline);
        }
        if (w == 0)
            a->timed_out = 1;
        if (w <= 0)
            return -1;
    }
    return 0;
}

void probe_attempt_run(const probe_target *t, probe_attempt *a, double timeout)
{
    long long deadline = now_ms() + (long long)(timeout * 1000.0);
    char req[2 * PROBE_NAME_MAX + 200];
    char *buf = NULL;
    SSL *ssl = NULL;
    int fd, e, n;
    size_t have;

    a->alert_rcvd = -1;
    a->tcp = TCP_OK;
    fd = tcp_connect(t, a, deadline);
    if (fd < 0)
        return;

    if (a->use_tls) {
        static const unsigned char alpn[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

        /* only called when the context has no certificate of its own */
        SSL_CTX_set_client_cert_cb(a->ctx, client_cert_cb);
        ssl = SSL_new(a->ctx);
        if (!ssl || !SSL_set_fd(ssl, fd)) {
            probe_ssl_errors(a->error, sizeof(a->error), "SSL_new");
            goto done;
        }
        SSL_set_app_data(ssl, a);
        SSL_set_info_callback(ssl, info_cb);
        if (a->sni && !SSL_set_tlsext_host_name(ssl, a->sni)) {
            probe_ssl_errors(a->error, sizeof(a->error), "SNI");
            goto done;
        }
        SSL_set_alpn_protos(ssl, alpn, sizeof(alpn));
        SSL_set_connect_state(ssl);
        ssl_drive(a, fd, ssl, SSL_do_handshake, deadline, &e);
        snprintf(a->version, sizeof(a->version), "%s", SSL_get_version(ssl));
        if (e != SSL_ERROR_NONE) {
            if (a->timed_out)
                snprintf(a->error, sizeof(a->error), "no end to the TLS handshake in time");
            else if (a->alert_rcvd < 0)
                probe_ssl_errors(a->error, sizeof(a->error), "TLS handshake");
            goto done;
        }
        a->handshake_done = 1;
    }

    n = snprintf(req, sizeof(req),
                 "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: cfaop-probe/" PROBE_VERSION
                 "\r\nAccept: */*\r\nConnection: close\r\n\r\n", a->host);
    if (n < 0 || (size_t)n >= sizeof(req)) {
        snprintf(a->error, sizeof(a->error), "request too long");
        goto done;
    }
    /* A refusal under TLS 1.3 can arrive as the answer to the request: a
     * write that fails (the server already closed) still gets a read. */
    send_all(a, fd, ssl, req, (size_t)n, deadline);
    buf = malloc(PROBE_RESP_MAX);
    if (!buf) {
        snprintf(a->error, sizeof(a->error), "out of memory");
        goto done;
    }
    have = read_head(a, fd, ssl, buf, deadline);
    parse_head(a, buf, have);

done:
    free(buf);
    if (ssl) {
        if (a->handshake_done && a->alert_rcvd < 0)
            SSL_shutdown(ssl);  /* best effort, non-blocking */
        SSL_free(ssl);
    }
    close(fd);
}

void probe_attempt_free(probe_attempt *a)
{
    int i;

    for (i = 0; i < PROBE_CA_NAMES_MAX; i++) {
        free(a->ca_names[i]);
        a->ca_names[i] = NULL;
    }
}

/* Whether the attempt got content: an HTTP response other than a refusal
 * (400, 403, 421, 426, 495, 496) or, over plain HTTP, a redirect to https. */
int probe_served(const probe_attempt *a)
{
    int s = a->status;

    if (s == 0)
        return 0;
    if (s == 400 || s == 403 || s == 421 || s == 426 || s == 495 || s == 496)
        return 0;
    if (!a->use_tls && s >= 300 && s < 400 && a->location_https)
        return 0;
    return 1;
}
