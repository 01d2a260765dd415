# SPDX-License-Identifier: Apache-2.0
# The Host binding of per-hostname AOP (CFAOPHostCheck On, the default), on
# <VirtualHost cfaop_hn>: a connection verified under one hostname policy
# never serves a request whose host selects another policy, whichever way
# the other host is named: a Host header, an absolute-form target, another
# HTTP/2 :authority on the same connection, a TLS session resumed under
# another SNI. <VirtualHost cfaop_hn_nocheck> (CFAOPHostCheck Off) is the
# control: there httpd and mod_ssl serve the same requests.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Hostname;

my $curl_v = qx{curl -V 2>/dev/null} // '';
my $no_h2 = $curl_v =~ /^Features:.*\bHTTP2\b/m ? '' : 'curl without HTTP/2';
plan tests => 69;

my $app   = 'hostname:app.example.test';
my $shop  = 'hostname:shop.example.test';
my $wild  = 'hostname:*.example.test';
my $admin = 'hostname:admin.example.test';

sub refusal {
    my ($host, $verified, $selects) = @_;
    return qr/CFAOP0201: request refused \(421\): reason=host-mismatch client=127\.0\.0\.1 host="\Q$host\E" sni=(?:-|"[^"]*"): the connection was verified under policy \Q$verified\E, the Host selects \Q$selects\E\s*$/;
}

sub statuses { join ' ', map { $_->{status} } @{ $_[0]->{responses} } }

# ---- Host header ----------------------------------------------------------
# [SNI, leaf, Host, status, the connection's policy, the Host's policy]
my @host_cases = (
    ['app.example.test', 'app',   'shop.example.test',     421, $app,   $shop],
    ['app.example.test', 'app',   'b.example.test',        421, $app,   $wild],
    ['app.example.test', 'app',   'www.other.test',        421, $app,   'zone'],
    [undef,              '/good', 'app.example.test',      421, 'zone', $app],   # the zone leaf does not reach a hostname
    ['a.example.test',   'wild',  'admin.example.test',    421, $wild,  $admin], # exact entry: a policy of its own
    ['a.example.test',   'wild',  'x.a.example.test',      421, $wild,  'zone'],
    # controls: the Host selects the connection's own policy
    ['app.example.test', 'app',   'APP.Example.Test:' . port('cfaop_hn'), 200, $app, $app],
    ['a.example.test',   'wild',  'b.example.test',        200, $wild,  $wild],  # one wildcard entry: one policy
    ['www.other.test',   '/good', 'another.other.test',    200, 'zone', 'zone'], # both fall back to the zone
);

for my $c (@host_cases) {
    my ($sni, $cert, $host, $status, $conn, $selects) = @$c;
    my $what = 'SNI ' . ($sni // '(none)') . ", Host $host";
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_hn', cert => hn_cert($cert), sni => $sni, host => $host);
    if ($status == 421) {
        ok t_cmp(hn_summary($r), 'new 421 - - no-alert', "$what: 421, nothing exported");
        ok t_cmp($r->{headers}{'x-cf-aop-verified'} // 'absent', 'absent', "$what: no verdict header");
        ok t_cmp(log_wait($mark, refusal(lc($host), $conn, $selects)) // 'none', qr/CFAOP0201/,
                 "$what: CFAOP0201 names $conn and $selects");
    }
    else {
        ok t_cmp(hn_summary($r), "new 200 SUCCESS $conn no-alert", "$what: served under $conn");
        ok t_cmp($r->{headers}{'x-cf-aop-verified'} // 'absent', 'SUCCESS', "$what: verdict header");
        ok t_cmp($r->{env}{HTTP_HOST} // '-', $host, "$what: the request's Host");
    }
}

# Keep-alive: each request on the connection is judged by its own Host.
# (httpd closes the connection after a request refused this early.)
{
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_hn', cert => 'hn/app', sni => 'app.example.test',
                        hosts => ['app.example.test', 'app.example.test', 'shop.example.test']);
    ok t_cmp(statuses($r), '200 200 421', 'one connection, Host app, app, shop: 200 200 421');
    ok t_cmp(log_wait($mark, refusal('shop.example.test', $app, $shop)) // 'none', qr/CFAOP0201/,
             'one connection: CFAOP0201 for shop');
}

# CFAOPHostCheck Off: the same request is served, under the SNI's policy;
# the handshake is still judged per hostname.
{
    my $r = tls_request(vhost => 'cfaop_hn_nocheck', cert => 'hn/app', sni => 'app.example.test',
                        host => 'shop.example.test');
    ok t_cmp(hn_summary($r), "new 200 SUCCESS $app no-alert", 'HostCheck Off: SNI app, Host shop: 200 under the SNI policy');
    ok t_cmp($r->{env}{HTTP_HOST} // '-', 'shop.example.test', 'HostCheck Off: the request was for shop');
    my $mark = log_mark();
    $r = tls_request(vhost => 'cfaop_hn_nocheck', cert => 'hn/shop', sni => 'app.example.test', host => 'shop.example.test');
    ok t_cmp(join(' ', $r->{status} // 'no-response', $r->{alert} // 'no-alert'), 'no-response unknown_ca',
             'HostCheck Off: SNI app with the shop leaf: still unknown_ca');
    ok t_cmp(log_wait($mark, hn_line(id => 'CFAOP0101', what => 'handshake rejected', reason => 'untrusted',
                                     sni => 'app.example.test', policy => $app, cert => 'shop')) // 'none',
             qr/CFAOP0101/, 'HostCheck Off: CFAOP0101 under the SNI policy');
}

# ---- absolute-form request targets -----------------------------------------
# httpd takes the host from the target, not from Host, and so does the check.
{
    my $port = port('cfaop_hn');
    my $mark = log_mark();
    my $resp = raw_requests(vhost => 'cfaop_hn', cert => 'app', sni => 'app.example.test', requests => [
        "GET /env.shtml HTTP/1.1\r\nHost: app.example.test\r\n\r\n",
        "GET https://app.example.test:$port/env.shtml HTTP/1.1\r\nHost: app.example.test:$port\r\n\r\n",
        "GET https://shop.example.test:$port/env.shtml HTTP/1.1\r\nHost: app.example.test:$port\r\n\r\n",
    ]);
    ok t_cmp(join(' ', map { $_->{status} } @$resp), '200 200 421',
             'one connection for app: origin-form app, absolute-form app, absolute-form shop: 200 200 421');
    ok t_cmp(($resp->[1]{env}{CF_AOP_POLICY} // '-') . ' ' . ($resp->[1]{env}{SERVER_NAME} // '-'),
             "$app app.example.test", 'absolute-form for app: served under the app policy');
    ok t_cmp(log_wait($mark, refusal('shop.example.test', $app, $shop)) // 'none', qr/CFAOP0201/,
             'absolute-form for shop: CFAOP0201');
    $mark = log_mark();
    $resp = raw_requests(vhost => 'cfaop_hn', cert => 'app', sni => 'app.example.test', requests => [
        "GET https://b.example.test/env.shtml HTTP/1.1\r\nHost: app.example.test\r\nConnection: close\r\n\r\n",
    ]);
    ok t_cmp(join(' ', map { $_->{status} } @$resp) || 'no response', '421',
             'absolute-form for b.example.test with Host app: 421');
    ok t_cmp(log_wait($mark, refusal('b.example.test', $app, $wild)) // 'none', qr/CFAOP0201/,
             'absolute-form for b.example.test: CFAOP0201');
}
{
    # Control: with CFAOPHostCheck Off the absolute-form request is served.
    my $resp = raw_requests(vhost => 'cfaop_hn_nocheck', cert => 'app', sni => 'app.example.test', requests => [
        "GET https://shop.example.test/env.shtml HTTP/1.1\r\nHost: app.example.test\r\nConnection: close\r\n\r\n",
    ]);
    ok t_cmp(join(' ', map { $_->{status} } @$resp) || 'no response', '200',
             'HostCheck Off: absolute-form for shop: 200');
    ok t_cmp($resp->[0]{env}{SERVER_NAME} // '-', 'shop.example.test',
             'HostCheck Off: httpd took the host from the target');
}

# ---- HTTP/2: several authorities on one connection ------------------------
if ($no_h2) {
    skip($no_h2, 0) for 1 .. 9;
}
else {
    {
        my $mark = log_mark();
        my $r = curl_h2_hosts(vhost => 'cfaop_hn', cert => 'app', sni => 'app.example.test',
                              hosts => ['app.example.test', 'shop.example.test', 'b.example.test', 'app.example.test']);
        ok t_cmp(join(' / ', @{ $r->{transfers} }), '2 200 1 / 2 421 0 / 2 421 0 / 2 200 0',
                 'HTTP/2, one connection for app: :authority app, shop, b.example.test, app: 200 421 421 200');
        ok t_cmp(join(' ', map { $_ // '-' } @{ $r->{env}[0] }{qw(SERVER_PROTOCOL CF_AOP_VERIFIED CF_AOP_POLICY)}),
                 "HTTP/2.0 SUCCESS $app", 'HTTP/2 stream for app: verdict and policy');
        ok t_cmp(join(' ', map { $_ // '-' } @{ $r->{env}[3] }{qw(SERVER_PROTOCOL CF_AOP_VERIFIED CF_AOP_POLICY)}),
                 "HTTP/2.0 SUCCESS $app", 'HTTP/2 last stream, app again: served');
        ok t_cmp(log_wait($mark, refusal('shop.example.test', $app, $shop)) // 'none', qr/CFAOP0201/,
                 'HTTP/2 stream for shop: CFAOP0201');
        ok t_cmp(log_wait($mark, refusal('b.example.test', $app, $wild)) // 'none', qr/CFAOP0201/,
                 'HTTP/2 stream for b.example.test: CFAOP0201');
    }
    {
        # Two authorities under one wildcard entry share a policy, and a connection.
        my $r = curl_h2_hosts(vhost => 'cfaop_hn', cert => 'wild', sni => 'a.example.test',
                              hosts => ['a.example.test', 'b.example.test']);
        ok t_cmp(join(' / ', @{ $r->{transfers} }), '2 200 1 / 2 200 0',
                 'HTTP/2, one connection for a.example.test: :authority a, b: 200 200');
        ok t_cmp(join(' ', map { $_ // '-' } @{ $r->{env}[1] }{qw(SERVER_PROTOCOL CF_AOP_POLICY HTTP_HOST)}),
                 "HTTP/2.0 $wild b.example.test", 'HTTP/2 stream for b.example.test: the wildcard policy');
    }
    {
        # Control: CFAOPHostCheck Off serves the second authority.
        my $r = curl_h2_hosts(vhost => 'cfaop_hn_nocheck', cert => 'app', sni => 'app.example.test',
                              hosts => ['app.example.test', 'shop.example.test']);
        ok t_cmp(join(' / ', @{ $r->{transfers} }), '2 200 1 / 2 200 0',
                 'HostCheck Off, HTTP/2: :authority app, shop: 200 200');
        ok t_cmp(join(' ', map { $_ // '-' } @{ $r->{env}[1] }{qw(CF_AOP_POLICY HTTP_HOST)}),
                 "$app shop.example.test", 'HostCheck Off, HTTP/2 stream for shop: the connection policy');
    }
}

# ---- TLS session resumption -------------------------------------------------
sub resumed { join ' ', $_[0]->{reused} ? 'resumed' : 'new', statuses($_[0]) || 'no-response',
              $_[0]->{env}{CF_AOP_POLICY} // '-', $_[0]->{env}{SSL_SESSION_RESUMED} // '-' }

for my $tls ('1.3', '1.2') {
    my $ctx = client_context(cert => 'hn/app', tls => $tls);
    my $key = 'hn:app';
    my $first = tls_request(vhost => 'cfaop_hn', ctx => $ctx, sni => 'app.example.test', session_key => $key);
    ok t_cmp(resumed($first), "new 200 $app Initial", "TLS $tls: first connection for app");
    my $again = tls_request(vhost => 'cfaop_hn', ctx => $ctx, sni => 'app.example.test', session_key => $key);
    ok t_cmp(resumed($again), "resumed 200 $app Resumed", "TLS $tls: the session resumed for app again: 200");
    ok t_cmp($again->{env}{CF_AOP_VERIFIED} // '-', 'SUCCESS', "TLS $tls: same-SNI resumption: SUCCESS");
}

# TLS 1.3: the SNI of the resuming handshake selects the policy; a session
# made under app is declined under shop, and the full handshake that
# follows judges the certificate presented then (here app's: refused).
{
    my $ctx = client_context(cert => 'hn/app', tls => '1.3');
    tls_request(vhost => 'cfaop_hn', ctx => $ctx, sni => 'app.example.test', session_key => 'hn13:app');
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_hn', ctx => $ctx, sni => 'shop.example.test', session_key => 'hn13:app');
    ok t_cmp(resumed($r) . ' ' . ($r->{alert} // 'none'), 'new no-response - - unknown_ca',
             'TLS 1.3: app session offered under SNI shop: declined; the full handshake refuses app');
    my $line = log_wait($mark, qr/CFAOP0104: resumption declined, full handshake follows: reason=host-mismatch /);
    ok t_cmp($line // 'none', qr/ policy=\Q$shop\E .*detail="session established under policy \Q$app\E"/,
             'TLS 1.3: CFAOP0104 reason=host-mismatch under the shop policy');
    ok t_cmp(log_since($mark) =~ /CFAOP0201/ ? 'a request was judged' : 'no request', 'no request',
             'TLS 1.3: no request reached the module on that connection');
}
{
    # A zone session (no SNI, zone leaf) offered for app: declined as well.
    my $ctx = client_context(cert => 'good', tls => '1.3');
    my $first = tls_request(vhost => 'cfaop_hn', ctx => $ctx, session_key => 'hn13:zone');
    ok t_cmp(resumed($first), 'new 200 zone Initial', 'TLS 1.3: zone session, no SNI');
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_hn', ctx => $ctx, sni => 'app.example.test', session_key => 'hn13:zone');
    ok t_cmp(resumed($r), 'new no-response - -', 'TLS 1.3: zone session offered under SNI app: declined, refused');
    ok t_cmp(log_wait($mark, qr/CFAOP0104: resumption declined, .*reason=host-mismatch .*policy=\Q$app\E .*policy zone"/) // 'none',
             qr/CFAOP0104/, 'TLS 1.3: CFAOP0104 for the zone session under app');
}
{
    # Control: names under one wildcard entry are one policy; the session
    # resumes under the other name and is served.
    my $ctx = client_context(cert => 'hn/wild', tls => '1.3');
    tls_request(vhost => 'cfaop_hn', ctx => $ctx, sni => 'a.example.test', session_key => 'hn13:wild');
    my $r = tls_request(vhost => 'cfaop_hn', ctx => $ctx, sni => 'b.example.test', session_key => 'hn13:wild');
    ok t_cmp(resumed($r), "resumed 200 $wild Resumed", 'TLS 1.3: a.example.test session resumed under SNI b.example.test: 200');
    ok t_cmp($r->{env}{HTTP_HOST} // '-', 'b.example.test', 'TLS 1.3: served for b.example.test');
    ok t_cmp($r->{env}{CF_AOP_VERIFIED} // '-', 'SUCCESS', 'TLS 1.3: wildcard session: SUCCESS');
}

# TLS 1.2: the session is looked up before OpenSSL reads the SNI; the
# module reads it from the ClientHello and declines app's session under shop.
{
    my $ctx = client_context(cert => 'hn/app', tls => '1.2');
    tls_request(vhost => 'cfaop_hn', ctx => $ctx, sni => 'app.example.test', session_key => 'hn12:app');
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_hn', ctx => $ctx, sni => 'shop.example.test', session_key => 'hn12:app',
                        hosts => ['app.example.test', 'shop.example.test']);
    ok t_cmp(join(' ', $r->{reused} ? 'resumed' : 'new', statuses($r) || 'no-response', $r->{alert} // 'none'),
             'new no-response unknown_ca',
             'TLS 1.2: app session offered under SNI shop: declined; the full handshake refuses app');
    ok t_cmp(log_wait($mark, qr/CFAOP0104: resumption declined, .*reason=host-mismatch .*sni="shop\.example\.test" policy=\Q$shop\E /) // 'none',
             qr/CFAOP0104/, 'TLS 1.2: CFAOP0104 under the shop policy (the SNI read from the ClientHello)');
    ok t_cmp(log_since($mark) =~ /CFAOP0103: .*resumed=yes/ ? 'resumed' : 'not resumed', 'not resumed',
             'TLS 1.2: no resumption was accepted');
    ok t_cmp(log_since($mark) =~ /CFAOP0201/ ? 'a request was judged' : 'no request', 'no request',
             'TLS 1.2: no request reached the module');
    ok t_cmp(log_wait($mark, qr/CFAOP0101: handshake rejected: reason=untrusted /) // 'none', qr/CFAOP0101/,
             'TLS 1.2: the full handshake judged app under shop');
}
