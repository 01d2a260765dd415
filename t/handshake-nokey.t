# SPDX-License-Identifier: Apache-2.0
# The accepting verdict (CFAOP0103) is logged when the handshake completes,
# after the client's CertificateVerify proved it holds the certificate's
# key: a client that sends the good certificate without its key fails the
# handshake and leaves no "accepted" line; a good handshake leaves exactly one.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use Time::HiRes ();

plan tests => 2 * 2 * 3 + 2 * 2;

# Everything the server logs for one connection has been written once the
# client saw the connection end; a short pause covers a child's late write.
sub settled_log {
    my ($mark) = @_;
    Time::HiRes::sleep(0.5);
    return log_since($mark);
}

for my $vhost ('cfaop_on', 'cfaop_report') {
    for my $tls ('1.3', '1.2') {
        my $what = "$vhost, TLS $tls, good certificate without its key";
        my $mark = log_mark();
        my $r = tls_request(vhost => $vhost, cert => 'good-nokey', tls => $tls);
        ok t_cmp($r->{status} // 'no-response', 'no-response', "$what: no response");
        ok t_cmp($r->{alert} // 'none', 'decrypt_error', "$what: the server refused its CertificateVerify");
        my $log = settled_log($mark);
        ok t_cmp(join(',', $log =~ /(CFAOP01\d\d):/g), '', "$what: no verdict line, no accepted line");
    }
}

for my $vhost ('cfaop_on', 'cfaop_report') {
    for my $tls ('1.3', '1.2') {
        my $what = "$vhost, TLS $tls, good certificate with its key";
        my $mark = log_mark();
        my $r = tls_request(vhost => $vhost, cert => 'good', tls => $tls);
        log_wait($mark, qr/CFAOP0103/);
        my $log = settled_log($mark);
        ok t_cmp(join(' ', $r->{status} // 'no-response', join(',', $log =~ /(CFAOP01\d\d):/g)),
                 '200 CFAOP0103', "$what: 200 and exactly one verdict line, CFAOP0103");
    }
}
