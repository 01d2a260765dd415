# SPDX-License-Identifier: Apache-2.0
# CFAOPVerifyDepth and anchors: an intermediate-signed leaf passes where one
# intermediate is allowed and the client sends it; not without it; and an
# intermediate listed in CFAOPTrustedCA is an anchor by itself.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

plan tests => 2 * 6 + 4;

my $leaf = cert_info('int-leaf');

for my $tls ('1.3', '1.2') {
    my $r = tls_request(vhost => 'cfaop_depth2', cert => 'int-leaf', chain => 1, tls => $tls);
    ok t_cmp($r->{status} // 'no-response', 200, "TLS $tls: depth 2, leaf + intermediate: 200");
    ok t_cmp($r->{env}{CF_AOP_VERIFIED}, 'SUCCESS', "TLS $tls: depth 2: CF_AOP_VERIFIED");
    ok t_cmp($r->{env}{CF_AOP_CERT_SERIAL}, $leaf->{serial}, "TLS $tls: depth 2: the leaf's serial");
    ok t_cmp($r->{env}{CF_AOP_CERT_ISSUER_DN}, $leaf->{issuer}, "TLS $tls: depth 2: issuer is the intermediate");

    # Without the intermediate nothing chains to the root.
    my $mark = log_mark();
    $r = tls_request(vhost => 'cfaop_depth2', cert => 'int-leaf', chain => 0, tls => $tls);
    ok t_cmp(($r->{status} // 'no-response') . ' ' . ($r->{alert} // 'none'), 'no-response unknown_ca',
             "TLS $tls: depth 2, leaf alone: refused with unknown_ca");
    ok log_wait($mark, verdict_line(id => 'CFAOP0101', what => 'handshake rejected',
                                    reason => 'untrusted', cert => 'int-leaf'));
}

# CFAOPTrustedCA int-ca.pem: the intermediate is the anchor; depth 1 suffices.
my $r = tls_request(vhost => 'cfaop_intanchor', cert => 'int-leaf');
ok t_cmp(($r->{status} // 'no-response') . ' ' . ($r->{env}{CF_AOP_VERIFIED} // '-'), '200 SUCCESS',
         'intermediate as anchor: its leaf passes');
$r = tls_request(vhost => 'cfaop_intanchor', cert => 'int-leaf', chain => 1);
ok t_cmp(($r->{status} // 'no-response') . ' ' . ($r->{env}{CF_AOP_VERIFIED} // '-'), '200 SUCCESS',
         'intermediate as anchor: its leaf passes when sent with the intermediate too');
# ... and the root it was issued by is not trusted there.
my $mark = log_mark();
$r = tls_request(vhost => 'cfaop_intanchor', cert => 'good');
ok t_cmp(($r->{status} // 'no-response') . ' ' . ($r->{alert} // 'none'), 'no-response unknown_ca',
         'intermediate as anchor: a leaf of the root is refused');
ok log_wait($mark, verdict_line(id => 'CFAOP0101', what => 'handshake rejected',
                                reason => 'untrusted', cert => 'good'));
