# SPDX-License-Identifier: Apache-2.0
# A 421 (the request's Host selects another policy than the one that
# verified the connection) says that the connection closes, so keep-alive
# clients open a new one for their next request instead of losing it; over
# HTTP/2 the 421 is a stream's answer (RFC 9113 section 9.1.2) and curl
# retries it on a new connection.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

my $curl_v = qx{curl -V 2>/dev/null} // '';
plan tests => 5;

my $app = 'hostname:app.example.test';

# HTTP/1.1 keep-alive: the 421 carries Connection: close, and nothing more
# is answered on that connection.
my $r = tls_request(vhost => 'cfaop_hn', cert => 'hn/app', sni => 'app.example.test',
                    hosts => ['shop.example.test', 'app.example.test']);
ok t_cmp($r->{status} // 'no-response', 421, 'Host shop on an app connection: 421');
ok t_cmp(lc($r->{headers}{connection} // 'none'), 'close', '421 says Connection: close');
ok t_cmp(scalar @{ $r->{responses} }, 1, 'the connection is closed after the 421');

# A 200 on the same kind of connection keeps it open.
$r = tls_request(vhost => 'cfaop_hn', cert => 'hn/app', sni => 'app.example.test',
                 hosts => ['app.example.test', 'app.example.test']);
ok t_cmp(join(' ', map { $_->{status} } @{ $r->{responses} }), '200 200', 'keep-alive otherwise: 200 200');

SKIP: {
    skip 'curl with HTTP/2 is not installed', 1 unless $curl_v =~ /^Features:.*\bHTTP2\b/m;
    # curl connects for app.example.test (SNI and Host), and is answered 421
    # for Host shop.example.test in the stream: the status it reports.
    my $port = port('cfaop_hn');
    my $out = qx{curl -s -k --http2 --max-time 20 --resolve shop.example.test:$port:127.0.0.1 --cert '${\ pki('hn/app.pem')}' --key '${\ pki('hn/app.key')}' --connect-to shop.example.test:$port:app.example.test:$port -H 'Host: shop.example.test' -o /dev/null -w '%{http_version} %{http_code}' https://app.example.test:$port/env.shtml --resolve app.example.test:$port:127.0.0.1 2>&1};
    ok t_cmp($out, '2 421', 'HTTP/2: the stream is answered 421');
}
