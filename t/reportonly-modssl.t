# CFAOP ReportOnly and mod_ssl: from the end of the handshake on, every
# reader of the verify result sees the module's verdict. A certificate that
# CFAOP On would refuse reads FAILED:<text> for mod_rewrite (translate_name),
# <If>, SSLRequire and Require expr, and per-directory SSLVerifyClient asks
# for the certificate again and enforces; a good certificate passes them all.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use File::Temp ();

my $curl_v = qx{curl -V 2>/dev/null} // '';
my $h2 = $curl_v =~ /^Features:.*\bHTTP2\b/m;
plan tests => 2 * 2 * 6 + 2 * 2 + 2 * 3;

my $vhost = 'cfaop_report_modssl';

sub status { my $r = shift; return $r->{status} // 'no-response' }

for my $tls ('1.3', '1.2') {
    for my $case (['selfsigned', 0], ['good', 1]) {
        my ($cert, $pass) = @$case;
        my $what = "TLS $tls, $cert";
        my $r = tls_request(vhost => $vhost, cert => $cert, tls => $tls);
        my $env = $r->{env} || {};
        ok t_cmp($env->{SSL_CLIENT_VERIFY} // '-', $pass ? 'SUCCESS' : qr/^FAILED:/,
                 "$what: SSL_CLIENT_VERIFY in the SSI environment");
        ok t_cmp($env->{T_REWRITE} // 'not-taken', $pass ? 'taken' : 'not-taken',
                 "$what: RewriteCond %{SSL:SSL_CLIENT_VERIFY} ^SUCCESS\$");
        ok t_cmp($env->{T_IF} // 'not-taken', $pass ? 'taken' : 'not-taken',
                 "$what: <If \"%{SSL:SSL_CLIENT_VERIFY} == 'SUCCESS'\">");
        $r = tls_request(vhost => $vhost, cert => $cert, tls => $tls, path => '/sslrequire');
        ok t_cmp(status($r), $pass ? 200 : 403, "$what: SSLRequire %{SSL_CLIENT_VERIFY} eq \"SUCCESS\"");
        $r = tls_request(vhost => $vhost, cert => $cert, tls => $tls, path => '/requireexpr');
        ok t_cmp(status($r), $pass ? 200 : 403, "$what: Require expr %{SSL:SSL_CLIENT_VERIFY} == 'SUCCESS'");
        # Keep-alive: the second request of the connection reads it too.
        $r = tls_request(vhost => $vhost, cert => $cert, tls => $tls, path => '/sslrequire', requests => 2);
        ok t_cmp(join(' ', map { $_->{status} } @{ $r->{responses} }), $pass ? '200 200' : '403 403',
                 "$what: SSLRequire on two requests of one connection");
    }
}

# Per-directory SSLVerifyClient asks for the certificate again (TLS 1.2
# renegotiation) and the verifier then enforces the module's verdict.
for my $case (['selfsigned', 403], ['good', 200]) {
    my ($cert, $want) = @$case;
    for my $path ('/verifyrequire', '/verifyoptional') {
        # A refused renegotiation ends with the server's alert before the
        # 403 can be read.
        my $r = tls_request(vhost => $vhost, cert => $cert, tls => '1.2', path => $path);
        my $got = $r->{status} // ($r->{alert} ? "refused:$r->{alert}" : 'no-response');
        ok t_cmp($got, $want == 403 ? qr/^(?:403|refused:unknown_ca)$/ : $want,
                 "TLS 1.2, $cert: $path (per-directory SSLVerifyClient)");
    }
}

# HTTP/2: the streams read the verdict the connection's own thread set.
my $dir = File::Temp::tempdir(CLEANUP => 1);
sub curl_h2 {
    my ($cert) = @_;
    my $url = 'https://127.0.0.1:' . port($vhost) . '/env.shtml';
    my @cmd = ('curl', '-s', '-k', '--http2', '--max-time', '20',
               '--cert', pki("$cert.pem"), '--key', pki("$cert.key"),
               '-w', '%{http_version} %{http_code}\n', '-o', "$dir/body", $url);
    open my $fh, '-|', @cmd or die "curl: $!";
    my $line = join '', <$fh>;
    close $fh;
    chomp $line;
    my $body = '';
    if (open my $b, '<', "$dir/body") { local $/; $body = <$b> }
    unlink "$dir/body";
    my %env = map { /^([A-Z0-9_]+)=(.*)$/ ? ($1 => CFAOPTest::html_unescape($2)) : () } split /\n/, $body;
    return { line => $line, env => \%env };
}
for my $case (['selfsigned', 0], ['good', 1]) {
    my ($cert, $pass) = @$case;
    unless ($h2) {
        skip('curl without HTTP/2', 1) for 1 .. 3;
        next;
    }
    my $r = curl_h2($cert);
    ok t_cmp($r->{line}, '2 200', "HTTP/2, $cert: served");
    ok t_cmp($r->{env}{SSL_CLIENT_VERIFY} // '-', $pass ? 'SUCCESS' : qr/^FAILED:/,
             "HTTP/2, $cert: SSL_CLIENT_VERIFY");
    ok t_cmp(join(' ', $r->{env}{T_REWRITE} // 'not-taken', $r->{env}{T_IF} // 'not-taken'),
             $pass ? 'taken taken' : 'not-taken not-taken', "HTTP/2, $cert: RewriteCond and <If>");
}
