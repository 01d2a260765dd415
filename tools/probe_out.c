/* SPDX-License-Identifier: Apache-2.0 */
/* probe_out.c: cfaop-probe's output: escaping of peer bytes, the verdict
 * line with the table of checks, and the same as one JSON object. */
#include "probe.h"

#include <stdio.h>
#include <string.h>

#define CUT "..."

/* Printable ASCII only: a backslash as \\ (kept as it is with keep_bs, for
 * text that is escaped already, such as an RFC 2253 name), control and
 * non-ASCII bytes as \xNN; at most outlen - 1 bytes (and PROBE_PEER_MAX - 1),
 * a cut value ending in "...". Returns the length written. */
size_t probe_escape(char *out, size_t outlen, const char *in, size_t inlen, int keep_bs)
{
    static const char hex[] = "0123456789abcdef";
    size_t room, o = 0, i;

    if (outlen == 0)
        return 0;
    room = outlen - 1;
    if (room > PROBE_PEER_MAX - 1)
        room = PROBE_PEER_MAX - 1;
    for (i = 0; i < inlen; i++) {
        unsigned char c = (unsigned char)in[i];
        size_t need = c == '\\' && !keep_bs ? 2 : (c < 0x20 || c >= 0x7f) ? 4 : 1;

        /* keep room for the cut mark unless this is the last byte */
        if (o + need + (i + 1 < inlen ? sizeof(CUT) - 1 : 0) > room)
            break;
        if (need == 1)
            out[o++] = (char)c;
        else if (need == 2) {
            out[o++] = '\\';
            out[o++] = '\\';
        }
        else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0x0f];
        }
    }
    if (i < inlen && o + sizeof(CUT) - 1 <= room) {
        memcpy(out + o, CUT, sizeof(CUT) - 1);
        o += sizeof(CUT) - 1;
    }
    out[o] = '\0';
    return o;
}

static const char *ok_word(const probe_row *row)
{
    if (row->error)
        return "ERROR";
    return row->ok > 0 ? "yes" : row->ok == 0 ? "NO" : "-";
}

void probe_print_text(const probe_report *r)
{
    int w_name = 5, w_exp = 8, w_obs = 8, i;

    if (r->why[0])
        printf("%s: %s\n", r->verdict, r->why);
    else
        printf("%s\n", r->verdict);
    for (i = 0; i < r->nrows; i++) {
        int n;
        if ((n = (int)strlen(r->rows[i].name)) > w_name)
            w_name = n;
        if ((n = (int)strlen(r->rows[i].expected)) > w_exp)
            w_exp = n;
        if ((n = (int)strlen(r->rows[i].observed)) > w_obs)
            w_obs = n;
    }
    printf("\n%-*s  %-*s  %-*s  %s\n", w_name, "check", w_exp, "expected", w_obs, "observed", "ok");
    for (i = 0; i < r->nrows; i++) {
        const probe_row *row = &r->rows[i];
        printf("%-*s  %-*s  %-*s  %s\n", w_name, row->name, w_exp, row->expected,
               w_obs, row->observed, ok_word(row));
    }
    if (r->ca_count > 0) {
        printf("\nCA names the origin advertises (%d):\n", r->ca_count);
        for (i = 0; i < r->ca_kept; i++)
            printf("  %s\n", r->ca_names[i] ? r->ca_names[i] : "?");
        if (r->ca_kept < r->ca_count)
            printf("  ... %d more\n", r->ca_count - r->ca_kept);
    }
    printf("\ntarget %s port %d, SNI %s", r->target->addr, r->target->port, r->sni);
    if (r->other_host)
        printf(", other Host %s", r->other_host);
    printf(", %s, %ld ms\n", r->version[0] ? r->version : "TLS version unknown", r->elapsed_ms);
}

/* s is our own text or already escaped: JSON-escape what is left. */
static void json_str(const char *s)
{
    if (!s) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

void probe_print_json(const probe_report *r)
{
    int i;

    fputs("{\"verdict\":", stdout);
    json_str(r->verdict);
    printf(",\"locked\":%s,\"why\":", strcmp(r->verdict, "LOCKED") == 0 ? "true" : "false");
    json_str(r->why[0] ? r->why : NULL);
    fputs(",\"connect\":", stdout);
    json_str(r->target->text);
    fputs(",\"address\":", stdout);
    json_str(r->target->addr);
    printf(",\"port\":%d,\"sni\":", r->target->port);
    json_str(r->sni);
    fputs(",\"other_host\":", stdout);
    json_str(r->other_host);
    fputs(",\"tls_version\":", stdout);
    json_str(r->version[0] ? r->version : NULL);
    printf(",\"cert_requested\":%s,\"ca_count\":%d,\"ca_names\":[",
           r->cert_requested < 0 ? "null" : r->cert_requested ? "true" : "false", r->ca_count);
    for (i = 0; i < r->ca_kept; i++) {
        if (i)
            putchar(',');
        json_str(r->ca_names[i] ? r->ca_names[i] : "?");
    }
    fputs("],\"checks\":[", stdout);
    for (i = 0; i < r->nrows; i++) {
        const probe_row *row = &r->rows[i];
        if (i)
            putchar(',');
        fputs("{\"check\":", stdout);
        json_str(row->name);
        fputs(",\"expected\":", stdout);
        json_str(row->expected);
        fputs(",\"observed\":", stdout);
        json_str(row->observed);
        printf(",\"ok\":%s,\"error\":%s,\"port\":%d,\"http_status\":",
               row->ok > 0 ? "true" : row->ok == 0 ? "false" : "null",
               row->error ? "true" : "false", row->port);
        if (row->status)
            printf("%d", row->status);
        else
            fputs("null", stdout);
        fputs(",\"alert\":", stdout);
        json_str(row->alert >= 0 ? (probe_alert_name(row->alert) ? probe_alert_name(row->alert)
                                                                  : "unknown") : NULL);
        putchar('}');
    }
    printf("],\"elapsed_ms\":%ld}\n", r->elapsed_ms);
}
