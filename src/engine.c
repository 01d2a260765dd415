/* SPDX-License-Identifier: Apache-2.0 */
/* engine.c: compiling a vhost's directives into its engine (policies,
 * hostname lookup, checks), with the CRL files of a pass loaded once. */
#include "engine.h"

#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "crl.h"

struct cfaop_engine_pass {
    apr_pool_t *pool;
    apr_pool_t *scratch;
    cfaop_engine_note_fn *note;
    apr_hash_t *anchor_stores;          /* anchors key -> X509_STORE *, in scratch */
    apr_hash_t *revocations;            /* anchors key, paths -> frozen cfaop_revocation_t * */
    apr_hash_t *crl_files;              /* path -> frozen cfaop_revocation_t *, as first loaded */
};

cfaop_engine_pass_t *cfaop_engine_pass_create(apr_pool_t *pool, apr_pool_t *scratch,
                                              cfaop_engine_note_fn *note)
{
    cfaop_engine_pass_t *pass = apr_pcalloc(pool, sizeof(*pass));

    pass->pool = pool;
    pass->scratch = scratch;
    pass->note = note;
    pass->anchor_stores = apr_hash_make(scratch);
    pass->revocations = apr_hash_make(scratch);
    pass->crl_files = apr_hash_make(scratch);
    return pass;
}

/* ---- policies ---------------------------------------------------------- */

/* One trust store per distinct list of CA files, shared by every hostname
 * naming that list; each hostname gets its own named policy over it. */
static const char *build_hosts(apr_pool_t *p, const cfaop_engine_spec_t *spec,
                               cfaop_engine_t *engine)
{
    const apr_array_header_t *entries = cfaop_hostmap_values(spec->hostmap);
    apr_hash_t *trust_by_key = apr_hash_make(p);
    cfaop_hostmap_t *hosts = cfaop_hostmap_create(p);
    int i;

    for (i = 0; i < entries->nelts; i++) {
        const cfaop_hostname_entry_t *entry = APR_ARRAY_IDX(entries, i, cfaop_hostname_entry_t *);
        const char *name = apr_pstrcat(p, "hostname:", entry->hostname, NULL), *err = NULL;
        cfaop_policy_t *trust = apr_hash_get(trust_by_key, entry->key, APR_HASH_KEY_STRING);
        cfaop_policy_t *policy;

        if (trust != NULL) {
            policy = cfaop_policy_alias(p, trust, name);
        }
        else {
            policy = cfaop_policy_create(p, name, (const cfaop_anchor_set_t *const *)entry->sets->elts,
                                         entry->sets->nelts, spec->depth, &err);
            if (policy == NULL)
                return apr_psprintf(p, "CFAOP0020: %s: cannot build the trust policy for %s: %s",
                                    spec->label, entry->hostname, err);
            apr_hash_set(trust_by_key, entry->key, APR_HASH_KEY_STRING, policy);
        }
        if ((err = cfaop_hostmap_add(hosts, entry->hostname, entry->hostname, policy)) != NULL)
            return apr_psprintf(p, "CFAOP0020: %s: %s", spec->label, err);
    }
    engine->hosts = hosts;
    return NULL;
}

static const char *build_policies(apr_pool_t *p, const cfaop_engine_spec_t *spec,
                                  cfaop_engine_t *engine)
{
    const char *err = NULL;

    engine->zone_policy = cfaop_policy_create(p, "zone",
                                              (const cfaop_anchor_set_t *const *)spec->trusted->elts,
                                              spec->trusted->nelts, spec->depth, &err);
    if (engine->zone_policy == NULL)
        return apr_psprintf(p, "CFAOP0020: %s: cannot build the trust policy: %s", spec->label, err);
    return spec->hostmap != NULL ? build_hosts(p, spec, engine) : NULL;
}

const cfaop_policy_t *cfaop_engine_policy_for_name(const cfaop_engine_t *engine,
                                                   const char *name)
{
    const cfaop_policy_t *policy;

    if (engine == NULL)
        return NULL;
    if (name != NULL && engine->hosts != NULL
        && (policy = cfaop_hostmap_lookup(engine->hosts, name, NULL)) != NULL)
        return policy;
    return engine->zone_policy;
}

const cfaop_policy_t *cfaop_engine_hostname_policy(const cfaop_engine_t *engine, int index)
{
    const apr_array_header_t *policies;

    if (engine == NULL || engine->hosts == NULL)
        return NULL;
    policies = cfaop_hostmap_values(engine->hosts);
    return index >= 0 && index < policies->nelts
           ? APR_ARRAY_IDX(policies, index, const cfaop_policy_t *) : NULL;
}

/* ---- CRLs -------------------------------------------------------------- */

static apr_status_t free_store(void *store)
{
    X509_STORE_free(store);
    return APR_SUCCESS;
}

static void add_set(X509_STORE *store, const cfaop_anchor_set_t *set, const char **key,
                    apr_pool_t *p)
{
    int k;

    for (k = 0; k < sk_X509_num(set->certs); k++)
        X509_STORE_add_cert(store, sk_X509_value(set->certs, k));
    *key = apr_psprintf(p, "%s%pp,", *key, (const void *)set);
}

/* Every anchor a vhost trusts (zone and hostnames), to check CRL
 * signatures, and a key that names exactly those anchor sets: vhosts with
 * the same key check a CRL file the same way. */
static X509_STORE *anchor_store(cfaop_engine_pass_t *pass, const cfaop_engine_spec_t *spec,
                                const char **key)
{
    X509_STORE *store = X509_STORE_new(), *known;
    int i, j;

    *key = "";
    if (store == NULL)
        return NULL;
    apr_pool_cleanup_register(pass->scratch, store, free_store, apr_pool_cleanup_null);
    for (i = 0; i < spec->trusted->nelts; i++)
        add_set(store, APR_ARRAY_IDX(spec->trusted, i, cfaop_anchor_set_t *), key, pass->scratch);
    if (spec->hostmap != NULL) {
        const apr_array_header_t *entries = cfaop_hostmap_values(spec->hostmap);
        for (i = 0; i < entries->nelts; i++) {
            const cfaop_hostname_entry_t *entry = APR_ARRAY_IDX(entries, i, cfaop_hostname_entry_t *);
            for (j = 0; j < entry->sets->nelts; j++)
                add_set(store, APR_ARRAY_IDX(entry->sets, j, cfaop_anchor_set_t *), key,
                        pass->scratch);
        }
    }
    ERR_clear_error();
    if ((known = apr_hash_get(pass->anchor_stores, *key, APR_HASH_KEY_STRING)) != NULL)
        return known;
    apr_hash_set(pass->anchor_stores, *key, APR_HASH_KEY_STRING, store);
    return store;
}

/* One file, checked against the anchors of key. It is read at its first
 * use in the pass; a vhost with other anchors shares what was read when its
 * anchors accept every CRL's signer, and reads the file against its own
 * otherwise (which gives the message a vhost of its own would get). */
static const char *file_revocation(cfaop_engine_pass_t *pass, const cfaop_file_ref_t *ref,
                                   X509_STORE *anchors, const char *anchors_key,
                                   void *note_baton, cfaop_revocation_t **out)
{
    const char *key = apr_pstrcat(pass->scratch, anchors_key, "\n", ref->path, NULL), *err;
    cfaop_revocation_t *crls = apr_hash_get(pass->revocations, key, APR_HASH_KEY_STRING);
    const apr_array_header_t *infos;
    apr_size_t entries = 0;
    int k;

    if ((*out = crls) != NULL)
        return NULL;
    crls = apr_hash_get(pass->crl_files, ref->path, APR_HASH_KEY_STRING);
    if (crls != NULL && anchors != NULL && cfaop_revocation_accepted_by(crls, anchors)) {
        apr_hash_set(pass->revocations, key, APR_HASH_KEY_STRING, crls);
        *out = crls;
        return NULL;
    }
    crls = cfaop_revocation_create(pass->pool);
    if (anchors == NULL || (err = cfaop_revocation_load_file(crls, ref->path, anchors)) != NULL)
        return apr_psprintf(pass->pool, "CFAOP0007: CFAOPRevocationFile (%s): %s", ref->origin,
                            anchors ? err : "out of memory");
    if ((err = cfaop_revocation_freeze(crls)) != NULL)
        return apr_psprintf(pass->pool, "CFAOP0007: CFAOPRevocationFile: %s", err);
    infos = cfaop_revocation_crls(crls);
    for (k = 0; k < infos->nelts; k++)
        entries += APR_ARRAY_IDX(infos, k, cfaop_crl_info_t).entries;
    if (pass->note != NULL)
        pass->note(note_baton, "CFAOPRevocationFile", ref->path,
                   apr_psprintf(pass->scratch, "%d CRL%s, %" APR_SIZE_T_FMT " entr%s",
                                infos->nelts, infos->nelts == 1 ? "" : "s",
                                entries, entries == 1 ? "y" : "ies"));
    apr_hash_set(pass->revocations, key, APR_HASH_KEY_STRING, crls);
    if (apr_hash_get(pass->crl_files, ref->path, APR_HASH_KEY_STRING) == NULL)
        apr_hash_set(pass->crl_files, ref->path, APR_HASH_KEY_STRING, crls);
    *out = crls;
    return NULL;
}

/* The files, each path once: a file of the main server's that the vhost
 * names again is one file, not its CRLs twice (CFAOP0014 said each twice). */
static const apr_array_header_t *distinct_files(apr_pool_t *p, const apr_array_header_t *files)
{
    apr_array_header_t *out = apr_array_make(p, files->nelts, sizeof(cfaop_file_ref_t));
    int i, j;

    for (i = 0; i < files->nelts; i++) {
        const cfaop_file_ref_t *ref = &APR_ARRAY_IDX(files, i, cfaop_file_ref_t);

        for (j = 0; j < out->nelts; j++)
            if (strcmp(APR_ARRAY_IDX(out, j, cfaop_file_ref_t).path, ref->path) == 0)
                break;
        if (j == out->nelts)
            APR_ARRAY_PUSH(out, cfaop_file_ref_t) = *ref;
    }
    return out;
}

/* The vhost's CRLs: one file's index as it is, several combined (once per
 * pass for each list of files). */
static const char *build_revocation(cfaop_engine_pass_t *pass, const cfaop_engine_spec_t *spec,
                                    void *note_baton, cfaop_engine_t *engine)
{
    const apr_array_header_t *files = distinct_files(pass->scratch, spec->revocation_files);
    const char *anchors_key, *key, *err;
    X509_STORE *anchors = anchor_store(pass, spec, &anchors_key);
    cfaop_revocation_t *part = NULL, *all;
    int i;

    key = anchors_key;
    for (i = 0; i < files->nelts; i++)
        key = apr_pstrcat(pass->scratch, key, "\n", APR_ARRAY_IDX(files, i, cfaop_file_ref_t).path,
                          NULL);
    if ((all = apr_hash_get(pass->revocations, key, APR_HASH_KEY_STRING)) == NULL) {
        for (i = 0; i < files->nelts; i++) {
            if ((err = file_revocation(pass, &APR_ARRAY_IDX(files, i, cfaop_file_ref_t), anchors,
                                       anchors_key, note_baton, &part)) != NULL)
                return err;
            if (files->nelts == 1) {
                all = part;
                break;
            }
            if (all == NULL)
                all = cfaop_revocation_create(pass->pool);
            if ((err = cfaop_revocation_add_all(all, part)) != NULL)
                return apr_psprintf(pass->pool, "CFAOP0007: CFAOPRevocationFile: %s", err);
        }
        if (all != NULL && (err = cfaop_revocation_freeze(all)) != NULL)
            return apr_psprintf(pass->pool, "CFAOP0007: CFAOPRevocationFile: %s", err);
        apr_hash_set(pass->revocations, key, APR_HASH_KEY_STRING, all);
    }
    engine->checks.crls = all;
    engine->crl_next_update = all != NULL ? cfaop_revocation_next_update(all) : 0;
    return NULL;
}

/* ---- the engine -------------------------------------------------------- */

const char *cfaop_engine_build(cfaop_engine_pass_t *pass, const cfaop_engine_spec_t *spec,
                               void *note_baton, const cfaop_engine_t **out)
{
    cfaop_engine_t *engine = apr_pcalloc(pass->pool, sizeof(*engine));
    const char *err;

    *out = NULL;
    engine->mode = spec->mode;
    engine->depth = spec->depth;
    engine->host_check = spec->host_check;
    engine->chain_cache = spec->chain_cache;
    engine->client_cert_headers = spec->client_cert_headers;
    engine->client_ca = spec->client_ca;
    if (spec->deny != NULL) {
        if ((err = cfaop_serialset_freeze(spec->deny)) != NULL)
            return apr_psprintf(pass->pool, "CFAOP0006: CFAOPDenySerial: %s", err);
        engine->checks.deny = spec->deny;
    }
    if (spec->pins != NULL
        && (cfaop_pinset_count_sha256(spec->pins) || cfaop_pinset_count_spki(spec->pins)))
        engine->checks.pins = spec->pins;
    if (spec->revocation_files != NULL && spec->revocation_files->nelts > 0
        && (err = build_revocation(pass, spec, note_baton, engine)) != NULL)
        return err;
    if ((err = build_policies(pass->pool, spec, engine)) != NULL)
        return err;
    *out = engine;
    return NULL;
}
