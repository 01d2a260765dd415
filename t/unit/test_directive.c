/* SPDX-License-Identifier: Apache-2.0 */
/* test_directive.c: the pure argument parsers behind the directives. */
#include "test_util.h"

#include <apr_strings.h>

#include "directive.h"

static const struct {
    const char *arg;
    cfaop_mode_t mode;
} modes[] = {
    { "On", CFAOP_MODE_ON },
    { "on", CFAOP_MODE_ON },
    { "ON", CFAOP_MODE_ON },
    { "oN", CFAOP_MODE_ON },
    { "Off", CFAOP_MODE_OFF },
    { "off", CFAOP_MODE_OFF },
    { "OFF", CFAOP_MODE_OFF },
    { "ReportOnly", CFAOP_MODE_REPORT_ONLY },
    { "reportonly", CFAOP_MODE_REPORT_ONLY },
    { "REPORTONLY", CFAOP_MODE_REPORT_ONLY },
};
#define NMODES ((int)(sizeof(modes) / sizeof(modes[0])))

START_TEST(mode_accepted)
{
    int mode = CFAOP_MODE_UNSET;

    ck_assert_ptr_null(cfaop_parse_keyword(&cfaop_mode_keywords, modes[_i].arg, &mode));
    ck_assert_int_eq(mode, modes[_i].mode);
}
END_TEST

static const char *const bad_modes[] = {
    "yes", "", "no", "true", "1", "0", "On ", " On", "Report-Only", "Report",
    "ReportOnlyX", "Enforce", "OnOff",
};
#define NBADMODES ((int)(sizeof(bad_modes) / sizeof(bad_modes[0])))

START_TEST(mode_rejected)
{
    int mode = CFAOP_MODE_UNSET;

    ck_assert_str_eq(cfaop_parse_keyword(&cfaop_mode_keywords, bad_modes[_i], &mode), "must be On, Off or ReportOnly");
    ck_assert_int_eq(mode, CFAOP_MODE_UNSET);
}
END_TEST

START_TEST(on_off)
{
    int flag = -1;

    ck_assert_ptr_null(cfaop_parse_keyword(&cfaop_on_off_keywords, "On", &flag));
    ck_assert_int_eq(flag, 1);
    ck_assert_ptr_null(cfaop_parse_keyword(&cfaop_on_off_keywords, "off", &flag));
    ck_assert_int_eq(flag, 0);
    ck_assert_ptr_null(cfaop_parse_keyword(&cfaop_on_off_keywords, "ON", &flag));
    ck_assert_int_eq(flag, 1);
    ck_assert_ptr_null(cfaop_parse_keyword(&cfaop_on_off_keywords, "OFF", &flag));
    ck_assert_int_eq(flag, 0);
    flag = -1;
    ck_assert_str_eq(cfaop_parse_keyword(&cfaop_on_off_keywords, "yes", &flag), "must be On or Off");
    ck_assert_str_eq(cfaop_parse_keyword(&cfaop_on_off_keywords, "", &flag), "must be On or Off");
    ck_assert_str_eq(cfaop_parse_keyword(&cfaop_on_off_keywords, "1", &flag), "must be On or Off");
    ck_assert_str_eq(cfaop_parse_keyword(&cfaop_on_off_keywords, "ReportOnly", &flag), "must be On or Off");
    ck_assert_int_eq(flag, -1);
}
END_TEST

START_TEST(depth_accepted)
{
    char arg[8];
    int depth = -1;

    /* _i runs over 1..16 */
    snprintf(arg, sizeof(arg), "%d", _i);
    ck_assert_ptr_null(cfaop_parse_depth(tu_pool, arg, &depth));
    ck_assert_int_eq(depth, _i);
}
END_TEST

static const char *const bad_depths[] = {
    "0", "17", "1x", "-1", " 1", "", "99999999999999999999", "+1", "1 ", "0x10",
    "1.0", "16a", "100", "-0", "9223372036854775808", "x",
};
#define NBADDEPTHS ((int)(sizeof(bad_depths) / sizeof(bad_depths[0])))

START_TEST(depth_rejected)
{
    int depth = -7;
    const char *err = cfaop_parse_depth(tu_pool, bad_depths[_i], &depth);

    ck_assert_str_eq(err, apr_psprintf(tu_pool, "'%s' is not a whole number from 1 to 16",
                                       bad_depths[_i]));
    ck_assert_int_eq(depth, -7);
}
END_TEST

START_TEST(depth_max_is_16)
{
    ck_assert_int_eq(CFAOP_DEPTH_MAX, 16);
}
END_TEST

Suite *directive_suite(void)
{
    Suite *s = suite_create("directive");
    TCase *tc = tu_tcase("directive");

    tcase_add_loop_test(tc, mode_accepted, 0, NMODES);
    tcase_add_loop_test(tc, mode_rejected, 0, NBADMODES);
    tcase_add_test(tc, on_off);
    tcase_add_loop_test(tc, depth_accepted, 1, CFAOP_DEPTH_MAX + 1);
    tcase_add_loop_test(tc, depth_rejected, 0, NBADDEPTHS);
    tcase_add_test(tc, depth_max_is_16);
    suite_add_tcase(s, tc);
    return s;
}
