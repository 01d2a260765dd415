/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: the one Check runner for the engine's unit tests. */
#include <stdlib.h>

#include "test_util.h"

/* Leg-1 suites (test_leg1.c, test_rfc9440.c). */
Suite *leg1_suite(void);
/* Leg-1 edges: '_' spellings, trailers, the locale (test_leg1_edges.c). */
Suite *leg1_edges_suite(void);
Suite *rfc9440_suite(void);
Suite *sessionrec_suite(void);

/* Revocation suites (test_serial.c, test_serialset.c, test_pin.c, test_crl.c). */
Suite *serial_suite(void);
Suite *serialset_suite(void);
Suite *pin_suite(void);
Suite *crl_suite(void);

/* The per-thread chain cache (test_chaincache.c). */
Suite *chaincache_suite(void);

/* Log quoting and ASCII comparisons (test_logesc.c). */
Suite *logesc_suite(void);

/* The ClientHello's server_name (test_sni.c). */
Suite *sni_suite(void);

/* The configuration-file reader (test_readfile.c). */
Suite *readfile_suite(void);

/* Hostnames, the map, and the parsers under tr_TR.UTF-8 (test_hostmap.c). */
Suite *hostmap_suite(void);

/* The verdict on a presented chain (test_judge.c). */
Suite *judge_suite(void);

/* The request decision, as one table (test_decide.c). */
Suite *decide_suite(void);
/* CF-Connecting-IP values (test_clientip.c). */
Suite *clientip_suite(void);
/* The status page: counters and renderers (test_counters.c, test_status_render.c). */
Suite *counters_suite(void);
Suite *status_render_suite(void);

/* A vhost's directives compiled into its engine (test_engine.c). */
Suite *engine_suite(void);

int main(void)
{
    SRunner *sr;
    int failed;

    tu_apr_init();
    sr = srunner_create(reason_suite());
    srunner_add_suite(sr, certinfo_suite());
    srunner_add_suite(sr, anchors_suite());
    srunner_add_suite(sr, policy_suite());
    srunner_add_suite(sr, chainblob_suite());
    srunner_add_suite(sr, export_suite());
    srunner_add_suite(sr, directive_suite());
    srunner_add_suite(sr, rfc9440_suite());
    srunner_add_suite(sr, leg1_suite());
    srunner_add_suite(sr, leg1_edges_suite());
    srunner_add_suite(sr, sessionrec_suite());
    srunner_add_suite(sr, serial_suite());
    srunner_add_suite(sr, serialset_suite());
    srunner_add_suite(sr, pin_suite());
    srunner_add_suite(sr, crl_suite());
    srunner_add_suite(sr, chaincache_suite());
    srunner_add_suite(sr, logesc_suite());
    srunner_add_suite(sr, sni_suite());
    srunner_add_suite(sr, readfile_suite());
    srunner_add_suite(sr, hostmap_suite());
    srunner_add_suite(sr, judge_suite());
    srunner_add_suite(sr, decide_suite());
    srunner_add_suite(sr, clientip_suite());
    srunner_add_suite(sr, counters_suite());
    srunner_add_suite(sr, status_render_suite());
    srunner_add_suite(sr, engine_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_apr_term();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
