# SPDX-License-Identifier: Apache-2.0
# CFAOP ReportOnly next to mod_ssl's own checks: from the end of the
# handshake on, SSL_CLIENT_VERIFY carries the module's verdict, so nothing
# that reads it (mod_rewrite, <If>, SSLRequire, Require expr, a per-directory
# SSLVerifyClient, FakeBasicAuth) treats a refused certificate as verified.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use File::Temp ();

my $curl_v = qx{curl -V 2>/dev/null} // '';
plan tests => 2 * (6 + 5 + 7 + 3 + 2) + 2 + 2 * 2 + 4;

my $vhost = 'cfaop_report_modssl';

sub get {
    my ($cert, $tls, $path) = @_;
    my $r = tls_request(vhost => $vhost, cert => $cert, tls => $tls, path => $path);
    return $r;
}

for my $tls ('1.3', '1.2') {
    # A self-signed certificate: served (ReportOnly), never "verified".
    my $r = get('selfsigned', $tls, '/env.shtml');
    my $env = $r->{env} || {};
    ok t_cmp($r->{status} // 'no-response', 200, "TLS $tls: self-signed: served");
    ok t_cmp($env->{CF_AOP_VERIFIED}, 'FAILED:untrusted', "TLS $tls: self-signed: CF_AOP_VERIFIED");
    ok t_cmp($env->{SSL_CLIENT_VERIFY} // '-', qr/^FAILED:/, "TLS $tls: self-signed: SSL_CLIENT_VERIFY");
    ok t_cmp($env->{REWRITE_SAW_SUCCESS} // 'unset', 'unset',
             "TLS $tls: self-signed: mod_rewrite (translate_name) never saw SUCCESS");
    ok t_cmp($env->{IF_SAW_SUCCESS} // 'unset', 'unset', "TLS $tls: self-signed: <If> never saw SUCCESS");
    ok t_cmp($env->{REMOTE_USER} // 'unset', 'unset', "TLS $tls: self-signed: nobody logged in");

    ok t_cmp(get('selfsigned', $tls, '/sslrequire')->{status} // 'no-response', 403,
             "TLS $tls: self-signed: SSLRequire SSL_CLIENT_VERIFY eq SUCCESS refuses");
    ok t_cmp(get('selfsigned', $tls, '/requireexpr')->{status} // 'no-response', 403,
             "TLS $tls: self-signed: Require expr SSL_CLIENT_VERIFY == SUCCESS refuses");
    ok t_cmp(get('selfsigned', $tls, '/fakebasic')->{status} // 'no-response', 401,
             "TLS $tls: self-signed: FakeBasicAuth logs nobody in");
    ok t_cmp(get('selfsigned', $tls, '/sslusername')->{status} // 'no-response', qr/^(?:401|403|500)$/,
             "TLS $tls: self-signed: SSLUserName names nobody (Require user refuses)");
    ok t_cmp(get(undef, $tls, '/sslrequire')->{status} // 'no-response', 403,
             "TLS $tls: no certificate: SSLRequire refuses");

    # The good certificate: every check passes.
    $r = get('good', $tls, '/env.shtml');
    $env = $r->{env} || {};
    ok t_cmp(($r->{status} // 'no-response') . ' ' . ($env->{SSL_CLIENT_VERIFY} // '-'), '200 SUCCESS',
             "TLS $tls: good: SSL_CLIENT_VERIFY SUCCESS");
    ok t_cmp($env->{REWRITE_SAW_SUCCESS} // 'unset', '1', "TLS $tls: good: mod_rewrite saw SUCCESS");
    ok t_cmp($env->{IF_SAW_SUCCESS} // 'unset', '1', "TLS $tls: good: <If> saw SUCCESS");
    ok t_cmp(get('good', $tls, '/sslrequire')->{status} // 'no-response', 200, "TLS $tls: good: SSLRequire passes");
    ok t_cmp(get('good', $tls, '/requireexpr')->{status} // 'no-response', 200, "TLS $tls: good: Require expr passes");
    $r = get('good', $tls, '/sslusername');
    ok t_cmp(($r->{status} // 'no-response') . ' ' . ($r->{env}{REMOTE_USER} // '-'), '200 origin-pull.test',
             "TLS $tls: good: SSLUserName names it");
    $r = get('good', $tls, '/fakebasic');
    ok t_cmp(($r->{status} // 'no-response') . ' ' . ($r->{env}{REMOTE_USER} // '-'),
             qr{^200 /C=US/.*/CN=origin-pull\.test$}, "TLS $tls: good: FakeBasicAuth logs it in");

    # Keep-alive: the second request on a refused certificate's connection
    # sees the verdict too.
    $r = tls_request(vhost => $vhost, cert => 'selfsigned', tls => $tls, requests => 2);
    my $second = $r->{responses}[1] || { env => {} };
    ok t_cmp(join(' ', $second->{status} // '-', $second->{env}{SSL_CLIENT_VERIFY} // '-'),
             qr/^200 FAILED:/, "TLS $tls: self-signed: keep-alive request 2");
    ok t_cmp($second->{env}{IF_SAW_SUCCESS} // 'unset', 'unset', "TLS $tls: self-signed: request 2: <If>");
    ok t_cmp($second->{env}{REWRITE_SAW_SUCCESS} // 'unset', 'unset', "TLS $tls: self-signed: request 2: mod_rewrite");

    # A resumed session of a refused certificate: still never "verified".
    my $ctx = client_context(cert => 'selfsigned', tls => $tls);
    tls_request(vhost => $vhost, ctx => $ctx);
    $r = tls_request(vhost => $vhost, ctx => $ctx, path => '/sslrequire');
    ok t_cmp(($r->{reused} ? 'resumed' : 'new') . ' ' . ($r->{status} // 'no-response'), 'resumed 403',
             "TLS $tls: self-signed, resumed: SSLRequire refuses");
    $r = tls_request(vhost => $vhost, ctx => $ctx);
    ok t_cmp($r->{env}{SSL_CLIENT_VERIFY} // '-', qr/^FAILED:/, "TLS $tls: self-signed, resumed: SSL_CLIENT_VERIFY");
}

# A per-directory SSLVerifyClient require makes mod_ssl renegotiate (TLS 1.2):
# that handshake is mod_ssl's own demand, and the policy is enforced in it.
{
    my $r = get('selfsigned', '1.2', '/verifyclient');
    ok t_cmp(($r->{status} // 'no-response') . ' ' . ($r->{alert} // 'none'), 'no-response unknown_ca',
             'TLS 1.2: self-signed: per-directory SSLVerifyClient require: the renegotiation is refused');
}
ok t_cmp(get('good', '1.2', '/verifyclient')->{status} // 'no-response', 200,
         'TLS 1.2: good: per-directory SSLVerifyClient require passes');
# SSLVerifyClient optional: no second handshake; SSLRequire reads the verdict.
for my $tls ('1.3', '1.2') {
    ok t_cmp(get('selfsigned', $tls, '/verifyoptional')->{status} // 'no-response', 403,
             "TLS $tls: self-signed: per-directory SSLVerifyClient optional with SSLRequire refuses");
    ok t_cmp(get('good', $tls, '/verifyoptional')->{status} // 'no-response', 200,
             "TLS $tls: good: per-directory SSLVerifyClient optional with SSLRequire passes");
}

# HTTP/2: the streams run on other threads than the connection; they see the
# connection's verdict all the same.
SKIP: {
    skip 'curl with HTTP/2 is not installed', 4 unless $curl_v =~ /^Features:.*\bHTTP2\b/m;
    my $dir = File::Temp::tempdir(CLEANUP => 1);
    my $url = 'https://127.0.0.1:' . port($vhost);
    my @cmd = ('curl', '-s', '-k', '--http2', '--max-time', '20',
               '--cert', pki('selfsigned.pem'), '--key', pki('selfsigned.key'),
               '-w', '%{http_version} %{http_code}\n',
               '-o', "$dir/1", "$url/env.shtml", '-o', "$dir/2", "$url/sslrequire");
    open my $fh, '-|', @cmd or die "curl: $!";
    my @lines = <$fh>;
    close $fh;
    chomp @lines;
    my $body = do { open my $b, '<', "$dir/1" or die "$dir/1: $!"; local $/; scalar <$b> };
    my %env = map { /^([A-Z0-9_]+)=(.*)$/ ? ($1 => CFAOPTest::html_unescape($2)) : () } split /\n/, $body;
    ok t_cmp(join(' / ', @lines), '2 200 / 2 403', 'HTTP/2, self-signed: served, SSLRequire refuses');
    ok t_cmp($env{SSL_CLIENT_VERIFY} // '-', qr/^FAILED:/, 'HTTP/2, self-signed: SSL_CLIENT_VERIFY');
    ok t_cmp($env{IF_SAW_SUCCESS} // 'unset', 'unset', 'HTTP/2, self-signed: <If>');
    ok t_cmp($env{REWRITE_SAW_SUCCESS} // 'unset', 'unset', 'HTTP/2, self-signed: mod_rewrite');
}
