/* SPDX-License-Identifier: Apache-2.0 */
/* mod_cf_aop.c: the module's glue: directives, per-vhost configuration
 * create/merge, and hook registration. Decisions live in src/. */
#define CFAOP_DECLARES_MODULE
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "ap_provider.h"

#include <apr_hash.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "mod_cf_aop_private.h"
#include "src/anchors.h"
#include "src/ascii.h"
#include "src/builtin_ca.h"
#include "src/chaincache.h"
#include "src/denyfile.h"
#include "src/leg1_verify.h"
#include "src/serial.h"
#include "src/version.h"

static void *create_srv_cfg(apr_pool_t *p, server_rec *s)
{
    cfaop_srv_cfg *sc = apr_pcalloc(p, sizeof(*sc));

    sc->mode = CFAOP_MODE_UNSET;
    sc->client_cert_headers = CFAOP_CCH_UNSET;
    sc->depth = sc->host_check = sc->chain_cache = sc->remote_ip = CFAOP_UNSET;
    sc->trusted = sc->revocation_files = NULL;
    sc->hostmap = NULL;
    sc->client_ca = NULL;
    sc->deny = NULL;
    sc->deny_error = NULL;
    sc->pins = NULL;
    sc->server = s;
    return sc;
}

/* CA files named by many hostnames (or vhosts) are read once per
 * configuration: path -> cfaop_anchor_set_t *, in the configuration pool. */
static apr_hash_t *ca_file_cache;

#define MERGE_INT(field) mrg->field = (add->field != CFAOP_UNSET) ? add->field : base->field
#define MERGE_PTR(field) mrg->field = (add->field != NULL) ? add->field : base->field

static void *merge_srv_cfg(apr_pool_t *p, void *basev, void *addv)
{
    const cfaop_srv_cfg *base = basev, *add = addv;
    cfaop_srv_cfg *mrg = apr_pcalloc(p, sizeof(*mrg));

    MERGE_INT(mode);
    MERGE_INT(depth);
    MERGE_INT(host_check);
    MERGE_INT(chain_cache);
    MERGE_PTR(trusted);
    MERGE_PTR(hostmap);
    MERGE_INT(client_cert_headers);
    MERGE_PTR(client_ca);
    MERGE_PTR(pins);                    /* an allow-list: the vhost's narrows, never widens */
    MERGE_INT(remote_ip);
    /* Revocations only ever add up: a vhost's own never drops the main server's. */
    if (add->revocation_files && base->revocation_files)
        mrg->revocation_files = apr_array_append(p, base->revocation_files, add->revocation_files);
    else
        MERGE_PTR(revocation_files);
    /* The main server's set is complete once vhosts are merged: frozen and
     * referred to, not copied, or each vhost adding serials of its own held
     * a copy of the main server's. A failure fails the start (CFAOP0006). */
    mrg->deny_error = NULL;
    if (add->deny && base->deny) {
        const char *err;

        mrg->deny = cfaop_serialset_create(p);
        if ((err = cfaop_serialset_freeze(base->deny)) != NULL
            || (err = cfaop_serialset_include(mrg->deny, base->deny)) != NULL
            || (err = cfaop_serialset_add_all(mrg->deny, add->deny)) != NULL)
            mrg->deny_error = err;
    }
    else
        MERGE_PTR(deny);
    mrg->server = add->server;
    /* set at startup, per vhost, never inherited */
    mrg->engine = NULL;
    mrg->modssl_info_cb = NULL;
    mrg->status = NULL;
    return mrg;
}

/* Defaults are applied after every merge, so no vhost (nor the main server,
 * which is never merged) sees an UNSET field. */
static apr_status_t apply_defaults(apr_pool_t *pconf, server_rec *main_server)
{
    cfaop_anchor_set_t *builtin = NULL;     /* parsed once per configuration */
    server_rec *s;

    for (s = main_server; s; s = s->next) {
        cfaop_srv_cfg *sc = ap_get_module_config(s->module_config, &cf_aop_module);

        sc->server = s;
        if (sc->mode == CFAOP_MODE_UNSET)
            sc->mode = CFAOP_MODE_OFF;
        if (sc->depth == CFAOP_UNSET)
            sc->depth = 1;
        if (sc->host_check == CFAOP_UNSET)
            sc->host_check = 1;
        if (sc->chain_cache == CFAOP_UNSET)
            sc->chain_cache = 1;
        if (sc->client_cert_headers == CFAOP_CCH_UNSET)
            sc->client_cert_headers = CFAOP_CCH_STRIP;
        if (sc->remote_ip == CFAOP_UNSET)
            sc->remote_ip = 0;
        if (cfaop_active(sc) && sc->client_cert_headers == CFAOP_CCH_VERIFY && sc->client_ca == NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                         "CFAOP0005: CFAOPClientCertHeaders Verify on %s:%u needs CFAOPClientCA: "
                         "the CA that issues your end clients' certificates",
                         s->server_hostname, s->port);
            return APR_EGENERAL;
        }
        if (sc->trusted == NULL && cfaop_active(sc)) {
            if (builtin == NULL)
                builtin = apr_hash_get(ca_file_cache, CFAOP_BUILTIN_CA_NAME, APR_HASH_KEY_STRING);
            if (builtin == NULL) {
                const char *err = cfaop_anchor_set_load_pem(pconf, cfaop_builtin_ca_pem,
                                                            CFAOP_BUILTIN_CA_NAME, 1, &builtin);
                if (err != NULL) {
                    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                                 "CFAOP0003: the built-in Cloudflare CA does not load: %s", err);
                    return APR_EGENERAL;
                }
            }
            sc->trusted = apr_array_make(pconf, 1, sizeof(cfaop_anchor_set_t *));
            APR_ARRAY_PUSH(sc->trusted, cfaop_anchor_set_t *) = builtin;
        }
    }
    return APR_SUCCESS;
}

static const char *directive_error(cmd_parms *cmd, const char *id, const char *msg)
{
    return apr_psprintf(cmd->pool, "%s: %s: %s", id, cmd->cmd->name, msg);
}

/* Things to say once the configuration is complete, each text once
 * (however many vhosts, or passes of one vhost, gave it). */
typedef struct {
    server_rec *s;
    const char *text;
} loaded_note_t;

static void add_note(apr_array_header_t *notes, server_rec *s, const char *text)
{
    loaded_note_t *note;

    if (notes == NULL)
        return;
    note = apr_array_push(notes);
    note->s = s;
    note->text = apr_pstrdup(notes->pool, text);
}

static void log_notes(const apr_array_header_t *notes, int level, const char *prefix,
                      apr_pool_t *ptemp)
{
    apr_hash_t *said = apr_hash_make(ptemp);
    int i;

    for (i = 0; notes != NULL && i < notes->nelts; i++) {
        const loaded_note_t *note = &APR_ARRAY_IDX(notes, i, loaded_note_t);

        if (apr_hash_get(said, note->text, APR_HASH_KEY_STRING) != NULL)
            continue;
        apr_hash_set(said, note->text, APR_HASH_KEY_STRING, note);
        ap_log_error(APLOG_MARK, level, 0, note->s, "%s%s", prefix, note->text);
    }
}

/* What each file named by the configuration loaded, said once the
 * configuration is complete (CFAOP0031), so that every start and reload
 * shows in the error log which version of each list is in force.
 * configtest stays quiet about files that are fine. */
static apr_array_header_t *loaded_notes;    /* in pconf */

void cfaop_note_loaded(server_rec *s, const char *directive, const char *path, const char *what)
{
    if (loaded_notes != NULL)
        add_note(loaded_notes, s, apr_pstrcat(loaded_notes->pool, directive, " ", path, ": ",
                                              what, NULL));
}

static void log_loaded_notes(apr_pool_t *ptemp)
{
    log_notes(loaded_notes, APLOG_NOTICE, "CFAOP0031: ", ptemp);
}

/* Warnings about a directive's value, said with the other startup warnings
 * (once in configtest, once per start or reload), not from the directive
 * handler, which httpd runs on both startup passes. */
static apr_array_header_t *deferred_warnings;   /* loaded_note_t, in pconf */

static void defer_warning(server_rec *s, const char *text)
{
    add_note(deferred_warnings, s, text);
}

static void log_deferred_warnings(apr_pool_t *ptemp)
{
    log_notes(deferred_warnings, APLOG_WARNING, "", ptemp);
}

static int cfaop_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog; (void)ptemp;
    ca_file_cache = apr_hash_make(pconf);
    loaded_notes = apr_array_make(pconf, 8, sizeof(loaded_note_t));
    deferred_warnings = apr_array_make(pconf, 4, sizeof(loaded_note_t));
    return OK;
}

static cfaop_srv_cfg *vhost_cfg(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &cf_aop_module);
}

/* A file argument, relative to ServerRoot; NULL, or why it is no path. */
static const char *file_arg(cmd_parms *cmd, const char *arg, const char **path)
{
    if ((*path = ap_server_root_relative(cmd->pool, arg)) == NULL)
        return apr_pstrcat(cmd->pool, "invalid file path ", arg, NULL);
    return NULL;
}

/* Deny and hostname-map files that many vhosts name are read once per
 * configuration pass: "deny:PATH" -> deny_file_t, "map:PATH" -> lines.
 * Kept as userdata of pconf, which httpd clears before each pass. */
static apr_hash_t *list_files(cmd_parms *cmd)
{
    void *cache = NULL;

    apr_pool_userdata_get(&cache, "cfaop-list-files", cmd->pool);
    if (cache == NULL) {
        cache = apr_hash_make(cmd->pool);
        apr_pool_userdata_setn(cache, "cfaop-list-files", NULL, cmd->pool);
    }
    return cache;
}

/* "N thing" or "N things", for the CFAOP0031 notices. */
static const char *count_of(cmd_parms *cmd, apr_size_t n, const char *thing)
{
    return apr_psprintf(cmd->temp_pool, "%" APR_SIZE_T_FMT " %s%s", n, thing, n == 1 ? "" : "s");
}

/* Loads a CFAOPTrustedCA / hostname CA argument; NULL or an error message. */
static const char *load_anchor_set(cmd_parms *cmd, const char *arg, cfaop_anchor_set_t **set)
{
    const char *path, *err;
    int builtin = !cfaop_ascii_strcasecmp(arg, CFAOP_BUILTIN_CA_NAME);

    if (builtin)
        path = CFAOP_BUILTIN_CA_NAME;
    else if ((err = file_arg(cmd, arg, &path)) != NULL)
        return err;
    if ((*set = apr_hash_get(ca_file_cache, path, APR_HASH_KEY_STRING)) != NULL)
        return NULL;
    if (builtin)
        err = cfaop_anchor_set_load_pem(cmd->pool, cfaop_builtin_ca_pem,
                                        CFAOP_BUILTIN_CA_NAME, 1, set);
    else
        err = cfaop_anchor_set_load_file(cmd->pool, path, set);
    if (err != NULL)
        return err;
    if (!builtin)
        cfaop_note_loaded(cmd->server, strcmp(cmd->cmd->name, "CFAOPHostnameMap") ? cmd->cmd->name
                                       : "CFAOPHostnameMap CA file", path,
                          count_of(cmd, (apr_size_t)sk_X509_num((*set)->certs), "certificate"));
    apr_hash_set(ca_file_cache, path, APR_HASH_KEY_STRING, *set);
    return NULL;
}

/* Adds one hostname entry; origin says where it was written, for messages. */
static const char *add_hostname_entry(cmd_parms *cmd, cfaop_srv_cfg *sc, const char *hostname,
                                      const char *const *files, int nfiles, const char *origin)
{
    cfaop_hostname_entry_t *entry = apr_pcalloc(cmd->pool, sizeof(*entry));
    const char *err, *key = "";
    int i;

    if ((err = cfaop_hostname_normalize(cmd->pool, hostname, &entry->hostname)) != NULL)
        return err;
    entry->sets = apr_array_make(cmd->pool, nfiles, sizeof(cfaop_anchor_set_t *));
    for (i = 0; i < nfiles; i++) {
        cfaop_anchor_set_t *set;

        if ((err = load_anchor_set(cmd, files[i], &set)) != NULL)
            return err;
        APR_ARRAY_PUSH(entry->sets, cfaop_anchor_set_t *) = set;
        key = apr_pstrcat(cmd->temp_pool, key, set->source, "\n", NULL);
    }
    entry->key = apr_pstrdup(cmd->pool, key);
    if (sc->hostmap == NULL)
        sc->hostmap = cfaop_hostmap_create(cmd->pool);
    entry->index = cfaop_hostmap_count(sc->hostmap);
    return cfaop_hostmap_add(sc->hostmap, entry->hostname, origin, entry);
}

/* The directives whose one argument sets one int-sized field of the
 * vhost (the enums among them are int-sized, see below), as httpd's
 * ap_set_int_slot does: the keyword ones and CFAOPVerifyDepth. */
typedef struct {
    const cfaop_keywords_t *keywords;   /* NULL: a verify depth */
    apr_size_t offset;
} int_field_t;

#define INT_FIELD(name, keywords, field) \
    static int_field_t name = { keywords, offsetof(cfaop_srv_cfg, field) }
INT_FIELD(mode_field, &cfaop_mode_keywords, mode);
INT_FIELD(depth_field, NULL, depth);
INT_FIELD(host_check_field, &cfaop_on_off_keywords, host_check);
INT_FIELD(chain_cache_field, &cfaop_on_off_keywords, chain_cache);
INT_FIELD(cch_field, &cfaop_cch_keywords, client_cert_headers);
INT_FIELD(remote_ip_field, &cfaop_on_off_keywords, remote_ip);

/* Both enums have a negative member (UNSET), so they are ints. */
typedef char mode_is_int[sizeof(cfaop_mode_t) == sizeof(int) ? 1 : -1];
typedef char cch_is_int[sizeof(cfaop_cch_mode_t) == sizeof(int) ? 1 : -1];

static const char *set_int_field(cmd_parms *cmd, void *dummy, const char *arg)
{
    const int_field_t *f = cmd->info;
    int *field = (int *)((char *)vhost_cfg(cmd) + f->offset);
    const char *err = f->keywords ? cfaop_parse_keyword(f->keywords, arg, field)
                                  : cfaop_parse_depth(cmd->pool, arg, field);

    (void)dummy;
    return err ? directive_error(cmd, "CFAOP0001", err) : NULL;
}

static const char *add_trusted_ca(cmd_parms *cmd, void *dummy, const char *arg)
{
    cfaop_srv_cfg *sc = vhost_cfg(cmd);
    cfaop_anchor_set_t *set;
    const char *err;

    (void)dummy;
    if ((err = load_anchor_set(cmd, arg, &set)) != NULL)
        return directive_error(cmd, "CFAOP0002", err);
    if (sc->trusted == NULL)
        sc->trusted = apr_array_make(cmd->pool, 2, sizeof(cfaop_anchor_set_t *));
    APR_ARRAY_PUSH(sc->trusted, cfaop_anchor_set_t *) = set;
    return NULL;
}

static const char *add_hostname_ca(cmd_parms *cmd, void *dummy, int argc, char *const argv[])
{
    const char *err, *origin;

    (void)dummy;
    if (argc < 2)
        return directive_error(cmd, "CFAOP0004", "expected a hostname and at least one CA file");
    origin = apr_psprintf(cmd->pool, "line %d of %s", cmd->directive->line_num,
                          cmd->directive->filename);
    err = add_hostname_entry(cmd, vhost_cfg(cmd), argv[0], (const char *const *)argv + 1,
                             argc - 1, origin);
    return err ? directive_error(cmd, "CFAOP0004", err) : NULL;
}

static const char *add_hostname_map(cmd_parms *cmd, void *dummy, const char *arg)
{
    apr_hash_t *files = list_files(cmd);
    apr_array_header_t *lines;
    const char *path, *key, *err;
    int i;

    (void)dummy;
    if ((err = file_arg(cmd, arg, &path)) != NULL)
        return directive_error(cmd, "CFAOP0004", err);
    key = apr_pstrcat(cmd->temp_pool, "map:", path, NULL);
    if ((lines = apr_hash_get(files, key, APR_HASH_KEY_STRING)) == NULL) {
        if ((err = cfaop_hostmap_file_load(cmd->pool, path, &lines)) != NULL)
            return directive_error(cmd, "CFAOP0004", err);
        apr_hash_set(files, apr_pstrdup(cmd->pool, key), APR_HASH_KEY_STRING, lines);
        cfaop_note_loaded(cmd->server, cmd->cmd->name, path,
                          count_of(cmd, (apr_size_t)lines->nelts, "hostname"));
    }
    for (i = 0; i < lines->nelts; i++) {
        const cfaop_hostmap_line_t *line = &APR_ARRAY_IDX(lines, i, cfaop_hostmap_line_t);

        err = add_hostname_entry(cmd, vhost_cfg(cmd), line->hostname,
                                 (const char *const *)line->files->elts, line->files->nelts,
                                 line->origin);
        if (err != NULL)
            return directive_error(cmd, "CFAOP0004",
                                   apr_pstrcat(cmd->pool, line->origin, ": ", err, NULL));
    }
    return NULL;
}

static const char *set_client_ca(cmd_parms *cmd, void *dummy, const char *arg)
{
    const char *path, *err;

    (void)dummy;
    if ((err = file_arg(cmd, arg, &path)) != NULL
        || (err = cfaop_leg1_client_policy(cmd->pool, path, &vhost_cfg(cmd)->client_ca)) != NULL)
        return directive_error(cmd, "CFAOP0002", err);
    return NULL;
}

static const char *add_revocation_file(cmd_parms *cmd, void *dummy, const char *arg)
{
    cfaop_srv_cfg *sc = vhost_cfg(cmd);
    cfaop_file_ref_t *ref;
    const char *path, *err;

    (void)dummy;
    if ((err = file_arg(cmd, arg, &path)) != NULL)
        return directive_error(cmd, "CFAOP0006", err);
    /* Read here only to fail early on a missing file; its signatures are
     * checked against the vhost's final anchors once all is read. */
    if (access(path, R_OK) != 0)
        return directive_error(cmd, "CFAOP0006", apr_psprintf(cmd->pool, "cannot read %s", path));
    if (sc->revocation_files == NULL)
        sc->revocation_files = apr_array_make(cmd->pool, 2, sizeof(cfaop_file_ref_t));
    ref = apr_array_push(sc->revocation_files);
    ref->path = path;
    ref->origin = apr_psprintf(cmd->pool, "line %d of %s", cmd->directive->line_num,
                               cmd->directive->filename);
    return NULL;
}

/* The vhost's own deny set: its CFAOPDenySerial values, and the shared
 * sets of its CFAOPDenySerialFile files by reference. */
static cfaop_serialset_t *deny_set(cmd_parms *cmd, cfaop_srv_cfg *sc)
{
    if (sc->deny == NULL)
        sc->deny = cfaop_serialset_create(cmd->pool);
    return sc->deny;
}

static const char *add_deny_serial(cmd_parms *cmd, void *dummy, const char *arg)
{
    cfaop_serial_t serial;
    const char *err;

    (void)dummy;
    if ((err = cfaop_serial_parse(cmd->temp_pool, arg, &serial)) != NULL
        || (err = cfaop_serialset_add(deny_set(cmd, vhost_cfg(cmd)), &serial)) != NULL)
        return directive_error(cmd, "CFAOP0001", err);
    /* "1234": hex by the contract, but it may be a short decimal serial
     * copied from Cloudflare's API without its prefix. */
    if (cfaop_serial_ambiguous(arg, strlen(arg)))
        defer_warning(cmd->server, apr_psprintf(cmd->temp_pool,
                      "CFAOP0032: CFAOPDenySerial %s (%s:%d): digits only, without a prefix: "
                      "read as hexadecimal (0x%s). If it is a decimal serial_number from "
                      "Cloudflare's API, write dec:%s; to keep it hexadecimal and silence "
                      "this, write 0x%s", arg, cmd->directive->filename,
                      cmd->directive->line_num, arg, arg, arg));
    return NULL;
}

/* A deny file, loaded and frozen once per pass for every vhost naming it. */
typedef struct {
    cfaop_serialset_t *set;
    cfaop_denyfile_stats_t stats;
} deny_file_t;

static const char *add_deny_serial_file(cmd_parms *cmd, void *dummy, const char *arg)
{
    apr_hash_t *files = list_files(cmd);
    const char *path, *key, *err;
    deny_file_t *file;

    (void)dummy;
    if ((err = file_arg(cmd, arg, &path)) != NULL)
        return directive_error(cmd, "CFAOP0006", err);
    key = apr_pstrcat(cmd->temp_pool, "deny:", path, NULL);
    if ((file = apr_hash_get(files, key, APR_HASH_KEY_STRING)) == NULL) {
        file = apr_pcalloc(cmd->pool, sizeof(*file));
        file->set = cfaop_serialset_create(cmd->pool);
        if ((err = cfaop_denyfile_load_stats(cmd->temp_pool, path, file->set, &file->stats)) != NULL
            || (err = cfaop_serialset_freeze(file->set)) != NULL)
            return directive_error(cmd, "CFAOP0006", err);
        apr_hash_set(files, apr_pstrdup(cmd->pool, key), APR_HASH_KEY_STRING, file);
        cfaop_note_loaded(cmd->server, cmd->cmd->name, path,
                          count_of(cmd, file->stats.added, "serial"));
    }
    if ((err = cfaop_serialset_include(deny_set(cmd, vhost_cfg(cmd)), file->set)) != NULL)
        return directive_error(cmd, "CFAOP0006", err);
    cfaop_status_note_deny_file(cmd->server, path, file->stats.added);
    if (file->stats.ambiguous > 0)
        defer_warning(cmd->server, apr_psprintf(cmd->temp_pool,
                      "CFAOP0032: CFAOPDenySerialFile %s: %" APR_SIZE_T_FMT " serial%s of "
                      "digits only, without a prefix (the first at line %" APR_SIZE_T_FMT "): "
                      "read as hexadecimal. Write dec:<digits> for a decimal serial_number "
                      "from Cloudflare's API, or 0x<digits> to keep hexadecimal and silence this",
                      path, file->stats.ambiguous, file->stats.ambiguous == 1 ? "" : "s",
                      file->stats.first_ambiguous));
    return NULL;
}

static const char *add_pin(cmd_parms *cmd, void *dummy, const char *arg)
{
    cfaop_srv_cfg *sc = vhost_cfg(cmd);
    const char *err;

    (void)dummy;
    if (sc->pins == NULL)
        sc->pins = cfaop_pinset_create(cmd->pool);
    err = cmd->info ? cfaop_pinset_add_spki(sc->pins, arg) : cfaop_pinset_add_sha256(sc->pins, arg);
    return err ? directive_error(cmd, "CFAOP0001", err) : NULL;
}

static const command_rec cfaop_cmds[] = {
    AP_INIT_TAKE1("CFAOP", set_int_field, &mode_field, RSRC_CONF,
                  "On | Off | ReportOnly: verify Cloudflare's origin-pull client certificate "
                  "on this virtual host (" CFAOP_PRODUCT ")"),
    AP_INIT_ITERATE("CFAOPTrustedCA", add_trusted_ca, NULL, RSRC_CONF,
                    "'cloudflare' or a PEM file of CA certificates to trust (repeatable)"),
    AP_INIT_TAKE_ARGV("CFAOPHostnameCA", add_hostname_ca, NULL, RSRC_CONF,
                      "hostname ca-file [ca-file ...]: the CAs trusted when the TLS SNI is "
                      "this hostname"),
    AP_INIT_TAKE1("CFAOPHostnameMap", add_hostname_map, NULL, RSRC_CONF,
                  "A file of 'hostname ca-file [ca-file ...]' lines"),
    AP_INIT_TAKE1("CFAOPVerifyDepth", set_int_field, &depth_field, RSRC_CONF,
                  "Maximum chain depth, counted as SSLVerifyDepth (default 1)"),
    AP_INIT_TAKE1("CFAOPChainCache", set_int_field, &chain_cache_field, RSRC_CONF,
                  "On | Off: remember chains that passed, per worker thread (default On)"),
    AP_INIT_TAKE1("CFAOPHostCheck", set_int_field, &host_check_field, RSRC_CONF,
                  "On | Off: the request's Host must select the policy that verified the "
                  "connection"),
    AP_INIT_ITERATE("CFAOPRevocationFile", add_revocation_file, NULL, RSRC_CONF,
                    "PEM or DER file of CRLs issued by trusted CAs (repeatable)"),
    AP_INIT_ITERATE("CFAOPDenySerial", add_deny_serial, NULL, RSRC_CONF,
                    "Serial numbers to refuse (hex as OpenSSL prints them, or dec:<decimal>)"),
    AP_INIT_ITERATE("CFAOPDenySerialFile", add_deny_serial_file, NULL, RSRC_CONF,
                    "File of serial numbers to refuse, one a line (repeatable)"),
    AP_INIT_ITERATE("CFAOPPinSHA256", add_pin, NULL, RSRC_CONF,
                    "SHA-256 fingerprints (hex) of the only leaf certificates to accept"),
    AP_INIT_ITERATE("CFAOPPinSPKI", add_pin, (void *)1, RSRC_CONF,
                    "Base64 SHA-256 of the SubjectPublicKeyInfo of the only leaf keys to accept"),
    AP_INIT_TAKE1("CFAOPClientCA", set_client_ca, NULL, RSRC_CONF,
                  "PEM file of the CAs that issue end clients' certificates (for Verify)"),
    AP_INIT_TAKE1("CFAOPClientCertHeaders", set_int_field, &cch_field, RSRC_CONF,
                  "Strip | Trust | Verify | Off: what to do with the end client's "
                  "certificate headers"),
    AP_INIT_TAKE1("CFAOPRemoteIP", set_int_field, &remote_ip_field, RSRC_CONF,
                  "On | Off: on requests whose connection passed AOP, the client IP is CF-Connecting-IP"),
    { NULL }
};

static void note_engine_load(void *server, const char *directive, const char *path,
                             const char *what)
{
    cfaop_note_loaded(server, directive, path, what);
}

/* The vhost's CRL files, those it inherits from the main server named as
 * such: CFAOP0007 then says which vhost's anchors refuse the main server's
 * line, which names no vhost. */
static const apr_array_header_t *revocation_files(apr_pool_t *p, const cfaop_srv_cfg *main_sc,
                                                  const cfaop_srv_cfg *sc, const server_rec *s)
{
    apr_array_header_t *files;
    int i, j;

    if (sc == main_sc || sc->revocation_files == NULL || main_sc->revocation_files == NULL)
        return sc->revocation_files;
    files = apr_array_copy(p, sc->revocation_files);
    for (i = 0; i < files->nelts; i++) {
        cfaop_file_ref_t *ref = &APR_ARRAY_IDX(files, i, cfaop_file_ref_t);

        for (j = 0; j < main_sc->revocation_files->nelts; j++)
            if (ref->origin == APR_ARRAY_IDX(main_sc->revocation_files, j, cfaop_file_ref_t).origin) {
                ref->origin = apr_psprintf(p, "%s, in the main server, inherited by %s",
                                           ref->origin, cfaop_vhost_label(p, s));
                break;
            }
    }
    return files;
}

/* Each active vhost's merged directives compiled into its engine: what
 * serving uses, and what configtest checks. An error fails the start. */
static apr_status_t compile_engines(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *main_server)
{
    cfaop_engine_pass_t *pass = cfaop_engine_pass_create(pconf, ptemp, note_engine_load);
    const cfaop_srv_cfg *main_sc = ap_get_module_config(main_server->module_config, &cf_aop_module);
    server_rec *s;

    for (s = main_server; s; s = s->next) {
        cfaop_srv_cfg *sc = ap_get_module_config(s->module_config, &cf_aop_module);
        cfaop_engine_spec_t spec;
        const char *err;

        sc->engine = NULL;
        if (!cfaop_active(sc))
            continue;
        spec.label = apr_psprintf(ptemp, "%s:%d", s->server_hostname, s->port);
        if (sc->deny_error != NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "CFAOP0006: %s: the main server's "
                         "CFAOPDenySerial lists with the vhost's: %s", cfaop_vhost_label(ptemp, s),
                         sc->deny_error);
            return APR_EGENERAL;
        }
        spec.mode = sc->mode;
        spec.depth = sc->depth;
        spec.host_check = sc->host_check;
        spec.chain_cache = sc->chain_cache;
        spec.client_cert_headers = sc->client_cert_headers;
        spec.client_ca = sc->client_ca;
        spec.trusted = sc->trusted;
        spec.hostmap = sc->hostmap;
        spec.revocation_files = revocation_files(ptemp, main_sc, sc, s);
        spec.deny = sc->deny;
        spec.pins = sc->pins;
        if ((err = cfaop_engine_build(pass, &spec, s, &sc->engine)) != NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "%s", err);
            return APR_EGENERAL;
        }
    }
    return APR_SUCCESS;
}

static int cfaop_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    cfaop_chaincache_new_generation();
    if (apply_defaults(pconf, s) != APR_SUCCESS || compile_engines(pconf, ptemp, s) != APR_SUCCESS
        || cfaop_check_modssl_revocation(ptemp, s) != APR_SUCCESS
        || cfaop_check_runtime(ptemp, s) != APR_SUCCESS)
        return !OK;
    if (ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_CONFIG_TEST) {
        log_deferred_warnings(ptemp);
        cfaop_config_warnings(ptemp, s);
    }
    return OK;
}

static int cfaop_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf;
    (void)plog;
    /* The first of httpd's two startup passes only checks; warn once, on
     * the pass that serves, so the error log gets each warning once. */
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG) {
        /* The startup notice: the version and the OpenSSL in use now
         * (and the one built against, when they differ). */
        const char *built = OPENSSL_VERSION_TEXT, *running = OpenSSL_version(OPENSSL_VERSION);
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, "CFAOP0023: " CFAOP_PRODUCT " (%s%s%s) configured",
                     running, strcmp(built, running) ? ", built with " : "",
                     strcmp(built, running) ? built : "");
        log_loaded_notes(ptemp);
        log_deferred_warnings(ptemp);
        cfaop_config_warnings(ptemp, s);
    }
    return OK;
}

/* Worker threads free their cached chains as they exit; the thread that
 * ends the child (the serving one under prefork) is covered here. */
static apr_status_t release_chain_cache(void *unused)
{
    (void)unused;
    cfaop_chaincache_release_thread();
    return APR_SUCCESS;
}

static void cfaop_child_init(apr_pool_t *pchild, server_rec *s)
{
    (void)s;
    apr_pool_cleanup_register(pchild, NULL, release_chain_cache, apr_pool_cleanup_null);
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const after_ssl[] = { "mod_ssl.c", NULL };
    static const char *const after_remoteip[] = { "mod_remoteip.c", NULL };

    /* configuration: mod_cf_aop.c, then mod_cf_aop_tls.c, mod_cf_aop_startup.c */
    ap_hook_pre_config(cfaop_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_config(cfaop_tls_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(cfaop_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(cfaop_tls_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(cfaop_post_config, after_ssl, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(cfaop_startup_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(cfaop_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_monitor(cfaop_stale_crl_monitor, NULL, NULL, APR_HOOK_MIDDLE);
    /* mod_cf_aop_tls.c: mod_ssl's hooks for each vhost's TLS context and
     * each connection; the verdict filter sits just above mod_ssl's "SSL/TLS
     * Filter" (AP_FTYPE_CONNECTION + 5). */
    APR_OPTIONAL_HOOK(ssl, init_server, cfaop_tls_init_server, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ssl, pre_handshake, cfaop_tls_pre_handshake, NULL, NULL, APR_HOOK_MIDDLE);
    cfaop_verdict_filter_handle = ap_register_input_filter("cfaop_verdict", cfaop_verdict_filter,
                                                           NULL, AP_FTYPE_CONNECTION + 4);
    /* mod_cf_aop_request.c: FakeBasicAuth's guard right after mod_ssl's
     * check_authn, before any authentication provider; the decision first
     * of all post_read_request hooks. */
    ap_hook_check_authn(cfaop_fake_basic_auth_guard, after_ssl, NULL, APR_HOOK_FIRST,
                        AP_AUTH_INTERNAL_PER_CONF);
    cfaop_trailers_filter_handle = ap_register_input_filter(CFAOP_TRAILERS_FILTER,
                                                            cfaop_trailers_filter, NULL,
                                                            AP_FTYPE_CONTENT_SET);
    ap_hook_post_read_request(cfaop_post_read_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_access_checker(cfaop_report_verify_result, after_ssl, NULL, APR_HOOK_MIDDLE);
    ap_hook_fixups(cfaop_fix_client_verify_env, after_ssl, NULL, APR_HOOK_MIDDLE);
    ap_hook_expr_lookup(cfaop_expr_lookup, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_optional_fn_retrieve(cfaop_retrieve_optional_fns, NULL, NULL, APR_HOOK_MIDDLE);
    /* mod_cf_aop_authz.c */
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "cf-aop", AUTHZ_PROVIDER_VERSION,
                              &cfaop_authz_cf_aop, AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "cf-client-cert", AUTHZ_PROVIDER_VERSION,
                              &cfaop_authz_cf_client_cert, AP_AUTH_INTERNAL_PER_CONF);

    /* mod_cf_aop_remoteip.c (CFAOPRemoteIP): after the request decision and
     * after mod_remoteip, still among the first (docs/visitor-ip.md); its
     * warning is one of cfaop_config_warnings'. */
    ap_hook_post_read_request(cfaop_remoteip_post_read_request, after_remoteip, NULL, APR_HOOK_FIRST);

    /* the cf-aop-status handler and its counters (mod_cf_aop_status.c) */
    cfaop_register_status_hooks(p);
}

AP_DECLARE_MODULE(cf_aop) = {
    STANDARD20_MODULE_STUFF,
    NULL,                       /* per-directory config creator */
    NULL,                       /* dir config merger */
    create_srv_cfg,             /* server config creator */
    merge_srv_cfg,              /* server config merger */
    cfaop_cmds,                 /* command table */
    register_hooks,             /* set up other request processing hooks */
    AP_MODULE_FLAG_NONE
};
