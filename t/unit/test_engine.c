/* SPDX-License-Identifier: Apache-2.0 */
/* test_engine.c: compiling a vhost's directives into its engine: the
 * policy a client name selects, shared hostname trust, and CRL files
 * loaded once for the vhosts that check them against the same anchors. */
#include "revocation_util.h"

#include <apr_strings.h>

#include "anchors.h"
#include "crl.h"
#include "engine.h"
#include "serial.h"

static const char *const REVOKE_10[] = { "10", NULL };
static const char *const REVOKE_11[] = { "11", NULL };

static cfaop_anchor_set_t *set_of(const char *source, X509 *cert)
{
    cfaop_anchor_set_t *set = NULL;
    const char *err = cfaop_anchor_set_load_pem(tu_pool, tu_cert_pem(cert), source, 0, &set);

    ck_assert_msg(err == NULL, "anchor set: %s", err);
    return set;
}

static apr_array_header_t *sets(cfaop_anchor_set_t *first, cfaop_anchor_set_t *second)
{
    apr_array_header_t *list = apr_array_make(tu_pool, 2, sizeof(cfaop_anchor_set_t *));

    APR_ARRAY_PUSH(list, cfaop_anchor_set_t *) = first;
    if (second != NULL)
        APR_ARRAY_PUSH(list, cfaop_anchor_set_t *) = second;
    return list;
}

/* A hostname entry as the glue makes it from CFAOPHostnameCA. */
static void add_host(cfaop_hostmap_t *map, const char *hostname, apr_array_header_t *list)
{
    cfaop_hostname_entry_t *entry = apr_pcalloc(tu_pool, sizeof(*entry));
    const char *key = "";
    int i;

    entry->hostname = hostname;
    entry->sets = list;
    for (i = 0; i < list->nelts; i++)
        key = apr_pstrcat(tu_pool, key, APR_ARRAY_IDX(list, i, cfaop_anchor_set_t *)->source,
                          "\n", NULL);
    entry->key = key;
    entry->index = cfaop_hostmap_count(map);
    ck_assert_ptr_null(cfaop_hostmap_add(map, hostname, "test", entry));
}

static cfaop_engine_spec_t spec_of(apr_array_header_t *trusted)
{
    cfaop_engine_spec_t spec;

    memset(&spec, 0, sizeof(spec));
    spec.label = "www.example.test:443";
    spec.mode = CFAOP_MODE_ON;
    spec.depth = 2;
    spec.host_check = 1;
    spec.chain_cache = 1;
    spec.client_cert_headers = CFAOP_CCH_STRIP;
    spec.trusted = trusted;
    return spec;
}

static apr_array_header_t *files(const char *first, const char *second)
{
    apr_array_header_t *list = apr_array_make(tu_pool, 2, sizeof(cfaop_file_ref_t));
    cfaop_file_ref_t *ref = apr_array_push(list);

    ref->path = first;
    ref->origin = "line 3 of test.conf";
    if (second != NULL) {
        ref = apr_array_push(list);
        ref->path = second;
        ref->origin = "line 4 of test.conf";
    }
    return list;
}

/* The notes of a pass: "path: what" lines, in the order given. */
static const char *notes;

static void note(void *baton, const char *directive, const char *path, const char *what)
{
    notes = apr_psprintf(tu_pool, "%s%s %s %s: %s\n", notes, (const char *)baton, directive,
                         path, what);
}

/* A pass whose notes start empty. */
static cfaop_engine_pass_t *noting_pass(void)
{
    notes = "";
    return cfaop_engine_pass_create(tu_pool, tu_pool, note);
}

static const cfaop_engine_t *build_ok(cfaop_engine_pass_t *pass, const cfaop_engine_spec_t *spec,
                                      const char *vhost)
{
    const cfaop_engine_t *engine = NULL;
    const char *err = cfaop_engine_build(pass, spec, (void *)vhost, &engine);

    ck_assert_msg(err == NULL, "%s", err ? err : "");
    ck_assert_ptr_nonnull(engine);
    return engine;
}

/* A build of spec trusting only set and naming only path fails with the
 * message of that file (what follows "path: " in it). */
static void assert_refused(cfaop_engine_pass_t *pass, cfaop_engine_spec_t *spec,
                           cfaop_anchor_set_t *set, const char *path, const char *why)
{
    const cfaop_engine_t *engine = NULL;
    const char *err;

    spec->trusted = sets(set, NULL);
    spec->revocation_files = files(path, NULL);
    err = cfaop_engine_build(pass, spec, NULL, &engine);
    ck_assert_ptr_null(engine);
    ck_assert_str_eq(err, apr_psprintf(tu_pool, "CFAOP0007: CFAOPRevocationFile (line 3 of "
                                       "test.conf): %s: %s", path, why));
}

START_TEST(zone_only)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    cfaop_engine_pass_t *pass = cfaop_engine_pass_create(tu_pool, tu_pool, NULL);
    cfaop_engine_spec_t spec = spec_of(sets(set_of("zone.pem", ca.cert), NULL));
    const cfaop_engine_t *engine;

    spec.mode = CFAOP_MODE_REPORT_ONLY;
    spec.host_check = 0;
    spec.chain_cache = 0;
    spec.client_cert_headers = CFAOP_CCH_TRUST;
    engine = build_ok(pass, &spec, "v1");
    ck_assert_int_eq(engine->mode, CFAOP_MODE_REPORT_ONLY);
    ck_assert_int_eq(engine->depth, 2);
    ck_assert_int_eq(engine->host_check, 0);
    ck_assert_int_eq(engine->chain_cache, 0);
    ck_assert_int_eq(engine->client_cert_headers, CFAOP_CCH_TRUST);
    ck_assert_str_eq(engine->zone_policy->name, "zone");
    ck_assert_int_eq(engine->zone_policy->depth, 2);
    ck_assert_ptr_null(engine->hosts);
    ck_assert_ptr_null(engine->checks.crls);
    ck_assert_ptr_null(engine->checks.deny);
    ck_assert_ptr_null(engine->checks.pins);
    ck_assert_ptr_eq(cfaop_engine_policy_for_name(engine, NULL), engine->zone_policy);
    ck_assert_ptr_eq(cfaop_engine_policy_for_name(engine, "a.example.test"), engine->zone_policy);
    ck_assert_ptr_null(cfaop_engine_policy_for_name(NULL, "a.example.test"));
}
END_TEST

START_TEST(policy_for_name)
{
    tu_cred_t zone = tu_make_ca("Zone CA"), a = tu_make_ca("A CA"), b = tu_make_ca("B CA");
    cfaop_anchor_set_t *za = set_of("zone.pem", zone.cert), *sa = set_of("a.pem", a.cert),
                       *sb = set_of("b.pem", b.cert);
    cfaop_hostmap_t *map = cfaop_hostmap_create(tu_pool);
    cfaop_engine_pass_t *pass = cfaop_engine_pass_create(tu_pool, tu_pool, NULL);
    cfaop_engine_spec_t spec = spec_of(sets(za, NULL));
    const cfaop_policy_t *exact, *wild, *other, *both;
    const cfaop_engine_t *engine;

    add_host(map, "app.example.test", sets(sa, NULL));
    add_host(map, "*.example.test", sets(sa, NULL));
    add_host(map, "other.test", sets(sb, NULL));
    add_host(map, "both.test", sets(sa, sb));
    spec.hostmap = map;
    engine = build_ok(pass, &spec, "v1");

    exact = cfaop_engine_policy_for_name(engine, "app.example.test");
    wild = cfaop_engine_policy_for_name(engine, "x.example.test");
    other = cfaop_engine_policy_for_name(engine, "other.test");
    both = cfaop_engine_policy_for_name(engine, "both.test");
    ck_assert_str_eq(exact->name, "hostname:app.example.test");
    ck_assert_str_eq(wild->name, "hostname:*.example.test");
    ck_assert_str_eq(other->name, "hostname:other.test");
    ck_assert_str_eq(both->name, "hostname:both.test");
    /* the same CA file list: one trust store under two names */
    ck_assert_ptr_eq(exact->store, wild->store);
    ck_assert_ptr_ne(exact->store, other->store);
    ck_assert_ptr_ne(exact->store, both->store);
    ck_assert_int_eq(exact->depth, 2);
    /* as a client sends it: any case, a trailing dot */
    ck_assert_ptr_eq(cfaop_engine_policy_for_name(engine, "APP.Example.TEST."), exact);
    ck_assert_ptr_eq(cfaop_engine_policy_for_name(engine, "Y.EXAMPLE.TEST"), wild);
    /* no entry: the zone */
    ck_assert_ptr_eq(cfaop_engine_policy_for_name(engine, "example.test"), engine->zone_policy);
    ck_assert_ptr_eq(cfaop_engine_policy_for_name(engine, "a.b.example.test"), engine->zone_policy);
    ck_assert_ptr_eq(cfaop_engine_policy_for_name(engine, NULL), engine->zone_policy);
    /* by the order the entries were named */
    ck_assert_ptr_eq(cfaop_engine_hostname_policy(engine, 0), exact);
    ck_assert_ptr_eq(cfaop_engine_hostname_policy(engine, 1), wild);
    ck_assert_ptr_eq(cfaop_engine_hostname_policy(engine, 3), both);
    ck_assert_ptr_null(cfaop_engine_hostname_policy(engine, 4));
    ck_assert_ptr_null(cfaop_engine_hostname_policy(engine, -1));
    ck_assert_ptr_null(cfaop_engine_hostname_policy(NULL, 0));
}
END_TEST

START_TEST(checks_frozen)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    cfaop_engine_pass_t *pass = cfaop_engine_pass_create(tu_pool, tu_pool, NULL);
    cfaop_engine_spec_t spec = spec_of(sets(set_of("zone.pem", ca.cert), NULL));
    cfaop_serialset_t *deny = cfaop_serialset_create(tu_pool);
    cfaop_pinset_t *pins = cfaop_pinset_create(tu_pool);
    cfaop_serial_t serial;
    const cfaop_engine_t *engine;

    ck_assert_ptr_null(cfaop_serial_parse(tu_pool, "0x10", &serial));
    ck_assert_ptr_null(cfaop_serialset_add(deny, &serial));
    spec.deny = deny;
    spec.pins = pins;               /* empty: no pin check */
    engine = build_ok(pass, &spec, "v1");
    ck_assert_ptr_eq(engine->checks.deny, deny);
    ck_assert(cfaop_serialset_frozen(deny));
    ck_assert_ptr_null(engine->checks.pins);
}
END_TEST

/* 100 vhosts naming one file against the same anchors: one load. */
START_TEST(crl_loaded_once)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    cfaop_anchor_set_t *za = set_of("zone.pem", ca.cert);
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&ca, REVOKE_10)), NULL);
    cfaop_engine_pass_t *pass = noting_pass();
    cfaop_engine_spec_t spec = spec_of(sets(za, NULL));
    const cfaop_engine_t *first, *engine;
    int i;

    spec.revocation_files = files(path, NULL);
    first = build_ok(pass, &spec, "v0");
    for (i = 1; i < 100; i++) {
        spec.trusted = sets(za, NULL);          /* the same anchors, another list */
        spec.revocation_files = files(path, NULL);
        engine = build_ok(pass, &spec, "vN");
        ck_assert_ptr_eq(engine->checks.crls, first->checks.crls);
    }
    ck_assert_str_eq(notes, apr_psprintf(tu_pool, "v0 CFAOPRevocationFile %s: 1 CRL, 1 entry\n",
                                         path));
    ck_assert_int_eq(cfaop_revocation_check(first->checks.crls,
                                            tu_stack(tu_make_leaf("l", &ca, 0x10, time(NULL) - TU_DAY,
                                                                  time(NULL) + TU_DAY).cert,
                                                     ca.cert, NULL)), 0);
    ck_assert_int_gt(first->crl_next_update, time(NULL));
}
END_TEST

/* Other anchors that accept every CRL's signer share what was read. */
START_TEST(crl_shared_across_anchors)
{
    tu_cred_t root = tu_make_ca("Root"), other = tu_make_ca("Other CA");
    tu_cred_t inter = tu_make_intermediate("Inter", &root);
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&root, REVOKE_10)),
                                     rv_crl_pem(rv_crl(&inter, REVOKE_11)),
                                     tu_cert_pem(inter.cert), NULL);
    cfaop_anchor_set_t *rs = set_of("root.pem", root.cert), *os = set_of("other.pem", other.cert);
    cfaop_hostmap_t *map = cfaop_hostmap_create(tu_pool);
    cfaop_engine_pass_t *pass = noting_pass();
    cfaop_engine_spec_t spec = spec_of(sets(rs, NULL));
    const cfaop_engine_t *first, *wider, *by_host;

    spec.revocation_files = files(path, NULL);
    first = build_ok(pass, &spec, "v1");
    spec.trusted = sets(os, rs);
    wider = build_ok(pass, &spec, "v2");
    add_host(map, "app.example.test", sets(rs, NULL));
    spec.trusted = sets(os, NULL);
    spec.hostmap = map;
    by_host = build_ok(pass, &spec, "v3");
    ck_assert_ptr_eq(wider->checks.crls, first->checks.crls);
    ck_assert_ptr_eq(by_host->checks.crls, first->checks.crls);
    ck_assert_str_eq(notes, apr_psprintf(tu_pool, "v1 CFAOPRevocationFile %s: 2 CRLs, 2 entries\n",
                                         path));
}
END_TEST

/* Anchors that do not accept a CRL's signer get the message a vhost of
 * their own would get: the issuer is not among them, the intermediate in
 * the file does not chain to them, or the anchor of that name and key
 * lacks cRLSign. */
START_TEST(crl_refused_per_anchors)
{
    tu_cred_t root = tu_make_ca("Root"), other = tu_make_ca("Other CA");
    tu_cred_t inter = tu_make_intermediate("Inter", &root);
    tu_cert_opts_t o = { 0 };
    tu_cred_t no_crl_sign;
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&inter, REVOKE_11)),
                                     tu_cert_pem(inter.cert), NULL);
    const char *root_path = rv_write_text(rv_crl_pem(rv_crl(&root, REVOKE_10)), NULL);
    cfaop_engine_pass_t *pass = cfaop_engine_pass_create(tu_pool, tu_pool, NULL);
    cfaop_engine_spec_t spec = spec_of(sets(set_of("root.pem", root.cert), NULL));

    /* the root again, same name and key, with a keyUsage without cRLSign */
    o.cn = "Root";
    o.o = "Unit Test";
    o.key = root.key;
    o.serial = 7;
    o.not_before = time(NULL) - TU_DAY;
    o.not_after = time(NULL) + TU_DAY;
    o.bc = TU_BC_CA;
    o.ku = "critical,keyCertSign";
    no_crl_sign = tu_make_cert(&o);

    spec.revocation_files = files(path, root_path);
    build_ok(pass, &spec, "v1");
    assert_refused(pass, &spec, set_of("other.pem", other.cert), path,
                   "the CRL issued by \"CN=Inter,O=Unit Test\": it is signed by a certificate "
                   "in the file that does not chain to a trusted anchor (unable to get local "
                   "issuer certificate)");
    assert_refused(pass, &spec, set_of("other.pem", other.cert), root_path,
                   "the CRL issued by \"CN=Root,O=Unit Test\": its issuer is neither a "
                   "trusted anchor (CFAOPTrustedCA) nor a certificate in the file that chains "
                   "to one");
    assert_refused(pass, &spec, set_of("root-no-crl-sign.pem", no_crl_sign.cert), root_path,
                   "the CRL issued by \"CN=Root,O=Unit Test\": its signer \"CN=Root,O=Unit "
                   "Test\" has a keyUsage without cRLSign");
}
END_TEST

/* A vhost naming two files gets both; the first stays shared, loaded once. */
START_TEST(crl_files_combined)
{
    time_t now = time(NULL);
    tu_cred_t ca = tu_make_ca("Zone CA"), a = tu_make_ca("A CA");
    tu_cred_t leaf10 = tu_make_leaf("l10", &ca, 0x10, now - TU_DAY, now + TU_DAY);
    tu_cred_t leaf11 = tu_make_leaf("l11", &a, 0x11, now - TU_DAY, now + TU_DAY);
    tu_cred_t leaf12 = tu_make_leaf("l12", &ca, 0x12, now - TU_DAY, now + TU_DAY);
    const char *one = rv_write_text(rv_crl_pem(rv_crl(&ca, REVOKE_10)), NULL);
    const char *two = rv_write_text(rv_crl_pem(rv_crl(&a, REVOKE_11)), NULL);
    apr_array_header_t *trusted = sets(set_of("zone.pem", ca.cert), set_of("a.pem", a.cert));
    cfaop_engine_pass_t *pass = noting_pass();
    cfaop_engine_spec_t spec = spec_of(trusted);
    const cfaop_engine_t *single, *both, *again;

    spec.revocation_files = files(one, NULL);
    single = build_ok(pass, &spec, "v1");
    spec.revocation_files = files(one, two);
    both = build_ok(pass, &spec, "v2");
    again = build_ok(pass, &spec, "v3");
    ck_assert_ptr_ne(single->checks.crls, both->checks.crls);
    ck_assert_ptr_eq(again->checks.crls, both->checks.crls);
    ck_assert_str_eq(notes, apr_psprintf(tu_pool, "v1 CFAOPRevocationFile %s: 1 CRL, 1 entry\n"
                                         "v2 CFAOPRevocationFile %s: 1 CRL, 1 entry\n", one, two));
    ck_assert_int_eq(cfaop_revocation_check(both->checks.crls, tu_stack(leaf10.cert, ca.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(both->checks.crls, tu_stack(leaf11.cert, a.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(both->checks.crls, tu_stack(leaf12.cert, ca.cert, NULL)), -1);
    ck_assert_int_eq(cfaop_revocation_check(single->checks.crls, tu_stack(leaf11.cert, a.cert, NULL)), -1);
    ck_assert_int_eq(cfaop_revocation_crls(both->checks.crls)->nelts, 2);
    ck_assert_uint_eq(cfaop_revocation_count(both->checks.crls), 2);
}
END_TEST

/* The same file twice (the main server's, named again by the vhost) is
 * that file once: its CRLs are not listed (nor reported stale) twice. */
START_TEST(crl_file_named_twice)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&ca, REVOKE_10)), NULL);
    cfaop_engine_pass_t *pass = noting_pass();
    cfaop_engine_spec_t spec = spec_of(sets(set_of("zone.pem", ca.cert), NULL));
    const cfaop_engine_t *once, *twice;

    spec.revocation_files = files(path, NULL);
    once = build_ok(pass, &spec, "v1");
    spec.revocation_files = files(path, path);
    twice = build_ok(pass, &spec, "v2");
    ck_assert_ptr_eq(twice->checks.crls, once->checks.crls);
    ck_assert_int_eq(cfaop_revocation_crls(twice->checks.crls)->nelts, 1);
}
END_TEST

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tu_tcase("engine");

    tcase_add_test(tc, zone_only);
    tcase_add_test(tc, policy_for_name);
    tcase_add_test(tc, checks_frozen);
    tcase_add_test(tc, crl_loaded_once);
    tcase_add_test(tc, crl_shared_across_anchors);
    tcase_add_test(tc, crl_refused_per_anchors);
    tcase_add_test(tc, crl_files_combined);
    tcase_add_test(tc, crl_file_named_twice);
    suite_add_tcase(s, tc);
    return s;
}
