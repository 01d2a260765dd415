# SPDX-License-Identifier: Apache-2.0
# The end client's certificate headers (Leg 1: cf-cert-*, cf-client-cert-*,
# RFC 9440 Client-Cert and Client-Cert-Chain) under CFAOPClientCertHeaders
# Strip, Trust and Off, over HTTP/1.1 and HTTP/2: a connection that did not
# pass AOP never gets them to the application; a verified one in Trust gets
# each CF_CLIENT_CERT_* with exactly the value sent; names the module sets
# itself are never taken from a header. Vhosts: t/conf/identity.conf.in;
# end-client certificates: t/pki.d/identity.sh; AOP certificate: good.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Identity;

my $curl_v = qx{curl -V 2>/dev/null} // '';
plan tests => 89, need { 'curl with HTTP/2' => $curl_v =~ /^Features:.*\bHTTP2\b/m };

my $alice = cert_info('alice');
my $bob   = cert_info('bob');

# ---- every Leg-1 header kind, mixed case, repeated --------------------------
# httpd joins repeated names (in any case) into one entry, so the module
# sees 10 distinct Leg-1 names here; X-Id-Control is not Leg-1. httpd
# compares the names with strcasecmp(), so in a child under tr_TR.UTF-8
# (t/request-locale.t) it leaves cf-cert-verified and CF-CERT-VERIFIED
# apart: 11 there.
my @forged = (
    ['cf-cert-verified', 'true'],
    ['CF-CERT-VERIFIED', 'true'],
    ['Cf-Cert-Revoked', 'false'],
    ['cf-cert-subject-dn', 'CN=mallory.example'],
    ['CF-Client-Cert-Subject-DN', 'CN=mallory.example'],
    ['cf-client-cert-role', 'admin'],
    ['Cf-Client-Cert-Role', 'admin'],
    ['Client-Cert', rfc9440('forged')],
    ['client-cert', rfc9440('forged')],
    ['CLIENT-CERT-CHAIN', rfc9440_chain('endclient-int')],
    ['cf-cert-pem', '-----BEGIN CERTIFICATE-----'],
    ['CF_Cert_Underscore', 'x'],
    ['Client_Cert', rfc9440('forged')],
    ['X-Id-Control', 'kept'],
);
# Under tr_TR.UTF-8 httpd's own table (strcasecmp) no longer joins
# cf-cert-verified with CF-CERT-VERIFIED, so there is one entry more; a
# sanitizer runtime's strcasecmp ignores the locale, and httpd joins them
# again. What the module does is the same either way.
my $turkish = server_locale() =~ /^tr_TR/;
my $forged_distinct = $turkish ? '1[01]' : '10';
# What the application sees of them when they are left alone (printenv
# shows no name with '_'; X-Id-Underscore-Header shows CF_Cert_Underscore).
my $all_seen = join ' ', qw(HTTP_CF_CERT_PEM HTTP_CF_CERT_REVOKED HTTP_CF_CERT_SUBJECT_DN
                            HTTP_CF_CERT_VERIFIED HTTP_CF_CLIENT_CERT_ROLE
                            HTTP_CF_CLIENT_CERT_SUBJECT_DN HTTP_CLIENT_CERT HTTP_CLIENT_CERT_CHAIN);
my $strip_line = qr/CFAOP0301: removed $forged_distinct client-certificate header\(s\) from a connection that did not pass AOP/;

# A direct client without an AOP certificate on a ReportOnly vhost: served,
# but none of the headers reaches the application, whatever the TLS version.
for my $tls ('1.3', '1.2') {
    my $mark = log_mark();
    my $r = id_request(vhost => 'cfaop_id_report', tls => $tls, headers => \@forged);
    my $env = $r->{env} || {};
    ok t_cmp(join(' ', $r->{status} // '-', $env->{CF_AOP_VERIFIED} // '-'), '200 NONE',
             "TLS $tls, no AOP certificate, ReportOnly: served");
    ok t_cmp(leg1_headers_seen($env), '', "TLS $tls, no AOP certificate: no Leg-1 header reaches the application");
    ok t_cmp($r->{headers}{'x-id-underscore-header'} // '(absent)', '(absent)',
             "TLS $tls, no AOP certificate: CF_Cert_Underscore removed too");
    ok t_cmp(leg1_keys($env), '', "TLS $tls, no AOP certificate: no CF_CLIENT_CERT_*");
    ok t_cmp($env->{HTTP_X_ID_CONTROL}, 'kept', "TLS $tls: other headers still reach the application");
    ok log_has($mark, $strip_line, "TLS $tls: CFAOP0301 counts the headers removed");
}

# A certificate that fails AOP (ReportOnly lets the handshake through).
{
    my $r = id_request(vhost => 'cfaop_id_report', cert => 'wrongca', headers => \@forged);
    ok t_cmp(join(' ', $r->{status} // '-', $r->{env}{CF_AOP_VERIFIED} // '-'), '200 FAILED:untrusted',
             'untrusted AOP certificate, ReportOnly: served');
    ok t_cmp(leg1_headers_seen($r->{env}) . '|' . leg1_keys($r->{env}), '|',
             'untrusted AOP certificate: no Leg-1 header, no CF_CLIENT_CERT_*');
}

# Control: the same headers on an AOP-verified connection of the same vhost
# (Strip) reach the application, repeated ones joined by httpd; nothing is
# exported and nothing logged as removed.
{
    my $mark = log_mark();
    my $r = id_request(vhost => 'cfaop_id_report', cert => 'good', headers => \@forged);
    my $env = $r->{env} || {};
    ok t_cmp(join(' ', $r->{status} // '-', $env->{CF_AOP_VERIFIED} // '-'), '200 SUCCESS',
             'AOP certificate, Strip: served');
    ok t_cmp(leg1_headers_seen($env), $all_seen, 'AOP certificate, Strip: the headers reach the application');
    ok t_cmp(join('|', map { $env->{$_} // '-' } qw(HTTP_CF_CERT_VERIFIED HTTP_CF_CLIENT_CERT_ROLE)),
             $turkish ? qr/^true(?:, true)?\|admin, admin$/ : 'true, true|admin, admin',
             'AOP certificate, Strip: values as httpd joined them');
    ok t_cmp($r->{headers}{'x-id-underscore-header'} // '(absent)', '(absent)',
             "AOP certificate, Strip: CF_Cert_Underscore removed (Cloudflare never sends a '_' spelling)");
    ok t_cmp(leg1_keys($env), '', 'AOP certificate, Strip: no CF_CLIENT_CERT_*');
    ok log_lacks($mark, qr/CFAOP030[123]/, 'AOP certificate, Strip: no CFAOP030x line');
}

# ---- the same over HTTP/2 -----------------------------------------------------
# curl sends the names lower-cased (HTTP/2 wants them so); mod_http2
# joins repeated ones as httpd does for HTTP/1.1.
my @forged_h2 = @forged;
{
    my $mark = log_mark();
    my $r = curl_request(vhost => 'cfaop_id_report', headers => \@forged_h2);
    ok t_cmp(join(' ', $r->{version} // '-', $r->{status} // '-', $r->{env}{SERVER_PROTOCOL} // '-',
                  $r->{env}{CF_AOP_VERIFIED} // '-'),
             '2 200 HTTP/2.0 NONE', 'HTTP/2, no AOP certificate, ReportOnly: served');
    ok t_cmp(leg1_headers_seen($r->{env}), '', 'HTTP/2, no AOP certificate: no Leg-1 header reaches the application');
    ok t_cmp($r->{headers}{'x-id-underscore-header'} // '(absent)', '(absent)',
             'HTTP/2, no AOP certificate: cf_cert_underscore removed too');
    ok t_cmp(leg1_keys($r->{env}), '', 'HTTP/2, no AOP certificate: no CF_CLIENT_CERT_*');
    ok t_cmp($r->{env}{HTTP_X_ID_CONTROL}, 'kept', 'HTTP/2: other headers still reach the application');
    # Lower-cased by curl, the repeated names join whatever the locale.
    ok log_has($mark, qr/CFAOP0301: removed 10 client-certificate header\(s\) from a connection that did not pass AOP/,
               "HTTP/2: CFAOP0301 counts the 10 headers removed");

    $r = curl_request(vhost => 'cfaop_id_report', cert => 'good', headers => \@forged_h2);
    ok t_cmp(join(' ', $r->{version} // '-', $r->{status} // '-', $r->{env}{CF_AOP_VERIFIED} // '-'),
             '2 200 SUCCESS', 'HTTP/2, AOP certificate, Strip: served');
    ok t_cmp(leg1_headers_seen($r->{env}), $all_seen, 'HTTP/2, AOP certificate, Strip: the headers reach the application');
    ok t_cmp($r->{headers}{'x-id-underscore-header'} // '(absent)', '(absent)', 'HTTP/2, AOP certificate, Strip: cf_cert_underscore removed');
}

# ---- Trust: each variable with the exact value sent ------------------------
# Cloudflare's managed transform for bob, a custom transform's fields
# (cf-client-cert-*: one repeating a cf-cert-* field with the same value,
# one new), Client-Cert and a two-certificate Client-Cert-Chain, in mixed case.
my @bob_headers = (
    (map { [join('-', map { ucfirst } split /-/, $_->[0]), $_->[1]] } cf_cert_headers('bob')),
    ['cf-cert-subject-dn-legacy', '/O=End Client Test, Ltd./OU=Leg 1/CN=bob.example'],
    ['CF-CLIENT-CERT-SERIAL', $bob->{serial}],
    ['cf-client-cert-team', 'blue team'],
    ['client-cert', rfc9440('bob')],
    ['Client-Cert-Chain', rfc9440_chain('endclient-int', 'endclient-ca')],
);
my %bob_vars = (
    CF_CLIENT_CERT_PRESENTED => 'true',
    CF_CLIENT_CERT_VERIFIED => 'true',
    CF_CLIENT_CERT_REVOKED => 'false',
    CF_CLIENT_CERT_SUBJECT_DN => $bob->{subject},
    CF_CLIENT_CERT_ISSUER_DN => $bob->{issuer},
    CF_CLIENT_CERT_SERIAL => $bob->{serial},
    CF_CLIENT_CERT_FINGERPRINT_SHA256 => $bob->{sha256},
    CF_CLIENT_CERT_NOT_BEFORE => $bob->{notBefore},
    CF_CLIENT_CERT_NOT_AFTER => $bob->{notAfter},
    CF_CLIENT_CERT_SUBJECT_DN_LEGACY => '/O=End Client Test, Ltd./OU=Leg 1/CN=bob.example',
    CF_CLIENT_CERT_TEAM => 'blue team',
);
my $bob_keys = join ' ', sort(keys %bob_vars, 'CF_CLIENT_CERT_PEM', 'CF_CLIENT_CERT_CHAIN_PEM');
my $chain_pem = cert_pem('endclient-int') . cert_pem('endclient-ca');

sub trust_checks {
    my ($r, $what) = @_;
    my $env = $r->{env} || {};
    ok t_cmp(join(' ', $r->{status} // '-', $env->{CF_AOP_VERIFIED} // '-'), '200 SUCCESS', "$what: served");
    ok t_cmp(leg1_keys($env), $bob_keys, "$what: exactly these CF_CLIENT_CERT_* variables");
    for my $var (sort keys %bob_vars) {
        ok t_cmp($env->{$var}, $bob_vars{$var}, "$what: $var");
    }
    ok t_cmp(pem_header($r, 'X-Id-Pem'), cert_pem('bob'), "$what: CF_CLIENT_CERT_PEM is the PEM of Client-Cert");
    ok t_cmp(pem_header($r, 'X-Id-Chain-Pem'), $chain_pem,
             "$what: CF_CLIENT_CERT_CHAIN_PEM is Client-Cert-Chain's certificates, in order");
}

{
    my $mark = log_mark();
    trust_checks(id_request(vhost => 'cfaop_id_trust', cert => 'good', headers => \@bob_headers), 'Trust');
    ok log_lacks($mark, qr/CFAOP030[123]/, 'Trust, valid headers: no CFAOP030x line');
}
trust_checks(curl_request(vhost => 'cfaop_id_trust', cert => 'good', headers => \@bob_headers), 'HTTP/2 Trust');
{
    my $r = id_request(vhost => 'cfaop_id_trust', cert => 'good', tls => '1.2', headers => \@bob_headers);
    ok t_cmp(join(' ', $r->{status} // '-', $r->{env}{SSL_PROTOCOL} // '-', leg1_keys($r->{env})), "200 TLSv1.2 $bob_keys",
             'Trust over TLS 1.2: exported');
    ok t_cmp($r->{env}{CF_CLIENT_CERT_SUBJECT_DN}, $bob->{subject}, 'Trust over TLS 1.2: CF_CLIENT_CERT_SUBJECT_DN');
}
# Values are passed on byte for byte: UTF-8 in a DN, a value with ", " in a
# field that may hold commas, spaces inside.
{
    my %v = ('cf-cert-subject-dn' => "CN=Zo\xc3\xab \xc3\x9cn\xc3\xafcode,O=Ex\xc3\xa4mple\\, Ltd.,C=DE",
             'cf-client-cert-groups' => 'admins, ops,  on-call');
    my $r = id_request(vhost => 'cfaop_id_trust', cert => 'good', headers => [map { [$_, $v{$_}] } sort keys %v]);
    ok t_cmp(join('|', map { $r->{env}{$_} // '-' } qw(CF_CLIENT_CERT_GROUPS CF_CLIENT_CERT_SUBJECT_DN)),
             join('|', @v{qw(cf-client-cert-groups cf-cert-subject-dn)}), 'Trust: values byte for byte');
}

# ReportOnly with Trust: the same headers without an AOP certificate are
# not believed, over HTTP/1.1 and HTTP/2; with one they are (control).
{
    my $r = id_request(vhost => 'cfaop_id_report_trust', headers => \@bob_headers);
    ok t_cmp(join(' ', $r->{status} // '-', leg1_keys($r->{env}) || '-', leg1_headers_seen($r->{env}) || '-',
                  $r->{headers}{'x-id-pem'} // '-'),
             '200 - - -', 'Trust, ReportOnly, no AOP certificate: nothing exported, headers removed');
    $r = curl_request(vhost => 'cfaop_id_report_trust', headers => \@bob_headers);
    ok t_cmp(join(' ', $r->{version} // '-', $r->{status} // '-', leg1_keys($r->{env}) || '-',
                  leg1_headers_seen($r->{env}) || '-'),
             '2 200 - -', 'HTTP/2 Trust, ReportOnly, no AOP certificate: nothing exported, headers removed');
    $r = id_request(vhost => 'cfaop_id_report_trust', cert => 'good', headers => \@bob_headers);
    ok t_cmp(join(' ', $r->{status} // '-', leg1_keys($r->{env})), "200 $bob_keys",
             'Trust, ReportOnly, AOP certificate: exported');
}

# ---- Strip (the default) and Off on verified connections ------------------
my $strip_seen = 'HTTP_CF_CERT_FINGERPRINT_SHA256 HTTP_CF_CERT_ISSUER_DN HTTP_CF_CERT_NOT_AFTER HTTP_CF_CERT_NOT_BEFORE '
               . 'HTTP_CF_CERT_PRESENTED HTTP_CF_CERT_REVOKED HTTP_CF_CERT_SERIAL HTTP_CF_CERT_SUBJECT_DN '
               . 'HTTP_CF_CERT_SUBJECT_DN_LEGACY HTTP_CF_CERT_VERIFIED HTTP_CF_CLIENT_CERT_SERIAL '
               . 'HTTP_CF_CLIENT_CERT_TEAM HTTP_CLIENT_CERT HTTP_CLIENT_CERT_CHAIN';
{
    my $r = id_request(vhost => 'cfaop_id_strip', cert => 'good', headers => \@bob_headers);
    ok t_cmp(join(' ', $r->{status} // '-', $r->{env}{CF_AOP_VERIFIED} // '-'), '200 SUCCESS', 'Strip (default), AOP certificate: served');
    ok t_cmp(leg1_keys($r->{env}), '', 'Strip: no CF_CLIENT_CERT_*');
    ok t_cmp($r->{headers}{'x-id-pem'} // '(absent)', '(absent)', 'Strip: no CF_CLIENT_CERT_PEM');
    ok t_cmp(leg1_headers_seen($r->{env}), $strip_seen, 'Strip, AOP certificate: the headers pass through');
    ok t_cmp($r->{env}{HTTP_CF_CERT_SUBJECT_DN}, $bob->{subject}, 'Strip: a header value unchanged');
}
for my $cert (undef, 'good') {
    my $what = 'Off, ' . ($cert ? 'AOP certificate' : 'no AOP certificate');
    my $mark = log_mark();
    my $r = id_request(vhost => 'cfaop_id_off', cert => $cert, headers => \@forged);
    ok t_cmp(join(' ', $r->{status} // '-', $r->{env}{CF_AOP_VERIFIED} // '-'), '200 ' . ($cert ? 'SUCCESS' : 'NONE'),
             "$what: served");
    ok t_cmp(leg1_headers_seen($r->{env}) . '|' . ($r->{headers}{'x-id-underscore-header'} // '-'), "$all_seen|x",
             "$what: the headers are left alone");
    ok t_cmp(leg1_keys($r->{env}), '', "$what: no CF_CLIENT_CERT_*");
    ok log_lacks($mark, qr/CFAOP030[123]/, "$what: no CFAOP030x line");
}
# A vhost without CFAOP: CFAOPClientCertHeaders Trust there does nothing.
{
    my $r = id_request(vhost => 'cfaop_id_inactive', headers => [@forged, @bob_headers]);
    ok t_cmp(join(' ', $r->{status} // '-', $r->{env}{CF_AOP_VERIFIED} // '-', leg1_keys($r->{env}) || '-'), '200 - -',
             'no CFAOP, Trust: no CF_AOP_*, no CF_CLIENT_CERT_*');
    my %union = map { $_ => 1 } split(' ', $all_seen), split(' ', $strip_seen);
    ok t_cmp(leg1_headers_seen($r->{env}), join(' ', sort keys %union), 'no CFAOP: the headers are left alone');
}

# ---- names the module sets itself ------------------------------------------
# On a verified Trust connection, a header that would fill one of them
# makes the whole set invalid: nothing exported, CFAOP0302 names it.
for my $case (['cf-cert-pem', 'CF_CLIENT_CERT_PEM'],
              ['cf-client-cert-origin-verified', 'CF_CLIENT_CERT_ORIGIN_VERIFIED'],
              ['CF-Cert-Chain-PEM', 'CF_CLIENT_CERT_CHAIN_PEM']) {
    my ($header, $var) = @$case;
    my $mark = log_mark();
    my $r = id_request(vhost => 'cfaop_id_trust', cert => 'good',
                       headers => [@bob_headers, [$header, $var =~ /ORIGIN/ ? 'SUCCESS' : cert_pem('alice') =~ s/\n/ /gr]]);
    ok t_cmp(join(' ', $r->{status} // '-', leg1_keys($r->{env}) || '-', $r->{headers}{'x-id-pem'} // '-'), '200 - -',
             "Trust, header $header: no CF_CLIENT_CERT_* at all (no $var)");
    ok log_has($mark, qr/CFAOP0302: client-certificate headers ignored: reason=invalid client=127\.0\.0\.1: \Q$header\E: \Q$var\E is set by the module, never from a header/,
               "Trust, header $header: CFAOP0302");
}

# The '_' spelling of a Leg-1 name (which some stacks read as the '-' one)
# is not believed either: the set is invalid on a verified connection too.
{
    my $mark = log_mark();
    my $r = id_request(vhost => 'cfaop_id_trust', cert => 'good', headers => [@bob_headers, ['CF_Cert_Verified', 'true']]);
    ok t_cmp(join(' ', $r->{status} // '-', leg1_keys($r->{env}) || '-'), '200 -', "Trust, header CF_Cert_Verified: no CF_CLIENT_CERT_*");
    ok log_has($mark, qr/CFAOP0302: client-certificate headers ignored: reason=invalid client=127\.0\.0\.1: CF_Cert_Verified: '_' in the header name \(only the '-' spelling is accepted\)$/,
               'Trust, header CF_Cert_Verified: CFAOP0302');
}
