/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cf_aop_startup.c: what the configuration is checked for once it is
 * read (errors and warnings an admin sees in configtest), and the monitor
 * that repeats the stale-CRL warning. */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_main.h"
#include "mpm_common.h"

#include <apr_hash.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "mod_cf_aop_private.h"
#include "src/anchors.h"
#include "src/ascii.h"
#include "src/builtin_ca.h"
#include "src/crl.h"

#define CFAOP_EXPIRY_WARNING_DAYS 30


/* ---- startup checks ---------------------------------------------------- */

static int is_container(const ap_directive_t *d, const char *name)
{
    return d->directive[0] == '<' && !cfaop_ascii_strcasecmp(d->directive + 1, name);
}

const ap_directive_t *cfaop_find_vhost_node(const ap_directive_t *d, const server_rec *s)
{
    for (; d; d = d->next) {
        const ap_directive_t *found;
        if (is_container(d, "VirtualHost")) {
            if (s->defn_name && d->filename && !strcmp(d->filename, s->defn_name)
                && d->line_num == (int)s->defn_line_number)
                return d;
            continue;
        }
        if (d->first_child && (found = cfaop_find_vhost_node(d->first_child, s)) != NULL)
            return found;
    }
    return NULL;
}

/* The last value of a server-level directive in this scope (containers
 * other than VirtualHost, such as IfModule, are looked into). */
static const char *server_directive(const ap_directive_t *d, const char *name)
{
    const char *value = NULL, *inner;

    for (; d; d = d->next) {
        if (!cfaop_ascii_strcasecmp(d->directive, name))
            value = d->args;
        else if (d->first_child && !is_container(d, "VirtualHost")
                 && (inner = server_directive(d->first_child, name)) != NULL)
            value = inner;
    }
    return value;
}

/* The port a vhost listens on: ServerName's port is 0 unless written. */
static unsigned vhost_port(const server_rec *s)
{
    if (s->port != 0 || s->addrs == NULL)
        return s->port;
    return s->addrs->host_port;
}

const char *cfaop_vhost_label(apr_pool_t *p, const server_rec *s)
{
    unsigned port = vhost_port(s);

    /* <VirtualHost *> answers on every port: say so rather than ":0" */
    if (s->defn_name)
        return apr_psprintf(p, "virtual host %s:%s (%s:%u)", s->server_hostname,
                            port ? apr_psprintf(p, "%u", port) : "*",
                            s->defn_name, s->defn_line_number);
    return apr_psprintf(p, "main server %s", s->server_hostname);
}

/* Every mod_ssl client-verification directive used in this scope (for
 * the "ignored for AOP" warning), in configuration order. With top set,
 * VirtualHost containers are not looked into (the main server's scope). */
static void modssl_verify_directives(const ap_directive_t *d, int top,
                                     apr_array_header_t *found)
{
    static const char *const names[] = {
        "SSLVerifyClient", "SSLVerifyDepth", "SSLCACertificateFile",
        "SSLCACertificatePath", "SSLCADNRequestFile", "SSLCADNRequestPath", NULL
    };
    int i;

    for (; d; d = d->next) {
        for (i = 0; names[i]; i++)
            if (!cfaop_ascii_strcasecmp(d->directive, names[i]))
                APR_ARRAY_PUSH(found, const ap_directive_t *) = d;
        if (d->first_child && !(top && is_container(d, "VirtualHost")))
            modssl_verify_directives(d->first_child, top, found);
    }
}

/* The last use of a server-level directive in this scope, the one mod_ssl
 * keeps, with where it was written. */
static const ap_directive_t *last_directive(const ap_directive_t *d, const char *name, int top)
{
    const ap_directive_t *last = NULL, *inner;

    for (; d; d = d->next) {
        if (!cfaop_ascii_strcasecmp(d->directive, name))
            last = d;
        else if (d->first_child && !(top && is_container(d, "VirtualHost"))
                 && (inner = last_directive(d->first_child, name, top)) != NULL)
            last = inner;
    }
    return last;
}

/* What mod_ssl merges into a vhost: its own directive, else the main server's. */
const ap_directive_t *cfaop_effective_directive(const ap_directive_t *node, const char *name)
{
    const ap_directive_t *d = node ? last_directive(node->first_child, name, 0) : NULL;

    return d ? d : last_directive(ap_conftree, name, 1);
}

/* The first word of a directive's arguments, lower-cased ("chain" of
 * "chain no_crl_for_cert_ok"). */
static const char *first_word(apr_pool_t *p, const ap_directive_t *d)
{
    const char *args = d->args;
    char *word = ap_getword_conf(p, &args);
    char *c;

    for (c = word; *c; c++)
        *c = (char)cfaop_ascii_tolower((unsigned char)*c);
    return word;
}

static int refuse_revocation(server_rec *s, const char *label, const ap_directive_t *d,
                             const char *why)
{
    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                 "CFAOP0030: %s: %s %s (%s:%d) %s on a CFAOP vhost: the module verifies the "
                 "client certificate there and mod_ssl's revocation checks nothing, so a "
                 "certificate it revokes would be accepted. Use CFAOPRevocationFile with the "
                 "CRL instead, and remove the mod_ssl directive", label, d->directive, d->args,
                 d->filename, d->line_num, why);
    return 1;
}

apr_status_t cfaop_check_modssl_revocation(apr_pool_t *ptemp, server_rec *main_server)
{
    static const char *const crl_sources[] = { "SSLCARevocationFile", "SSLCARevocationPath", NULL };
    server_rec *s;
    int refused = 0, i;

    for (s = main_server; s; s = s->next) {
        const ap_directive_t *node, *check, *ocsp;
        const char *label;

        if (!cfaop_active(cfaop_srv(s)))
            continue;
        node = s->defn_name ? cfaop_find_vhost_node(ap_conftree, s) : NULL;
        label = cfaop_vhost_label(ptemp, s);
        /* mod_ssl reads a CRL only when SSLCARevocationCheck asks it to:
         * a file without the check was inert before the module too. */
        check = cfaop_effective_directive(node, "SSLCARevocationCheck");
        if (check != NULL && strcmp(first_word(ptemp, check), "none")) {
            int named = 0;
            for (i = 0; crl_sources[i]; i++) {
                const ap_directive_t *src = cfaop_effective_directive(node, crl_sources[i]);
                if (src != NULL)
                    named = refuse_revocation(s, label, src, apr_psprintf(ptemp,
                                              "with %s %s (%s:%d) has no effect", check->directive,
                                              check->args, check->filename, check->line_num));
            }
            if (!named)
                refuse_revocation(s, label, check, "has no effect");
            refused = 1;
        }
        ocsp = cfaop_effective_directive(node, "SSLOCSPEnable");
        if (ocsp != NULL && strcmp(first_word(ptemp, ocsp), "off"))
            refused = refuse_revocation(s, label, ocsp, "has no effect");
    }
    return refused ? APR_EGENERAL : APR_SUCCESS;
}

/* One warning per file, however many vhosts or hostnames list it. */
static void warn_expiring(server_rec *s, apr_pool_t *ptemp, apr_hash_t *warned,
                          const cfaop_anchor_set_t *set, const char *what, time_t now)
{
    int j;

    if (apr_hash_get(warned, set->source, APR_HASH_KEY_STRING))
        return;
    apr_hash_set(warned, set->source, APR_HASH_KEY_STRING, set);
    for (j = 0; j < sk_X509_num(set->certs); j++) {
        const char *why = cfaop_anchor_expiry_warning(ptemp, sk_X509_value(set->certs, j),
                                                      now, CFAOP_EXPIRY_WARNING_DAYS);
        if (why != NULL)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "CFAOP0012: %s %s: certificate %s",
                         what, set->source, why);
    }
}

/* The SHA-256 of the built-in Cloudflare CA, to recognise it when it is
 * given as a file (conf/cloudflare-origin-pull-ca.pem, or a copy of it
 * downloaded from Cloudflare): the same shared CA under another name. */
static int builtin_fingerprint(apr_pool_t *ptemp, unsigned char fp[EVP_MAX_MD_SIZE])
{
    cfaop_anchor_set_t *set;
    unsigned int len = 0;

    if (cfaop_anchor_set_load_pem(ptemp, cfaop_builtin_ca_pem, CFAOP_BUILTIN_CA_NAME, 1, &set) != NULL
        || sk_X509_num(set->certs) != 1
        || !X509_digest(sk_X509_value(set->certs, 0), EVP_sha256(), fp, &len)) {
        ERR_clear_error();
        return 0;
    }
    return 1;
}

/* A set that holds only the shared Cloudflare CA: the built-in one, or a
 * file whose every certificate is that CA. */
static int shared_cloudflare_only(const cfaop_anchor_set_t *set, const unsigned char *builtin_fp)
{
    unsigned char fp[EVP_MAX_MD_SIZE];
    unsigned int len;
    int k;

    if (set->builtin)
        return 1;
    if (builtin_fp == NULL || sk_X509_num(set->certs) == 0)
        return 0;
    for (k = 0; k < sk_X509_num(set->certs); k++) {
        if (!X509_digest(sk_X509_value(set->certs, k), EVP_sha256(), fp, &len) || len != 32
            || memcmp(fp, builtin_fp, 32) != 0) {
            ERR_clear_error();
            return 0;
        }
    }
    return 1;
}

apr_status_t cfaop_check_runtime(apr_pool_t *ptemp, server_rec *main_server)
{
    ap_version_t v;
    server_rec *s;

    for (s = main_server; s != NULL && !cfaop_active(cfaop_srv(s)); s = s->next)
        ;
    if (s == NULL)
        return APR_SUCCESS;
    ap_get_server_revision(&v);
    if (v.major < 2 || (v.major == 2 && (v.minor < 4 || (v.minor == 4 && v.patch < 30)))) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                     "CFAOP0024: %s has CFAOP %s, and this httpd is %d.%d.%d: mod_cf_aop needs "
                     "2.4.30 or later, whose mod_ssl runs the hooks every handshake relies on; "
                     "refusing to start", cfaop_vhost_label(ptemp, s),
                     cfaop_srv(s)->mode == CFAOP_MODE_ON ? "On" : "ReportOnly", v.major, v.minor, v.patch);
        return APR_EGENERAL;
    }
    if (!ap_find_linked_module("mod_ssl.c")) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                     "CFAOP0024: %s has CFAOP %s but mod_ssl is not loaded: no TLS handshake "
                     "can be verified, so every request would be refused. Load ssl_module "
                     "before cf_aop_module (a2enmod ssl); refusing to start", cfaop_vhost_label(ptemp, s),
                     cfaop_srv(s)->mode == CFAOP_MODE_ON ? "On" : "ReportOnly");
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

void cfaop_config_warnings(apr_pool_t *ptemp, server_rec *main_server)
{
    unsigned char builtin_fp[EVP_MAX_MD_SIZE];
    const unsigned char *have_builtin_fp = builtin_fingerprint(ptemp, builtin_fp) ? builtin_fp : NULL;
    const ap_directive_t *top = ap_conftree;
    const char *main_engine = server_directive(top, "SSLEngine");
    apr_array_header_t *main_verify = apr_array_make(ptemp, 4, sizeof(const ap_directive_t *));
    apr_hash_t *warned = apr_hash_make(ptemp);
    time_t now = time(NULL);
    server_rec *s;

    modssl_verify_directives(top, 1, main_verify);
    for (s = main_server; s; s = s->next) {
        const cfaop_srv_cfg *sc = cfaop_srv(s);
        const ap_directive_t *node;
        apr_array_header_t *verify;
        const char *engine, *label;
        int i, j, builtin_only = 1;
        const char *shared_file = NULL;     /* the shared CA given as a file */

        if (!cfaop_active(sc))
            continue;
        label = cfaop_vhost_label(ptemp, s);
        node = s->defn_name ? cfaop_find_vhost_node(top, s) : NULL;
        engine = node ? server_directive(node->first_child, "SSLEngine") : NULL;
        if (engine == NULL)
            engine = main_engine;
        if (engine == NULL || (cfaop_ascii_strcasecmp(engine, "on")
                                    && cfaop_ascii_strcasecmp(engine, "optional")))
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "CFAOP0010: %s has CFAOP %s but not SSLEngine on: no TLS "
                         "handshake can be verified there%s", label,
                         sc->mode == CFAOP_MODE_ON ? "On" : "ReportOnly",
                         sc->mode == CFAOP_MODE_ON ? ", so every request is refused (403)" : "");
        verify = apr_array_make(ptemp, 4, sizeof(const ap_directive_t *));
        if (node != NULL)
            modssl_verify_directives(node->first_child, 0, verify);
        /* the main server's, where the vhost does not set its own (mod_ssl's merge) */
        for (i = 0; i < main_verify->nelts; i++) {
            const ap_directive_t *d = APR_ARRAY_IDX(main_verify, i, const ap_directive_t *);
            if (node == NULL || last_directive(node->first_child, d->directive, 0) == NULL)
                APR_ARRAY_PUSH(verify, const ap_directive_t *) = d;
        }
        if (verify->nelts > 0) {
            const char *list = "";
            for (i = 0; i < verify->nelts; i++) {
                const ap_directive_t *d = APR_ARRAY_IDX(verify, i, const ap_directive_t *);
                list = apr_psprintf(ptemp, "%s%s%s (%s:%d)", list, i ? ", " : "",
                                    d->directive, d->filename, d->line_num);
            }
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "CFAOP0013: %s: %s %s ignored for AOP: CFAOP owns client "
                         "certificate verification there; use CFAOPTrustedCA and CFAOPVerifyDepth",
                         label, list, verify->nelts > 1 ? "are" : "is");
        }
        for (i = 0; i < sc->trusted->nelts; i++) {
            const cfaop_anchor_set_t *set = APR_ARRAY_IDX(sc->trusted, i, cfaop_anchor_set_t *);

            if (!shared_cloudflare_only(set, have_builtin_fp))
                builtin_only = 0;
            else if (!set->builtin && shared_file == NULL)
                shared_file = set->source;
            warn_expiring(s, ptemp, warned, set, "CFAOPTrustedCA", now);
        }
        if (sc->hostmap != NULL) {
            const apr_array_header_t *entries = cfaop_hostmap_values(sc->hostmap);

            for (i = 0; i < entries->nelts; i++) {
                const cfaop_hostname_entry_t *entry = APR_ARRAY_IDX(entries, i, cfaop_hostname_entry_t *);
                for (j = 0; j < entry->sets->nelts; j++)
                    warn_expiring(s, ptemp, warned,
                                  APR_ARRAY_IDX(entry->sets, j, cfaop_anchor_set_t *),
                                  "hostname CA file", now);
            }
        }
        if (sc->engine->checks.crls != NULL) {
            const apr_array_header_t *stale = cfaop_revocation_stale(sc->engine->checks.crls,
                                                                     ptemp, now);
            for (i = 0; i < stale->nelts; i++)
                ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                             "CFAOP0014: %s: %s", label,
                             APR_ARRAY_IDX(stale, i, const char *));
        }
        if (builtin_only)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "CFAOP0011: %s trusts only the shared Cloudflare origin-pull CA%s%s%s: any "
                         "Cloudflare customer's zone can reach it through Cloudflare. Upload your "
                         "own AOP certificate and trust its CA with CFAOPTrustedCA", label,
                         shared_file ? " (given as the file " : "", shared_file ? shared_file : "",
                         shared_file ? ")" : "");
    }
    cfaop_remoteip_config_warnings(ptemp, main_server);
}

/* A CRL past its nextUpdate is still applied (a stale list revokes more
 * than none); the parent says so at startup (CFAOP0014) and then at most
 * once an hour per vhost, from the MPM's monitor hook, so that neither the
 * number of children nor another vhost changes how often it is said. */
static apr_hash_t *stale_warned;        /* parent only: cfaop_srv_cfg * -> time_t */

int cfaop_stale_crl_monitor(apr_pool_t *p, server_rec *main_server)
{
    time_t now = time(NULL);
    server_rec *s;

    (void)p;
    if (stale_warned == NULL)
        return DECLINED;
    for (s = main_server; s; s = s->next) {
        const cfaop_srv_cfg *sc = cfaop_srv(s);
        time_t *last;

        if (!cfaop_active(sc) || sc->engine->crl_next_update == 0
            || now <= sc->engine->crl_next_update)
            continue;
        last = apr_hash_get(stale_warned, &sc, sizeof(sc));
        if (last == NULL) {
            /* startup already said it (CFAOP0014): the next word is due in an hour */
            last = apr_palloc(apr_hash_pool_get(stale_warned), sizeof(*last));
            *last = now;
            apr_hash_set(stale_warned, apr_pmemdup(apr_hash_pool_get(stale_warned), &sc, sizeof(sc)),
                         sizeof(sc), last);
            continue;
        }
        if (now - *last < 3600)
            continue;
        *last = now;
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "CFAOP0107: a CRL of %s:%u is past its nextUpdate; it is still applied. "
                     "Fetch a fresh one and run apachectl graceful", s->server_hostname, vhost_port(s));
    }
    return DECLINED;
}

int cfaop_startup_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                              server_rec *s)
{
    (void)plog; (void)ptemp; (void)s;
    stale_warned = apr_hash_make(pconf);    /* a new configuration starts the clock again */
    return OK;
}
