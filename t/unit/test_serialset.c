/* SPDX-License-Identifier: Apache-2.0 */
/* test_serialset.c: the hashed serial set (duplicates, hits and misses,
 * zero, sign, sizes) and deny files (syntax, comments, exact error lines). */
#include "revocation_util.h"

#include <stdio.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "denyfile.h"
#include "serialset.h"

static cfaop_serial_t S(const char *text)
{
    cfaop_serial_t s;
    const char *err = cfaop_serial_parse(tu_pool, text, &s);

    ck_assert_msg(err == NULL, "%s", err ? err : "");
    return s;
}

static cfaop_serial_t from_u64(unsigned long long v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%llx", v);
    return S(buf);
}

/* A 20-octet serial: prefix byte, zeros, then v in the last four bytes. */
static cfaop_serial_t wide(unsigned prefix, unsigned long long v)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%02X%030X%08llX", prefix, 0, v);
    return S(buf);
}

static int has(const cfaop_serialset_t *set, const char *text)
{
    cfaop_serial_t s = S(text);
    return cfaop_serialset_contains(set, &s);
}

static void add(cfaop_serialset_t *set, const char *text)
{
    cfaop_serial_t s = S(text);
    ck_assert_ptr_null(cfaop_serialset_add(set, &s));
}

/* ---- the set --------------------------------------------------------- */

START_TEST(empty_set)
{
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);

    ck_assert_int_eq(has(set, "01"), 0);
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert_int_eq(cfaop_serialset_frozen(set), 1);
    ck_assert_uint_eq(cfaop_serialset_count(set), 0);
    ck_assert_int_eq(has(set, "01"), 0);
    ck_assert_int_eq(has(set, "00"), 0);
    ck_assert_int_eq(cfaop_serialset_contains(NULL, &(cfaop_serial_t){ 0 }), 0);
}
END_TEST

START_TEST(hits_misses_and_duplicates)
{
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);

    add(set, "01AB");
    add(set, "serial=01ab");            /* the same number */
    add(set, "dec:427");                /* 0x1AB again */
    add(set, "71CD777BCA0D49F55E1FA8E18CE3E01FDF714941");
    add(set, "02");
    ck_assert_uint_eq(cfaop_serialset_count(set), 5);
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert_uint_eq(cfaop_serialset_count(set), 3);
    ck_assert_int_eq(has(set, "0x1ab"), 1);
    ck_assert_int_eq(has(set, "dec:649698018354122709790786741470479045506643347777"), 1);
    ck_assert_int_eq(has(set, "2"), 1);
    ck_assert_int_eq(has(set, "03"), 0);
    ck_assert_int_eq(has(set, "01AC"), 0);
    ck_assert_int_eq(has(set, "01AB00"), 0);   /* trailing zeros make another number */
    ck_assert_int_eq(has(set, "AB"), 0);
    ck_assert_int_eq(has(set, "00"), 0);
}
END_TEST

START_TEST(zero_length_serial)
{
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);

    add(set, "00");
    add(set, "0x0");
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert_uint_eq(cfaop_serialset_count(set), 1);
    ck_assert_int_eq(has(set, "dec:0"), 1);
    ck_assert_int_eq(has(set, "01"), 0);
    ck_assert_int_eq(has(set, "0100"), 0);
}
END_TEST

START_TEST(negative_is_not_positive)
{
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
    cfaop_serial_t neg = S("01AB");

    neg.negative = 1;
    add(set, "01AB");
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert_int_eq(cfaop_serialset_contains(set, &neg), 0);

    set = cfaop_serialset_create(tu_pool);
    ck_assert_ptr_null(cfaop_serialset_add(set, &neg));
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert_int_eq(cfaop_serialset_contains(set, &neg), 1);
    ck_assert_int_eq(has(set, "01AB"), 0);
}
END_TEST

START_TEST(lookup_before_freeze)
{
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);

    add(set, "0A");
    ck_assert_int_eq(cfaop_serialset_frozen(set), 0);
    ck_assert_int_eq(has(set, "0A"), 1);
    ck_assert_int_eq(has(set, "0B"), 0);
}
END_TEST

START_TEST(no_add_after_freeze)
{
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
    cfaop_serial_t s = S("0A");

    add(set, "0B");
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert_ptr_null(cfaop_serialset_freeze(set));           /* idempotent */
    ck_assert_ptr_nonnull(cfaop_serialset_add(set, &s));
    ck_assert_int_eq(has(set, "0A"), 0);
    ck_assert_int_eq(has(set, "0B"), 1);
}
END_TEST

START_TEST(many_sequential_and_wide)
{
    enum { N = 100000 };
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
    unsigned long long i;
    cfaop_serial_t s;

    /* Small consecutive numbers (a private CA's counter) and 20-octet ones
     * that differ in a single byte: both must spread over the table. */
    for (i = 1; i <= N; i++) {
        s = from_u64(i);
        ck_assert_ptr_null(cfaop_serialset_add(set, &s));
        s = wide(0x7F, i);
        ck_assert_ptr_null(cfaop_serialset_add(set, &s));
    }
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert_uint_eq(cfaop_serialset_count(set), 2 * N);
    for (i = 1; i <= N; i++) {
        s = from_u64(i);
        ck_assert(cfaop_serialset_contains(set, &s));
        s = from_u64(i + N);
        ck_assert(!cfaop_serialset_contains(set, &s));
        s = wide(0x7F, i);
        ck_assert(cfaop_serialset_contains(set, &s));
        s = wide(0x7E, i);
        ck_assert(!cfaop_serialset_contains(set, &s));
    }
    /* Records of 21 bytes and a table of 4-byte slots at load <= 1/2. */
    ck_assert_uint_ge(cfaop_serialset_memory(set), 2 * N * (21 + 2 * 4));
    ck_assert_uint_le(cfaop_serialset_memory(set), 2 * N * (21 + 4 * 4));
}
END_TEST

START_TEST(add_all_merges)
{
    cfaop_serialset_t *a = cfaop_serialset_create(tu_pool);
    cfaop_serialset_t *b = cfaop_serialset_create(tu_pool);
    cfaop_serialset_t *both = cfaop_serialset_create(tu_pool);

    add(a, "01");
    add(a, "02");
    add(b, "02");
    add(b, "03");
    ck_assert_ptr_null(cfaop_serialset_freeze(a));
    ck_assert_ptr_null(cfaop_serialset_add_all(both, a));
    ck_assert_ptr_null(cfaop_serialset_add_all(both, b));
    ck_assert_ptr_null(cfaop_serialset_freeze(both));
    ck_assert_uint_eq(cfaop_serialset_count(both), 3);
    ck_assert(has(both, "01") && has(both, "02") && has(both, "03"));
    ck_assert(!has(both, "04"));
}
END_TEST

/* A deny file named by many vhosts is one shared, frozen set; each vhost's
 * set includes it by reference and keeps its own inline serials. */
START_TEST(include_shares_by_reference)
{
    cfaop_serialset_t *shared = cfaop_serialset_create(tu_pool);
    cfaop_serialset_t *vhost = cfaop_serialset_create(tu_pool);
    cfaop_serialset_t *other = cfaop_serialset_create(tu_pool);
    cfaop_serialset_t *merged = cfaop_serialset_create(tu_pool);

    add(shared, "01");
    add(shared, "02");
    ck_assert_str_eq(cfaop_serialset_include(vhost, shared),
                     "a shared serial set must be built before it is included");
    ck_assert_ptr_null(cfaop_serialset_freeze(shared));
    add(vhost, "03");
    ck_assert_ptr_null(cfaop_serialset_include(vhost, shared));
    ck_assert_ptr_null(cfaop_serialset_include(vhost, shared));
    ck_assert_ptr_null(cfaop_serialset_include(other, shared));
    ck_assert_uint_eq(cfaop_serialset_count(vhost), 3);
    ck_assert(has(vhost, "01") && has(vhost, "02") && has(vhost, "03"));
    ck_assert_ptr_null(cfaop_serialset_freeze(vhost));
    ck_assert(has(vhost, "01") && has(vhost, "02") && has(vhost, "03") && !has(vhost, "04"));
    /* the shared set and the other vhost do not get this vhost's own */
    ck_assert(!has(shared, "03") && !has(other, "03") && has(other, "02"));
    /* the memory of a vhost's set is its own records, not the shared ones */
    ck_assert_uint_lt(cfaop_serialset_memory(vhost), cfaop_serialset_memory(shared));
    /* merging a vhost into another (main server and vhost) keeps the reference */
    add(merged, "04");
    ck_assert_ptr_null(cfaop_serialset_add_all(merged, vhost));
    ck_assert_ptr_null(cfaop_serialset_add_all(merged, other));
    ck_assert_uint_eq(cfaop_serialset_count(merged), 4);
    ck_assert(has(merged, "01") && has(merged, "03") && has(merged, "04"));
    ck_assert_str_eq(cfaop_serialset_include(vhost, other), "the serial set is already built");
}
END_TEST

START_TEST(contains_cert)
{
    tu_cred_t ca = tu_make_ca("Deny CA");
    time_t now = time(NULL);
    tu_cred_t denied = tu_make_leaf("denied", &ca, 0x1234, now - TU_DAY, now + TU_DAY);
    tu_cred_t other = tu_make_leaf("other", &ca, 0x1235, now - TU_DAY, now + TU_DAY);
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);

    add(set, "12:34");
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert_int_eq(cfaop_serialset_contains_cert(set, denied.cert), 1);
    ck_assert_int_eq(cfaop_serialset_contains_cert(set, other.cert), 0);
    ck_assert_int_eq(cfaop_serialset_contains_cert(set, NULL), 0);
    ck_assert_int_eq(cfaop_serialset_contains_cert(NULL, denied.cert), 0);
}
END_TEST

START_TEST(released_with_pool)
{
    apr_pool_t *sub;
    cfaop_serialset_t *set;
    int i;

    /* Under ASan/valgrind a leak shows here; without, it must not crash. */
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(apr_pool_create(&sub, tu_pool), APR_SUCCESS);
        set = cfaop_serialset_create(sub);
        add(set, "01");
        ck_assert_ptr_null(cfaop_serialset_freeze(set));
        apr_pool_destroy(sub);
    }
}
END_TEST

/* ---- deny files ----------------------------------------------------- */

static const char *parse_text(const char *text, cfaop_serialset_t **out, apr_size_t *added)
{
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
    const char *err = cfaop_denyfile_parse(tu_pool, text, strlen(text), "deny.txt", set, added);

    if (out != NULL)
        *out = set;
    return err;
}

START_TEST(deny_every_form_and_comments)
{
    const char *text =
        "# serials denied after the incident\n"
        "\n"
        "0A1B  # old cert\n"
        "serial=0A1C\n"
        "0a:1d\n"
        "   0x0A1E\t\n"
        "dec:2591\n"                    /* 0x0A1F */
        "\t# indented comment\n"
        "   \n"
        "0000000A20\n"
        "4096 (0x1000)  # from openssl x509 -text\n"
        "#0A21\n";
    cfaop_serialset_t *set;
    apr_size_t added = 0;

    ck_assert_ptr_null(parse_text(text, &set, &added));
    ck_assert_uint_eq(added, 7);
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert(has(set, "0A1B") && has(set, "0A1C") && has(set, "0A1D") && has(set, "0A1E"));
    ck_assert(has(set, "0A1F") && has(set, "0A20") && has(set, "1000"));
    ck_assert(!has(set, "0A21"));
}
END_TEST

START_TEST(deny_crlf_and_no_final_newline)
{
    cfaop_serialset_t *set;
    apr_size_t added = 0;

    ck_assert_ptr_null(parse_text("01\r\n02 # two\r\n\r\n03", &set, &added));
    ck_assert_uint_eq(added, 3);
    ck_assert(has(set, "01") && has(set, "02") && has(set, "03"));
}
END_TEST

START_TEST(deny_byte_order_mark)
{
    cfaop_serialset_t *set;

    ck_assert_ptr_null(parse_text("\xef\xbb\xbf" "0A\n0B\n", &set, NULL));
    ck_assert(has(set, "0A") && has(set, "0B"));
    /* Only at the very start. */
    ck_assert_str_eq(parse_text("0A\n\xef\xbb\xbf" "0B\n", NULL, NULL),
                     "line 2 of deny.txt: '???0B' is not a serial number: it has a character "
                     "that is not a hexadecimal digit");
}
END_TEST

START_TEST(deny_empty_file)
{
    cfaop_serialset_t *set;
    apr_size_t added = 99;

    ck_assert_ptr_null(parse_text("", &set, &added));
    ck_assert_uint_eq(added, 0);
    ck_assert_ptr_null(parse_text("# nothing yet\n\n", &set, &added));
    ck_assert_uint_eq(added, 0);
}
END_TEST

START_TEST(deny_error_line_numbers)
{
    ck_assert_str_eq(parse_text("01\n\n# c\nzz\n05\n", NULL, NULL),
                     "line 4 of deny.txt: 'zz' is not a serial number: it has a character "
                     "that is not a hexadecimal digit");
    ck_assert_str_eq(parse_text("01\r\n02\r\n1:234\r\n", NULL, NULL),
                     "line 3 of deny.txt: '1:234' is not a serial number: colon-separated "
                     "groups must be 1 or 2 hexadecimal digits each");
    ck_assert_str_eq(parse_text("0x01:02\n", NULL, NULL),
                     "line 1 of deny.txt: '0x01:02' is not a serial number: only hexadecimal "
                     "digits may follow 0x");
    ck_assert_str_eq(parse_text("\n\ndec:12x\n", NULL, NULL),
                     "line 3 of deny.txt: 'dec:12x' is not a serial number: only decimal "
                     "digits may follow dec:");
}
END_TEST

START_TEST(deny_comment_needs_whitespace)
{
    ck_assert_str_eq(parse_text("0A1B#glued\n", NULL, NULL),
                     "line 1 of deny.txt: '0A1B#glued' is not a serial number: it has a "
                     "character that is not a hexadecimal digit");
    ck_assert_str_eq(parse_text("0A1B#\n", NULL, NULL),
                     "line 1 of deny.txt: '0A1B#' is not a serial number: it has a character "
                     "that is not a hexadecimal digit");
}
END_TEST

START_TEST(deny_two_serials_on_a_line)
{
    ck_assert_str_eq(parse_text("01\n0A 0B\n", NULL, NULL),
                     "line 2 of deny.txt: '0A 0B' is not a serial number: it has whitespace "
                     "inside (one serial number is expected)");
}
END_TEST

START_TEST(deny_overlong_serial)
{
    const char *text = "01\n"
                       "0x0102030405060708090A0B0C0D0E0F101112131415\n";

    ck_assert_str_eq(parse_text(text, NULL, NULL),
                     "line 2 of deny.txt: '0x0102030405060708090A0B0C0D0E0F101112131415' is not "
                     "a serial number: it is longer than 20 octets, the RFC 5280 limit for a "
                     "certificate serial number");
}
END_TEST

START_TEST(deny_control_characters_quoted_safely)
{
    const char text[] = "01\n0A\0" "0B\x1b[31m\n";
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
    const char *err = cfaop_denyfile_parse(tu_pool, text, sizeof(text) - 1, "deny.txt", set, NULL);

    ck_assert_str_eq(err, "line 2 of deny.txt: '0A?0B?[31m' is not a serial number: it has a "
                          "character that is not a hexadecimal digit");
}
END_TEST

START_TEST(deny_line_too_long)
{
    char *text = apr_palloc(tu_pool, 6000);
    const char *err;

    memset(text, '0', 5000);
    strcpy(text + 5000, "1\n");
    err = parse_text(apr_pstrcat(tu_pool, "01\n", text, NULL), NULL, NULL);
    ck_assert_str_eq(err, "line 2 of deny.txt: the line is longer than 4096 characters");
}
END_TEST

START_TEST(deny_file_line_over_read_buffer)
{
    apr_size_t big = 300 * 1024;
    char *text = apr_palloc(tu_pool, big + 16);
    const char *path, *err;

    strcpy(text, "01\n");
    memset(text + 3, 'A', big);
    strcpy(text + 3 + big, "\n02\n");
    path = tu_write_temp(text, strlen(text));
    err = cfaop_denyfile_load(tu_pool, path, cfaop_serialset_create(tu_pool), NULL);
    ck_assert_str_eq(err, apr_psprintf(tu_pool, "line 2 of %s: the line is longer than 4096 "
                                       "characters", path));
}
END_TEST

START_TEST(deny_file_load)
{
    const char *path = rv_write_text("# deny\n0A1B  # old cert\r\n", "serial=0A1C\n", NULL);
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
    apr_size_t added = 0;

    ck_assert_ptr_null(cfaop_denyfile_load(tu_pool, path, set, &added));
    ck_assert_uint_eq(added, 2);
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert(has(set, "0A1B") && has(set, "0A1C") && !has(set, "0A1D"));
}
END_TEST

START_TEST(deny_file_errors_name_path_and_line)
{
    const char *path = rv_write_text("0A\n0B\n\n# x\nnot-a-serial\n", NULL);
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
    const char *err = cfaop_denyfile_load(tu_pool, path, set, NULL);

    ck_assert_str_eq(err, apr_psprintf(tu_pool, "line 5 of %s: 'not-a-serial' is not a serial "
                                       "number: it has a character that is not a hexadecimal "
                                       "digit", path));
}
END_TEST

START_TEST(deny_file_missing_or_not_regular)
{
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
    const char *missing = tu_missing_path();
    const char *dir = NULL;

    ck_assert_contains(cfaop_denyfile_load(tu_pool, missing, set, NULL),
                       apr_pstrcat(tu_pool, "cannot open ", missing, NULL));
    ck_assert_int_eq(apr_temp_dir_get(&dir, tu_pool), APR_SUCCESS);
    ck_assert_str_eq(cfaop_denyfile_load(tu_pool, dir, set, NULL),
                     apr_pstrcat(tu_pool, dir, " is not a regular file", NULL));
}
END_TEST

/* Lines spanning the reader's chunk boundaries, and an error far in. */
START_TEST(deny_file_large_streamed)
{
    enum { LINES = 60000, BAD = 45678 };
    apr_size_t cap = (apr_size_t)LINES * 64, len = 0, added = 0;
    char *text = apr_palloc(tu_pool, cap);
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
    const char *path, *err;
    int i;

    for (i = 1; i <= LINES; i++)
        len += (apr_size_t)apr_snprintf(text + len, cap - len, i % 3 ? "%040X\n" : "%X # c\r\n", i);
    path = tu_write_temp(text, len);
    ck_assert_ptr_null(cfaop_denyfile_load(tu_pool, path, set, &added));
    ck_assert_uint_eq(added, LINES);
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert_uint_eq(cfaop_serialset_count(set), LINES);
    for (i = 1; i <= LINES; i += 997)
        ck_assert(has(set, apr_psprintf(tu_pool, "%X", i)));
    ck_assert(!has(set, apr_psprintf(tu_pool, "%X", LINES + 1)));

    /* The same file with one bad line. */
    len = 0;
    for (i = 1; i <= LINES; i++)
        len += (apr_size_t)apr_snprintf(text + len, cap - len, i == BAD ? "%04X-\n" : "%040X\n", i);
    path = tu_write_temp(text, len);
    err = cfaop_denyfile_load(tu_pool, path, cfaop_serialset_create(tu_pool), NULL);
    ck_assert_str_eq(err, apr_psprintf(tu_pool, "line %d of %s: '%04X-' is not a serial number: "
                                       "it has a character that is not a hexadecimal digit",
                                       BAD, path, BAD));
}
END_TEST

START_TEST(deny_comment_after_glued_hash)
{
    cfaop_serialset_t *set;
    apr_size_t added = 0;

    /* A glued '#' is text; the search goes on to the next one. */
    ck_assert_str_eq(parse_text("01\n0A1B#x #c\n", NULL, NULL),
                     "line 2 of deny.txt: '0A1B#x' is not a serial number: it has a character "
                     "that is not a hexadecimal digit");
    ck_assert_str_eq(parse_text("0A# #c", NULL, NULL),
                     "line 1 of deny.txt: '0A#' is not a serial number: it has a character "
                     "that is not a hexadecimal digit");
    ck_assert_ptr_null(parse_text("##\n0A\t#c\n0B #c # d\n\t#\n0C #", &set, &added));
    ck_assert_uint_eq(added, 3);
    ck_assert(has(set, "0A") && has(set, "0B") && has(set, "0C"));
}
END_TEST

START_TEST(deny_prefixes_any_case_and_leading_zeros)
{
    const char *text = "DEC:10\n"
                       "SERIAL=0B\n"
                       "0X0C\n"
                       "Serial=000D\n"
                       "00:00:0e\n"
                       "0x0000000F\n"
                       "dec:0016\n"
                       "0000000000000000000000000000000000000000000000000011\n"
                       "dec\n";
    cfaop_serialset_t *set;
    apr_size_t added = 0;

    ck_assert_ptr_null(parse_text(text, &set, &added));
    ck_assert_uint_eq(added, 9);
    ck_assert_ptr_null(cfaop_serialset_freeze(set));
    ck_assert_uint_eq(cfaop_serialset_count(set), 9);
    ck_assert(has(set, "0A") && has(set, "0B") && has(set, "0C") && has(set, "0D"));
    ck_assert(has(set, "0E") && has(set, "0F") && has(set, "10") && has(set, "11"));
    ck_assert(has(set, "0DEC"));
}
END_TEST

START_TEST(deny_error_on_last_line_and_first)
{
    ck_assert_str_eq(parse_text("01\r\n\r\n# c\r\nzz", NULL, NULL),
                     "line 4 of deny.txt: 'zz' is not a serial number: it has a character "
                     "that is not a hexadecimal digit");
    ck_assert_str_eq(parse_text("\xef\xbb\xbf" "zz # c\r\n01\n", NULL, NULL),
                     "line 1 of deny.txt: 'zz' is not a serial number: it has a character "
                     "that is not a hexadecimal digit");
    ck_assert_str_eq(parse_text("01\n\n\n\n\n\n\n\n\n0x\n", NULL, NULL),
                     "line 10 of deny.txt: '0x' is not a serial number: no digits follow 0x");
}
END_TEST

/* The limit is on the line as it is in the file, comment and '\r' included. */
START_TEST(deny_line_length_limit_exact)
{
    char *line = apr_palloc(tu_pool, CFAOP_DENYFILE_LINE_MAX + 2);
    const char *path;

    memset(line, ' ', CFAOP_DENYFILE_LINE_MAX + 1);
    memcpy(line, "0A #", 4);
    line[CFAOP_DENYFILE_LINE_MAX - 1] = '\r';
    line[CFAOP_DENYFILE_LINE_MAX] = '\0';
    ck_assert_ptr_null(parse_text(apr_pstrcat(tu_pool, "01\n", line, "\n02", NULL), NULL, NULL));
    path = rv_write_text("01\n", line, "\n02\n", NULL);
    ck_assert_ptr_null(cfaop_denyfile_load(tu_pool, path, cfaop_serialset_create(tu_pool), NULL));

    line[CFAOP_DENYFILE_LINE_MAX - 1] = ' ';
    line[CFAOP_DENYFILE_LINE_MAX] = '\r';
    line[CFAOP_DENYFILE_LINE_MAX + 1] = '\0';
    ck_assert_str_eq(parse_text(apr_pstrcat(tu_pool, "01\n", line, "\n02", NULL), NULL, NULL),
                     "line 2 of deny.txt: the line is longer than 4096 characters");
    path = rv_write_text("01\n", line, "\n02\n", NULL);
    ck_assert_str_eq(cfaop_denyfile_load(tu_pool, path, cfaop_serialset_create(tu_pool), NULL),
                     apr_psprintf(tu_pool, "line 2 of %s: the line is longer than 4096 characters",
                                  path));
}
END_TEST

START_TEST(deny_file_empty_or_blank)
{
    static const char *const texts[] = { "", "\n", "\r\n", "\n\n  \n", "# only\n", "\xef\xbb\xbf" };
    size_t i;

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *path = tu_write_temp(texts[i], strlen(texts[i]));
        cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
        apr_size_t added = 99;

        ck_assert_ptr_null(cfaop_denyfile_load(tu_pool, path, set, &added));
        ck_assert_uint_eq(added, 0);
        ck_assert_ptr_null(cfaop_serialset_freeze(set));
        ck_assert_uint_eq(cfaop_serialset_count(set), 0);
    }
}
END_TEST

/* The reader takes the file in chunks of 256 KiB: shift the lines one byte
 * at a time so that a chunk ends at every place in a line (inside the
 * digits, between '\r' and '\n', just after '\n'), and once with that line
 * spoiled, whose number must still be right. */
START_TEST(deny_file_every_split_at_a_chunk_end)
{
    enum { LINES = 7000, LINE = 42, CHUNK = 256 * 1024 };
    apr_size_t cap = 64 + (apr_size_t)LINES * LINE;
    char *text = apr_palloc(tu_pool, cap);
    int shift;

    for (shift = 0; shift < LINE + 1; shift++) {
        apr_size_t len, added = 0, straddle;
        cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
        const char *path;
        int i;

        memset(text, '.', (apr_size_t)shift + 1);
        text[0] = '#';
        text[shift + 1] = '\n';
        len = (apr_size_t)shift + 2;
        for (i = 1; i <= LINES; i++)
            len += (apr_size_t)apr_snprintf(text + len, cap - len, "%040X\r\n", i);
        path = tu_write_temp(text, len);
        ck_assert_ptr_null(cfaop_denyfile_load(tu_pool, path, set, &added));
        ck_assert_uint_eq(added, LINES);
        ck_assert_ptr_null(cfaop_serialset_freeze(set));
        ck_assert_uint_eq(cfaop_serialset_count(set), LINES);
        /* Serial line j holds bytes [shift + 2 + (j - 1) * LINE, shift + 2 + j * LINE). */
        straddle = (CHUNK - 1 - (apr_size_t)(shift + 2)) / LINE + 1;
        ck_assert(has(set, apr_psprintf(tu_pool, "%X", (unsigned)straddle)));
        ck_assert(has(set, apr_psprintf(tu_pool, "%X", (unsigned)straddle + 1)));

        text[shift + 2 + (straddle - 1) * LINE + 20] = 'G';
        path = tu_write_temp(text, len);
        ck_assert_str_eq(cfaop_denyfile_load(tu_pool, path, cfaop_serialset_create(tu_pool), NULL),
                         apr_psprintf(tu_pool, "line %" APR_SIZE_T_FMT " of %s: '%020X%c%019X' "
                                      "is not a serial number: it has a character that is "
                                      "not a hexadecimal digit", straddle + 1, path, 0, 'G',
                                      (unsigned)straddle));
    }
}
END_TEST

START_TEST(deny_file_counts_bare_decimal_serials)
{
    const char *text = "\xef\xbb\xbf# list\n0A1B\n1234\ndec:99\n0x55\n  5678  # note\n7\n";
    const char *path = tu_write_temp(text, strlen(text));
    cfaop_serialset_t *set = cfaop_serialset_create(tu_pool);
    cfaop_denyfile_stats_t stats;

    ck_assert_ptr_null(cfaop_denyfile_load_stats(tu_pool, path, set, &stats));
    ck_assert_uint_eq(stats.added, 6);
    ck_assert_uint_eq(stats.ambiguous, 2);
    ck_assert_uint_eq(stats.first_ambiguous, 3);
}
END_TEST

Suite *serialset_suite(void)
{
    Suite *s = suite_create("serialset");
    TCase *tc = tu_tcase("serialset");
    TCase *deny = tu_tcase("denyfile");

    tcase_add_test(tc, empty_set);
    tcase_add_test(tc, hits_misses_and_duplicates);
    tcase_add_test(tc, zero_length_serial);
    tcase_add_test(tc, negative_is_not_positive);
    tcase_add_test(tc, lookup_before_freeze);
    tcase_add_test(tc, no_add_after_freeze);
    tcase_add_test(tc, many_sequential_and_wide);
    tcase_add_test(tc, add_all_merges);
    tcase_add_test(tc, include_shares_by_reference);
    tcase_add_test(tc, contains_cert);
    tcase_add_test(tc, released_with_pool);
    suite_add_tcase(s, tc);

    tcase_add_test(deny, deny_every_form_and_comments);
    tcase_add_test(deny, deny_crlf_and_no_final_newline);
    tcase_add_test(deny, deny_byte_order_mark);
    tcase_add_test(deny, deny_empty_file);
    tcase_add_test(deny, deny_error_line_numbers);
    tcase_add_test(deny, deny_comment_needs_whitespace);
    tcase_add_test(deny, deny_two_serials_on_a_line);
    tcase_add_test(deny, deny_overlong_serial);
    tcase_add_test(deny, deny_control_characters_quoted_safely);
    tcase_add_test(deny, deny_line_too_long);
    tcase_add_test(deny, deny_file_line_over_read_buffer);
    tcase_add_test(deny, deny_file_load);
    tcase_add_test(deny, deny_file_errors_name_path_and_line);
    tcase_add_test(deny, deny_file_missing_or_not_regular);
    tcase_add_test(deny, deny_file_large_streamed);
    tcase_add_test(deny, deny_comment_after_glued_hash);
    tcase_add_test(deny, deny_prefixes_any_case_and_leading_zeros);
    tcase_add_test(deny, deny_error_on_last_line_and_first);
    tcase_add_test(deny, deny_line_length_limit_exact);
    tcase_add_test(deny, deny_file_empty_or_blank);
    tcase_add_test(deny, deny_file_counts_bare_decimal_serials);
    tcase_add_test(deny, deny_file_every_split_at_a_chunk_end);
    suite_add_tcase(s, deny);
    return s;
}
