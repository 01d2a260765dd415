# SPDX-License-Identifier: Apache-2.0
# What handlers see of a request the module refuses, and of every request:
# forged Leg-1 headers (and their '_' spellings) never reach an error
# document, local or proxied to a backend, after a 421 (host mismatch), a
# 403 over plain HTTP or a 403 from Require cf-aop / cf-client-cert, in
# Strip, Trust and Verify; nor do Leg-1 names sent as trailers of a chunked
# body with MergeTrailers on; a '_' spelling is removed on connections that
# passed AOP too; docs/variables.md's proxy recipe lets no '_' spelling
# through. The handlers are t/modules/mod_cfaop_echo.c (reads the body,
# then prints the header lines it sees). Vhosts: t/conf/request.conf.in.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Identity;

# t/pki.d/request.sh loads what it found and built.
my $modules = do { local (@ARGV, $/) = CFAOPTest::pki('request-modules.conf'); <> } // '';
plan tests => 46, need({ 't/modules/mod_cfaop_echo.c built by t/pki.d/request.sh (see its output)' =>
                             ($modules =~ /cfaop_echo_module/ ? 1 : 0),
                         'mod_proxy_http (apxs finds no mod_proxy_http.so)' => ($modules =~ /proxy_http_module/ ? 1 : 0) });

# Forged headers of every kind, with '_' spellings and a control header.
my @forged = (
    ['cf-cert-verified', 'true'],
    ['CF-Client-Cert-Subject-DN', 'CN=mallory.example'],
    ['Client-Cert', rfc9440('forged')],
    ['CLIENT-CERT-CHAIN', rfc9440_chain('endclient-int')],
    ['cf_client_cert_sha256', '00'],
    ['client_cert', 'x'],
    ['CF_CERT_VERIFIED', 'true'],
    ['X-Req-Control', 'kept'],
);

# A request: METHOD PATH, Host, header lines as given; with trailers (or
# body), a chunked body carrying them.
sub request_text {
    my %a = @_;
    my $text = ($a{method} // 'GET') . " $a{path} HTTP/1.1\r\nHost: $a{host}\r\n";
    $text .= "$_->[0]: $_->[1]\r\n" for @{ $a{headers} || [] };
    if ($a{trailers} || defined $a{body}) {
        my $body = $a{body} // 'a=1';
        $text .= "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        $text .= sprintf("%x\r\n%s\r\n0\r\n", length $body, $body);
        $text .= "$_->[0]: $_->[1]\r\n" for @{ $a{trailers} || [] };
        return $text . "\r\n";
    }
    return $text . "Connection: close\r\n\r\n";
}

sub send_req {
    my %a = @_;
    return raw_request(vhost => $a{vhost}, cert => $a{cert}, sni => $a{sni}, plain => $a{plain},
                       request => request_text(%a, host => $a{host} // $a{sni} // '127.0.0.1'));
}

# The Leg-1 header lines (any spelling) that the echo handler saw: "H name"
# for headers, "T name" for trailers, sorted.
sub leg1_seen {
    my $body = shift // '';
    return join ' ', sort map { /^([HT]) ([^:]+):/ ? "$1 $2" : () }
        grep { /^[HT] (?:cf[-_]cert[-_]|cf[-_]client[-_]cert[-_]|client[-_]cert(?:[-_]chain)?:)/i }
        split /\n/, $body;
}
sub echo_has { my ($body, $line) = @_; return (grep { $_ eq $line } split /\n/, $body // '') ? 1 : 0 }
sub summary {
    my $r = shift;
    my ($uri) = ($r->{body} // '') =~ /^URI (\S+)$/m;
    return join ' ', $r->{status} // '-', $uri // '-', echo_has($r->{body}, 'H X-Req-Control: kept');
}

# ---- refused in post_read_request -------------------------------------------
my $mark = log_mark();
my $r = send_req(vhost => 'cfaop_req_on', cert => 'good', sni => 'app.req.test', host => 'zone.req.test',
                 path => '/env.shtml', headers => \@forged);
ok t_cmp(summary($r), '421 /req-echo/421 1', 'Strip, 421: the local error document ran');
ok t_cmp(leg1_seen($r->{body}), '', 'Strip, 421: no Leg-1 header reaches the error document');
ok t_cmp(log_wait($mark, qr/CFAOP0304:/) // 'none',
         qr/CFAOP0304: removed 7 client-certificate header\(s\) from a request the module refused/,
         'Strip, 421: CFAOP0304 counts them');
ok t_cmp(log_wait($mark, qr/CFAOP0201:/) // 'none',
         qr/CFAOP0201: request refused \(421\): reason=host-mismatch client=127\.0\.0\.1 host="zone\.req\.test" sni="app\.req\.test": the connection was verified under policy hostname:app\.req\.test, the Host selects zone$/,
         'CFAOP0201 quotes the Host and names the SNI');

$r = send_req(vhost => 'cfaop_req_trust', cert => 'good', sni => 'app.req.test', host => 'zone.req.test',
              path => '/env.shtml', headers => \@forged);
ok t_cmp(summary($r), '200 /req-echo/421 1', 'Trust, 421: the error document proxied to the backend ran (its status)');
ok t_cmp(leg1_seen($r->{body}), '', 'Trust, 421: no Leg-1 header reaches the proxied backend');

$r = send_req(vhost => 'cfaop_req_verify', cert => 'good', sni => 'app.req.test', host => 'zone.req.test',
              path => '/env.shtml', headers => \@forged);
ok t_cmp(summary($r), '421 /req-echo/421 1', 'Verify, 421: the local error document ran');
ok t_cmp(leg1_seen($r->{body}), '', 'Verify, 421: no Leg-1 header reaches it');

# The same with the Leg-1 names also sent as trailers, the error document
# reading the body (MergeTrailers is off here: trailers stay trailers).
$r = send_req(vhost => 'cfaop_req_verify', cert => 'good', sni => 'app.req.test', host => 'zone.req.test',
              method => 'POST', path => '/env.shtml', headers => \@forged, trailers => \@forged);
ok t_cmp(summary($r), '421 /req-echo/421 1', 'Verify, 421 with trailers: the error document read the body');
ok t_cmp(leg1_seen($r->{body}), '', 'Verify, 421 with trailers: no Leg-1 header or trailer reaches it');

$mark = log_mark();
$r = send_req(vhost => 'cfaop_req_plain', plain => 1, path => '/env.shtml', headers => \@forged);
ok t_cmp(summary($r), '200 /req-echo/403 1', 'plain HTTP, 403: the error document proxied to the backend ran (its status)');
ok t_cmp(leg1_seen($r->{body}), '', 'plain HTTP, 403: no Leg-1 header reaches the proxied backend');
ok t_cmp(log_wait($mark, qr/CFAOP0202:/) // 'none',
         qr/CFAOP0202: request refused \(403\): reason=no-cert client=127\.0\.0\.1 host="127\.0\.0\.1" sni=-: the connection is not TLS/,
         'CFAOP0202 quotes the Host');

# ---- refused by an authorization provider -----------------------------------
# A verified connection in Trust: its Leg-1 headers are believed, but
# Cloudflare says it did not verify the end client: 403, and the error
# document (proxied) gets none of them.
$mark = log_mark();
$r = send_req(vhost => 'cfaop_req_trust', cert => 'good', sni => 'app.req.test', path => '/req-cc/env.shtml',
              headers => [cf_cert_headers('alice', verified => 'false'), ['Client-Cert', rfc9440('alice')],
                          ['X-Req-Control', 'kept']]);
ok t_cmp(summary($r), '200 /req-echo/403 1', 'Require cf-client-cert denied: the proxied error document ran (its status)');
ok t_cmp(leg1_seen($r->{body}), '', 'Require cf-client-cert denied: no Leg-1 header reaches it');
ok t_cmp(log_wait($mark, qr/CFAOP0401:/) // 'none',
         qr/CFAOP0401: Require cf-client-cert denied: reason=Cloudflare did not verify the end client's certificate client=127\.0\.0\.1 uri="\/req-cc\/env\.shtml"$/,
         'CFAOP0401 quotes the URI');
# A URI that tries to add a field to the line stays inside its quotes
# (httpd's error log writes the backslash of \" as two).
$mark = log_mark();
$r = send_req(vhost => 'cfaop_req_trust', cert => 'good', sni => 'app.req.test', path => '/req-cc/x%22%20reason=ok',
              headers => [cf_cert_headers('alice', verified => 'false')]);
ok t_cmp(log_wait($mark, qr/CFAOP0401:/) // 'none',
         qr/CFAOP0401: Require cf-client-cert denied: reason=Cloudflare did not verify the end client's certificate client=127\.0\.0\.1 uri="\/req-cc\/x\\\\" reason=ok"$/,
         'CFAOP0401: a quote in the URI is escaped');
# A 1.5 KB URI (in segments a file system accepts, for the denial to be
# the module's): the value is cut at 256 bytes (marked "+), the line
# stays under 1 KiB.
$mark = log_mark();
$r = send_req(vhost => 'cfaop_req_trust', cert => 'good', sni => 'app.req.test', path => '/req-cc/' . join('/', ('x' x 180) x 8),
              headers => [cf_cert_headers('alice', verified => 'false')]);
my $long = log_wait($mark, qr/CFAOP0401:/) // 'none';
ok t_cmp(join(' ', length($long) <= 1024 ? 'bounded' : length($long), $long =~ /uri="\/req-cc\/[x\/]+"\+$/ ? 'cut' : 'not-cut'),
         'bounded cut', 'CFAOP0401 with a 1.5 KB URI: the value cut, the line under 1 KiB');
# Control: the same vhost, a verified end client: served, headers kept.
$r = send_req(vhost => 'cfaop_req_trust', cert => 'good', sni => 'app.req.test', path => '/req-echo/cc',
              headers => [cf_cert_headers('alice'), ['X-Req-Control', 'kept']]);
ok t_cmp(summary($r), '200 /req-echo/cc 1', 'Trust, verified connection: served');
ok t_cmp(scalar(() = leg1_seen($r->{body}) =~ /H cf-cert-/g), 9, 'Trust, verified connection: its 9 cf-cert-* headers reach the handler');

# Require cf-aop on a ReportOnly vhost, a client without a certificate,
# the error document reading the body with Leg-1 trailers (MergeTrailers on).
$r = send_req(vhost => 'cfaop_req_report', path => '/req-aop/env.shtml', method => 'POST',
              headers => \@forged, trailers => [@forged, ['X-Req-Trailer', 'kept']]);
ok t_cmp(summary($r), '403 /req-echo/403 1', 'Require cf-aop denied: the local error document ran');
ok t_cmp(leg1_seen($r->{body}), '', 'Require cf-aop denied: no Leg-1 header or trailer reaches it');
ok t_cmp(echo_has($r->{body}, 'H X-Req-Trailer: kept') . echo_has($r->{body}, 'T X-Req-Trailer: kept'), '11',
         'Require cf-aop denied: other trailers are merged as httpd does');

# ---- trailers on a served request ---------------------------------------------
$mark = log_mark();
$r = send_req(vhost => 'cfaop_req_report', path => '/req-echo/t', method => 'POST',
              trailers => [@forged, ['X-Req-Trailer', 'kept']]);
ok t_cmp(summary($r), '200 /req-echo/t 1', 'no AOP certificate, Leg-1 trailers: served');
ok t_cmp(leg1_seen($r->{body}), '', 'no AOP certificate: no Leg-1 trailer reaches the handler, merged or not');
ok t_cmp(echo_has($r->{body}, 'H X-Req-Trailer: kept'), 1, 'no AOP certificate: other trailers are merged');
ok t_cmp(log_wait($mark, qr/CFAOP0306:/) // 'none',
         qr/CFAOP0306: removed 7 client-certificate header\(s\) sent as trailers of the request body/,
         'CFAOP0306 counts the Leg-1 trailers');

# A verified connection in Trust: the headers are believed, the trailers
# (which Cloudflare never sends) are not, and do not override them.
$r = send_req(vhost => 'cfaop_req_report_trust', cert => 'good', path => '/req-echo/t', method => 'POST',
              headers => [cf_cert_headers('alice')],
              trailers => [['cf-cert-verified', 'false'], ['Cf-Cert-Subject-DN', 'CN=mallory'],
                           ['Client-Cert', rfc9440('forged')]]);
my @verified = grep { /^[HT] cf-cert-verified:/i } split /\n/, $r->{body} // '';
ok t_cmp(join('|', $r->{status} // '-', @verified), '200|H cf-cert-verified: true',
         'Trust, verified connection: a cf-cert-verified trailer neither joins nor replaces the header');
ok t_cmp(scalar(grep { /mallory|^[HT] Client-Cert:/i } split /\n/, $r->{body} // ''), 0,
         'Trust, verified connection: no other Leg-1 trailer either');

# ---- '_' spellings on connections that passed AOP ------------------------------
my @underscored = (['cf_client_cert_sha256', '00'], ['client_cert', 'x'], ['CF_CERT_VERIFIED', 'true'],
                   ['cf-cert-subject_dn', 'CN=mallory']);
for my $case (['Strip', 'cfaop_req_report', undef],
              ['Trust', 'cfaop_req_report_trust', undef],
              ['Verify', 'cfaop_req_verify', 'app.req.test']) {
    my ($mode, $vhost, $sni) = @$case;
    $mark = log_mark();
    $r = send_req(vhost => $vhost, cert => 'good', sni => $sni, path => '/req-echo/u',
                  headers => [cf_cert_headers('alice'), @underscored, ['X-Req-Control', 'kept']]);
    ok t_cmp(summary($r), '200 /req-echo/u 1', "$mode, verified connection with '_' spellings: served");
    ok t_cmp(join(' ', grep { /_/ } split / /, leg1_seen($r->{body})), '',
             "$mode, verified connection: no '_' spelling reaches the handler");
    ok t_cmp(log_wait($mark, qr/CFAOP0305:|CFAOP0302:/) // 'none',
             $mode eq 'Strip' ? qr/CFAOP0305: removed 4 header\(s\) spelt as a client-certificate header with '_'/
                              : qr/CFAOP0302: .*'_' in the header name/,
             "$mode: logged");
    # Strip leaves the '-' spellings to the application; in Trust and
    # Verify a '_' spelling makes the set invalid, and all of it goes.
    ok t_cmp(scalar(() = leg1_seen($r->{body}) =~ /H cf-cert-/g), $mode eq 'Strip' ? 9 : 0,
             "$mode: the cf-cert-* headers " . ($mode eq 'Strip' ? 'themselves are kept' : 'go too'));
}

# ---- docs/variables.md's proxy recipe -------------------------------------------
sub aop_lines { return join '|', grep { /^H AOP.Verified:/i } split /\n/, $_[0]{body} // '' }
for my $name ('AOP_Verified', 'aop_verified', 'AOP-Verified', 'aop-verified') {
    $r = send_req(vhost => 'cfaop_req_recipe', path => '/app/x', headers => [[$name, 'SUCCESS']]);
    ok t_cmp(join(' ', $r->{status} // '-', aop_lines($r)), '200 H AOP-Verified: NONE',
             "recipe: a client's $name never reaches the backend, the module's value does");
}
$r = send_req(vhost => 'cfaop_req_recipe', cert => 'good', path => '/app/x',
              headers => [['AOP_Verified', 'forged'], ['AOP-Verified', 'forged']]);
ok t_cmp(join(' ', $r->{status} // '-', aop_lines($r)), '200 H AOP-Verified: SUCCESS',
         "recipe, verified connection: the backend gets the module's verdict only");
