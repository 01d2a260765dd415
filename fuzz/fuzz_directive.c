/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_directive.c: the one-argument directive parsers (CFAOP,
 * CFAOPClientCertHeaders, CFAOPHostCheck / CFAOPChainCache,
 * CFAOPVerifyDepth): whatever they accept is a value in range. */
#include <string.h>

#include "common.h"
#include "directive.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    char *arg = fuzz_cstr(pool, data, size);
    int mode = CFAOP_MODE_UNSET;
    int cch = CFAOP_CCH_UNSET;
    int flag = -1, depth = -1;

    if (cfaop_parse_keyword(&cfaop_mode_keywords, arg, &mode) == NULL)
        FUZZ_ASSERT(mode == CFAOP_MODE_OFF || mode == CFAOP_MODE_ON
                    || mode == CFAOP_MODE_REPORT_ONLY);
    if (cfaop_parse_keyword(&cfaop_cch_keywords, arg, &cch) == NULL)
        FUZZ_ASSERT(cch == CFAOP_CCH_STRIP || cch == CFAOP_CCH_TRUST || cch == CFAOP_CCH_VERIFY
                    || cch == CFAOP_CCH_OFF);
    if (cfaop_parse_keyword(&cfaop_on_off_keywords, arg, &flag) == NULL)
        FUZZ_ASSERT(flag == 0 || flag == 1);
    if (cfaop_parse_depth(pool, arg, &depth) == NULL)
        FUZZ_ASSERT(depth >= 1 && depth <= CFAOP_DEPTH_MAX
                    && strspn(arg, "0123456789") == strlen(arg));
    fuzz_pool_done(pool);
    return 0;
}
