/* SPDX-License-Identifier: Apache-2.0 */
/* engine.h: one vhost's verification, compiled once from its merged
 * directives at configuration time: its policies, hostname lookup and checks. */
#ifndef CFAOP_ENGINE_H
#define CFAOP_ENGINE_H

#include <time.h>
#include <apr_pools.h>
#include <apr_tables.h>

#include "directive.h"
#include "hostmap.h"
#include "judge.h"
#include "pin.h"
#include "policy.h"
#include "serialset.h"

/* A file named by a directive, with where it was named, for messages. */
typedef struct {
    const char *path;
    const char *origin;                 /* "line N of httpd.conf" */
} cfaop_file_ref_t;

/* One CFAOPHostnameCA (or map line): its CA files, in the order given. */
typedef struct {
    const char *hostname;               /* normalized, e.g. "*.example.com" */
    apr_array_header_t *sets;           /* cfaop_anchor_set_t * */
    const char *key;                    /* identifies the CA file list, to share trust */
    int index;                          /* the order it was named in */
} cfaop_hostname_entry_t;

/* What a vhost's directives say, merged, with the defaults applied. */
typedef struct {
    const char *label;                  /* "host:port", for messages */
    cfaop_mode_t mode;                  /* On or ReportOnly */
    int depth;
    int host_check;
    int chain_cache;
    cfaop_cch_mode_t client_cert_headers;
    const cfaop_policy_t *client_ca;    /* NULL = none */
    const apr_array_header_t *trusted;  /* cfaop_anchor_set_t *, at least one */
    const cfaop_hostmap_t *hostmap;     /* -> cfaop_hostname_entry_t *; NULL = none */
    const apr_array_header_t *revocation_files; /* cfaop_file_ref_t; NULL = none */
    cfaop_serialset_t *deny;            /* frozen by the build; NULL = none */
    const cfaop_pinset_t *pins;         /* NULL = none */
} cfaop_engine_spec_t;

/* A vhost's compiled verification. Immutable once built, shared by every
 * child and thread: handshakes and requests only read it. */
typedef struct {
    cfaop_mode_t mode;
    int depth;
    int host_check;
    int chain_cache;
    cfaop_cch_mode_t client_cert_headers;
    const cfaop_policy_t *client_ca;
    const cfaop_policy_t *zone_policy;  /* CFAOPTrustedCA */
    const cfaop_hostmap_t *hosts;       /* hostname -> const cfaop_policy_t *, in the order
                                           the entries were named; NULL = none */
    cfaop_checks_t checks;              /* the CRLs may be shared with other vhosts */
    time_t crl_next_update;             /* earliest nextUpdate of its CRLs, 0 = none */
} cfaop_engine_t;

/* What one configuration pass loads once for all its vhosts. */
typedef struct cfaop_engine_pass cfaop_engine_pass_t;

/* Called once for each file the pass loads ("3 CRLs, 12 entries"). */
typedef void cfaop_engine_note_fn(void *baton, const char *directive, const char *path,
                                  const char *what);

/* pool holds the engines (the configuration's pool); scratch what is
 * needed only while building (the pass's temporary pool). */
cfaop_engine_pass_t *cfaop_engine_pass_create(apr_pool_t *pool, apr_pool_t *scratch,
                                              cfaop_engine_note_fn *note);

/* Compiles a vhost's spec. NULL and *out, or the whole log message, with
 * its id, of why the configuration cannot serve. A CRL file is read once
 * per pass and shared by every vhost whose anchors accept its CRLs' signers
 * (each vhost's anchors are checked as if it had read the file itself);
 * note_baton is handed to the note callback for the files this vhost is
 * the first to load. */
const char *cfaop_engine_build(cfaop_engine_pass_t *pass, const cfaop_engine_spec_t *spec,
                               void *note_baton, const cfaop_engine_t **out);

/* The policy a client-sent name (SNI or Host, any case; NULL for none)
 * selects: its hostname entry's, else the zone policy. NULL engine: NULL. */
const cfaop_policy_t *cfaop_engine_policy_for_name(const cfaop_engine_t *engine,
                                                   const char *name);

/* The policy of the hostname entry named index-th (cfaop_hostname_entry_t
 * index, from 0), for the status page's per-policy counters; NULL when
 * there is none (or no engine). */
const cfaop_policy_t *cfaop_engine_hostname_policy(const cfaop_engine_t *engine, int index);

#endif
