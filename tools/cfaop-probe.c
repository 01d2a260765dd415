/* SPDX-License-Identifier: Apache-2.0 */
/* cfaop-probe.c: the command line, the checks run against the origin in
 * order, and the verdict (exit 0 locked, 1 not locked, 2 usage or connection). */
#include "probe.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#define EXIT_LOCKED     0
#define EXIT_NOT_LOCKED 1
#define EXIT_USAGE      2

static const char usage_text[] =
    "usage: cfaop-probe --connect ADDRESS[:PORT] --sni HOSTNAME [options]\n"
    "\n"
    "Checks from outside that an origin is locked to Cloudflare Authenticated\n"
    "Origin Pulls: it asks for a client certificate, refuses connections\n"
    "without one or with a self-signed one, and no other port serves the\n"
    "hostname without client authentication.\n"
    "\n"
    "  --connect ADDR[:PORT]  the origin: 203.0.113.7:443, [2001:db8::7]:443\n"
    "                         or a name (PORT defaults to 443)\n"
    "  --sni HOSTNAME         the SNI and Host Cloudflare sends (required)\n"
    "  --cert FILE            a client certificate the origin should accept\n"
    "                         (PEM, chain after the leaf)\n"
    "  --key FILE             its private key (PEM; default: in --cert)\n"
    "  --host HOSTNAME        a Host the certificate's policy does not cover:\n"
    "                         must get 421 (default: a random .invalid name,\n"
    "                         reported only)\n"
    "  --also PORT[,PORT...]  other ports to try without a certificate, over\n"
    "                         TLS and plain HTTP (up to 16)\n"
    "  --tls 1.2|1.3          only this TLS version (default: both)\n"
    "  --timeout SECONDS      per connection (default 5)\n"
    "  --json                 one JSON object instead of the table\n"
    "  --help, --version\n"
    "\n"
    "Exit status: 0 locked, 1 not locked, 2 usage or connection error.\n";

static void usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("cfaop-probe: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(cfaop-probe --help for the options)\n", stderr);
    exit(EXIT_USAGE);
}

/* A hostname we may put in SNI and Host: letters, digits, - . _ (and for a
 * Host also : [ ] of an address literal with a port). */
static int valid_name(const char *s, int host)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > PROBE_NAME_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-' || c == '.' || c == '_'
              || (host && (c == ':' || c == '[' || c == ']'))))
            return 0;
    }
    return 1;
}

static int parse_port_list(const char *arg, int *ports, int max)
{
    int n = 0;
    const char *p = arg;

    while (*p) {
        char *end;
        long v;

        if (*p < '0' || *p > '9')
            return -1;
        v = strtol(p, &end, 10);
        if (v < 1 || v > 65535 || (*end != ',' && *end != '\0') || n == max)
            return -1;
        ports[n++] = (int)v;
        p = *end == ',' ? end + 1 : end;
        if (*end == ',' && *p == '\0')
            return -1;
    }
    return n;
}

static void random_name(char *out, size_t len)
{
    unsigned char r[6];
    if (RAND_bytes(r, sizeof(r)) != 1)
        memset(r, 0x5a, sizeof(r));
    snprintf(out, len, "cfaop-probe-%02x%02x%02x%02x%02x%02x.invalid",
             r[0], r[1], r[2], r[3], r[4], r[5]);
}

static long long wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- rows ------------------------------------------------------------ */

static probe_row *row_new(probe_report *r, const char *name, const char *expected, int port)
{
    probe_row *row = &r->rows[r->nrows++];

    memset(row, 0, sizeof(*row));
    snprintf(row->name, sizeof(row->name), "%s", name);
    snprintf(row->expected, sizeof(row->expected), "%s", expected);
    row->port = port;
    row->alert = -1;
    row->ok = -1;
    return row;
}

static void row_set(probe_row *row, int ok, const char *fmt, ...)
{
    va_list ap;

    row->ok = ok;
    va_start(ap, fmt);
    vsnprintf(row->observed, sizeof(row->observed), fmt, ap);
    va_end(ap);
}

static const char *alert_text(int code)
{
    static char buf[32];
    const char *name = probe_alert_name(code);

    if (name)
        return name;
    snprintf(buf, sizeof(buf), "alert_%d", code);
    return buf;
}

/* Fills observed and ok for an attempt that should not be served.
 * closed_ok: a closed or silent port counts as not serving (--also). */
static void judge_refusal(probe_row *row, const probe_attempt *a, double timeout, int closed_ok)
{
    row->status = a->status;
    row->alert = a->alert_rcvd;
    if (a->tcp != TCP_OK) {
        if (closed_ok && a->tcp == TCP_REFUSED)
            row_set(row, 1, "port closed (connection refused)");
        else if (closed_ok && a->tcp == TCP_TIMEOUT)
            row_set(row, 1, "no answer within %g s (filtered)", timeout);
        else {
            row_set(row, -1, "%s", a->error);
            row->error = 1;
        }
    }
    else if (probe_served(a))
        row_set(row, 0, "served: HTTP %d", a->status);
    else if (a->status && !a->use_tls && a->location_https && a->status / 100 == 3)
        row_set(row, 1, "redirect to https: HTTP %d", a->status);
    else if (a->status)
        row_set(row, 1, "refused: HTTP %d", a->status);
    else if (a->alert_rcvd >= 0)
        row_set(row, 1, "refused %s: alert %s",
                a->handshake_done ? "after the handshake" : "in the handshake",
                alert_text(a->alert_rcvd));
    else if (a->use_tls && !a->handshake_done)
        row_set(row, 1, "no TLS session: %s", a->error[0] ? a->error : "handshake failed");
    else if (a->timed_out)
        row_set(row, 1, "no response within %g s", timeout);
    else if (a->got_bytes)
        row_set(row, 1, "answer is not HTTP");
    else
        row_set(row, 1, "closed without a response");
}

static void attempt_init(probe_attempt *a, int port, int use_tls, SSL_CTX *ctx,
                         const char *sni, const char *host)
{
    memset(a, 0, sizeof(*a));
    a->port = port;
    a->use_tls = use_tls;
    a->ctx = ctx;
    a->sni = sni;
    a->host = host;
}

/* ---- main ------------------------------------------------------------ */

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "connect", required_argument, NULL, 'c' },
        { "sni",     required_argument, NULL, 's' },
        { "cert",    required_argument, NULL, 'C' },
        { "key",     required_argument, NULL, 'K' },
        { "also",    required_argument, NULL, 'a' },
        { "json",    no_argument,       NULL, 'j' },
        { "timeout", required_argument, NULL, 't' },
        { "host",    required_argument, NULL, 'H' },
        { "tls",     required_argument, NULL, 'T' },
        { "help",    no_argument,       NULL, 'h' },
        { "version", no_argument,       NULL, 'V' },
        { NULL, 0, NULL, 0 }
    };
    const char *connect_arg = NULL, *sni = NULL, *cert = NULL, *key = NULL, *host_arg = NULL;
    int also[PROBE_ALSO_MAX], nalso = 0, json = 0, tls = 0, c, i, rc = EXIT_LOCKED;
    double timeout = 5.0;
    char err[512], other_host[80], other_sni[80];
    probe_target t;
    probe_report rep;
    probe_attempt first, a;
    SSL_CTX *ctx_none = NULL, *ctx_self = NULL, *ctx_cert = NULL;
    long long started;
    probe_row *row;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': connect_arg = optarg; break;
        case 's': sni = optarg; break;
        case 'C': cert = optarg; break;
        case 'K': key = optarg; break;
        case 'j': json = 1; break;
        case 'H': host_arg = optarg; break;
        case 'a':
            nalso = parse_port_list(optarg, also, PROBE_ALSO_MAX);
            if (nalso < 0)
                usage_error("--also: a comma-separated list of up to %d ports (1-65535)",
                            PROBE_ALSO_MAX);
            break;
        case 't': {
            char *end;
            timeout = strtod(optarg, &end);
            if (end == optarg || *end || !(timeout >= 0.1 && timeout <= 300))
                usage_error("--timeout: seconds, from 0.1 to 300");
            break;
        }
        case 'T':
            if (strcmp(optarg, "1.2") == 0)
                tls = 12;
            else if (strcmp(optarg, "1.3") == 0)
                tls = 13;
            else
                usage_error("--tls: 1.2 or 1.3");
            break;
        case 'h': fputs(usage_text, stdout); return 0;
        case 'V': printf("cfaop-probe %s (%s)\n", PROBE_VERSION, OpenSSL_version(OPENSSL_VERSION)); return 0;
        default: usage_error("unknown option");
        }
    }
    if (optind < argc)
        usage_error("unexpected argument");
    if (!connect_arg)
        usage_error("--connect is required");
    if (!sni)
        usage_error("--sni is required");
    if (!valid_name(sni, 0))
        usage_error("--sni: a hostname (letters, digits, '-', '.', '_'; at most %d)", PROBE_NAME_MAX);
    if (host_arg && !valid_name(host_arg, 1))
        usage_error("--host: a hostname (letters, digits, '-', '.', '_', ':', '[', ']')");
    if (key && !cert)
        usage_error("--key needs --cert");
    if (host_arg && !cert)
        usage_error("--host needs --cert (the 421 check runs over an accepted certificate)");
    if (cert && !key)
        key = cert;
    if (probe_parse_connect(connect_arg, &t, err, sizeof(err)) != 0)
        usage_error("%s", err);

    signal(SIGPIPE, SIG_IGN);
    random_name(other_sni, sizeof(other_sni));
    random_name(other_host, sizeof(other_host));

    if (!(ctx_none = probe_ctx_new(tls, err, sizeof(err)))
        || !(ctx_self = probe_ctx_new(tls, err, sizeof(err)))
        || probe_ctx_use_selfsigned(ctx_self, err, sizeof(err)) != 0
        || (cert && (!(ctx_cert = probe_ctx_new(tls, err, sizeof(err)))
                     || probe_ctx_use_files(ctx_cert, cert, key, err, sizeof(err)) != 0))) {
        SSL_CTX_free(ctx_none);
        SSL_CTX_free(ctx_self);
        SSL_CTX_free(ctx_cert);
        fprintf(stderr, "cfaop-probe: %s\n", err);
        return EXIT_USAGE;
    }

    memset(&rep, 0, sizeof(rep));
    rep.target = &t;
    rep.sni = sni;
    rep.other_host = cert ? (host_arg ? host_arg : other_host) : NULL;
    rep.cert_requested = -1;
    started = wall_ms();

    /* 1. No certificate: is one asked for, which CAs, and is the
     * connection refused? */
    attempt_init(&first, t.port, 1, ctx_none, sni, sni);
    first.want_ca_names = 1;
    probe_attempt_run(&t, &first, timeout);
    snprintf(rep.version, sizeof(rep.version), "%s", first.version);
    rep.ca_names = first.ca_names;
    rep.ca_count = first.ca_count;
    rep.ca_kept = first.ca_count < PROBE_CA_NAMES_MAX ? first.ca_count : PROBE_CA_NAMES_MAX;

    row = row_new(&rep, "cert-request", "CertificateRequest", t.port);
    if (first.tcp != TCP_OK) {
        row_set(row, -1, "%s", first.error);
        row->error = 1;
        goto verdict;
    }
    rep.cert_requested = first.cert_requested;
    if (first.cert_requested)
        row_set(row, 1, "received, %d CA name%s", first.ca_count, first.ca_count == 1 ? "" : "s");
    else if (first.handshake_done) {
        row_set(row, 0, "none");
        snprintf(row->why, sizeof(row->why), "the origin does not ask for a client certificate");
    }
    else {
        row_set(row, -1, "TLS handshake failed before any: %s",
                first.alert_rcvd >= 0 ? alert_text(first.alert_rcvd)
                : first.error[0] ? first.error : "no reason");
        row->error = 1;
        goto verdict;
    }

    row = row_new(&rep, "no-cert", "refused", t.port);
    judge_refusal(row, &first, timeout, 0);
    if (row->ok == 0)
        snprintf(row->why, sizeof(row->why),
                 "a connection without a client certificate is served (HTTP %d)", row->status);

    /* 2. A self-signed certificate made just now. */
    attempt_init(&a, t.port, 1, ctx_self, sni, sni);
    probe_attempt_run(&t, &a, timeout);
    row = row_new(&rep, "self-signed", "refused", t.port);
    judge_refusal(row, &a, timeout, 0);
    if (row->ok == 0)
        snprintf(row->why, sizeof(row->why),
                 "a self-signed client certificate is served (HTTP %d)", row->status);

    /* 3. Another SNI, no certificate, Host = the hostname: another vhost
     * of the address must not serve it. */
    attempt_init(&a, t.port, 1, ctx_none, other_sni, sni);
    probe_attempt_run(&t, &a, timeout);
    row = row_new(&rep, "other-sni", "refused", t.port);
    judge_refusal(row, &a, timeout, 0);
    if (row->ok == 0)
        snprintf(row->why, sizeof(row->why),
                 "%s is served without a client certificate over a handshake for another SNI (HTTP %d)",
                 sni, row->status);

    /* 4. The given certificate: accepted? */
    row = row_new(&rep, "given-cert", "accepted (HTTP response)", t.port);
    if (!ctx_cert) {
        row_set(row, -1, "not run: no --cert");
        row = row_new(&rep, "host-421", "HTTP 421 or info", t.port);
        row_set(row, -1, "not run: no --cert");
    }
    else {
        int accepted;

        attempt_init(&a, t.port, 1, ctx_cert, sni, sni);
        probe_attempt_run(&t, &a, timeout);
        accepted = a.status != 0;
        judge_refusal(row, &a, timeout, 0);
        if (!row->error) {
            if (accepted)
                row_set(row, 1, "accepted: HTTP %d", a.status);
            else {
                char obs[sizeof(row->observed)];
                snprintf(obs, sizeof(obs), "%s", row->observed);
                row_set(row, 0, "%s", obs);
                snprintf(row->why, sizeof(row->why),
                         "the given certificate is not accepted (%s), so the lock is not confirmed",
                         obs);
            }
        }

        /* 5. A Host outside the certificate's policy: 421. */
        row = row_new(&rep, "host-421", host_arg ? "HTTP 421" : "HTTP 421 or info", t.port);
        if (!accepted) {
            row_set(row, -1, "not run: the given certificate is not accepted");
        }
        else {
            attempt_init(&a, t.port, 1, ctx_cert, sni, rep.other_host);
            probe_attempt_run(&t, &a, timeout);
            judge_refusal(row, &a, timeout, 0);
            if (!row->error && a.status == 421)
                row_set(row, 1, "HTTP 421 for Host %s", rep.other_host);
            else if (row->ok == 0 && host_arg)
                snprintf(row->why, sizeof(row->why),
                         "Host %s, outside the certificate's policy, is served (HTTP %d)",
                         host_arg, row->status);
            else if (row->ok == 0)
                /* a random name falls back to the zone anchors: served where
                 * the connection's policy is the zone's too */
                row_set(row, -1, "served: HTTP %d (covered: zone-level policy or "
                        "CFAOPHostCheck Off)", a.status);
        }
    }

    /* 6. Other ports: TLS without a certificate, and plain HTTP. */
    for (i = 0; i < nalso; i++) {
        char name[32];
        int proto;

        for (proto = 1; proto >= 0; proto--) {
            snprintf(name, sizeof(name), "also:%d/%s", also[i], proto ? "tls" : "http");
            attempt_init(&a, also[i], proto, ctx_none, proto ? sni : NULL, sni);
            probe_attempt_run(&t, &a, timeout);
            row = row_new(&rep, name, "not served", also[i]);
            judge_refusal(row, &a, timeout, 1);
            if (row->ok == 0)
                snprintf(row->why, sizeof(row->why),
                         "port %d serves %s over %s without a client certificate (HTTP %d)",
                         also[i], sni, proto ? "TLS" : "plain HTTP", row->status);
        }
    }

verdict:
    rep.elapsed_ms = (long)(wall_ms() - started);
    rep.verdict = "LOCKED";
    for (i = 0; i < rep.nrows; i++) {
        probe_row *r = &rep.rows[i];
        size_t used = strlen(rep.why);

        if (r->ok == 0 && !r->error) {
            snprintf(rep.why + used, sizeof(rep.why) - used, "%s%s", used ? "; " : "", r->why);
            rep.verdict = "NOT LOCKED";
            rc = EXIT_NOT_LOCKED;
        }
    }
    if (rc == EXIT_LOCKED) {
        for (i = 0; i < rep.nrows; i++) {
            if (rep.rows[i].error) {
                rep.verdict = "ERROR";
                snprintf(rep.why, sizeof(rep.why), "%s: %s", rep.rows[i].name, rep.rows[i].observed);
                rc = EXIT_USAGE;
                break;
            }
        }
    }
    if (json)
        probe_print_json(&rep);
    else
        probe_print_text(&rep);

    probe_attempt_free(&first);
    SSL_CTX_free(ctx_none);
    SSL_CTX_free(ctx_self);
    SSL_CTX_free(ctx_cert);
    return rc;
}
