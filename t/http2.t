# SPDX-License-Identifier: Apache-2.0
# HTTP/2 on a CFAOP On vhost (Protocols h2 http/1.1): streams are served
# with the verdict of the TLS connection they run on.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use File::Temp ();

my $curl_v = qx{curl -V 2>/dev/null} // '';
plan tests => 11, need { 'curl with HTTP/2' => $curl_v =~ /^Features:.*\bHTTP2\b/m };

my $url = 'https://127.0.0.1:' . port('cfaop_on') . '/env.shtml';
my $dir = File::Temp::tempdir(CLEANUP => 1);

# Two requests in one curl run: the second reuses the connection (h2 stream 3).
sub curl_h2 {
    my ($cert) = @_;
    my @auth = $cert ? ('--cert', pki("$cert.pem"), '--key', pki("$cert.key")) : ();
    my @cmd = ('curl', '-s', '-k', '--http2', '--max-time', '20', @auth,
               '-w', '%{http_version} %{http_code} %{num_connects}\n',
               '-o', "$dir/1", $url, '-o', "$dir/2", $url);
    open my $fh, '-|', @cmd or die "curl: $!";
    my @lines = <$fh>;
    close $fh;
    my $rc = $? >> 8;
    my @bodies = map { my $f = "$dir/$_"; -e $f ? do { open my $b, '<', $f or die "$f: $!"; local $/; scalar <$b> } : '' } 1, 2;
    unlink "$dir/1", "$dir/2";
    my @env = map { +{ CFAOPTest::env_lines($_ // '') } } @bodies;
    chomp @lines;
    return { rc => $rc, transfers => \@lines, env => \@env };
}

my $good = cert_info('good');
my $r = curl_h2('good');
ok t_cmp(join(' / ', @{ $r->{transfers} }), '2 200 1 / 2 200 0',
         'HTTP/2: both requests 200 over one connection');
for my $i (0, 1) {
    my $env = $r->{env}[$i] || {};
    ok t_cmp($env->{SERVER_PROTOCOL}, 'HTTP/2.0', "stream $i: HTTP/2");
    ok t_cmp($env->{CF_AOP_VERIFIED}, 'SUCCESS', "stream $i: CF_AOP_VERIFIED");
    ok t_cmp(join('|', map { $_ // '-' } @$env{qw(CF_AOP_CERT_SERIAL CF_AOP_CERT_FINGERPRINT_SHA256 CF_AOP_POLICY)}),
             join('|', $good->{serial}, $good->{sha256}, 'zone'), "stream $i: certificate variables");
}

# Refused certificates never get an HTTP/2 session.
for my $case (['wrongca', 'untrusted'], [undef, 'no-cert']) {
    my ($cert, $reason) = @$case;
    my $mark = log_mark();
    $r = curl_h2($cert);
    ok t_cmp(join(' ', $r->{rc} ? 'failed' : 'ok', $r->{transfers}[0] // '-'), qr/^failed \S+ 000 /,
             "HTTP/2 with " . ($cert // 'no certificate') . ": no response");
    ok log_wait($mark, verdict_line(id => 'CFAOP0101', what => 'handshake rejected',
                                    reason => $reason, cert => $cert));
}
