# SPDX-License-Identifier: Apache-2.0
# Which anchors a vhost trusts: several CFAOPTrustedCA (a rotation), and the
# main server's list for a vhost that sets none.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

plan tests => 6;

sub outcome {
    my $r = shift;
    return join ' ', $r->{status} // 'no-response', $r->{env}{CF_AOP_VERIFIED} // $r->{alert} // '-';
}

# cfaop_multi trusts wrong-ca and root.
ok t_cmp(outcome(tls_request(vhost => 'cfaop_multi', cert => 'good')), '200 SUCCESS',
         'two anchors: a leaf of the root passes');
ok t_cmp(outcome(tls_request(vhost => 'cfaop_multi', cert => 'wrongca')), '200 SUCCESS',
         'two anchors: a leaf of the other CA passes');
ok t_cmp(outcome(tls_request(vhost => 'cfaop_multi', cert => 'selfsigned')), 'no-response unknown_ca',
         'two anchors: a self-signed leaf is refused');

# cfaop_inherit sets no CFAOPTrustedCA; the main server lists wrong-ca.
ok t_cmp(outcome(tls_request(vhost => 'cfaop_inherit', cert => 'wrongca')), '200 SUCCESS',
         "inherited anchors: a leaf of the main server's CA passes");
my $mark = log_mark();
ok t_cmp(outcome(tls_request(vhost => 'cfaop_inherit', cert => 'good')), 'no-response unknown_ca',
         'inherited anchors: a leaf of a CA the vhost does not trust is refused');
ok log_wait($mark, verdict_line(id => 'CFAOP0101', what => 'handshake rejected',
                                reason => 'untrusted', cert => 'good'));
