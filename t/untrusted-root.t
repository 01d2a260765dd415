# SPDX-License-Identifier: Apache-2.0
# A client that sends its own self-signed root with its leaf, to a vhost
# with CFAOPVerifyDepth 1: OpenSSL hits the depth limit before it finds no
# anchor, but the chain is untrusted, and that is what the client and the
# log are told (unknown_ca, reason=untrusted), not depth-exceeded.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

plan tests => 2 * 4;

for my $tls ('1.3', '1.2') {
    my $what = "TLS $tls, leaf + own root";
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_on', cert => 'own-root-leaf', chain => 1, tls => $tls);
    ok t_cmp($r->{status} // 'no-response', 'no-response', "$what: no response");
    ok t_cmp($r->{alert} // 'none', 'unknown_ca', "$what: TLS alert");
    my $line = log_wait($mark, verdict_line(id => 'CFAOP0101', what => 'handshake rejected',
                                            reason => 'untrusted', cert => 'own-root-leaf'));
    ok t_cmp($line // 'no such line', qr/CFAOP0101: .* reason=untrusted /, "$what: reason=untrusted");
    ok t_cmp(scalar(() = log_since($mark) =~ /reason=depth-exceeded/g), 0, "$what: no depth-exceeded");
}
