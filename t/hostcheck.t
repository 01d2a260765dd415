# SPDX-License-Identifier: Apache-2.0
# Host binding on one port with name-based vhosts (aop-a.test and aop-b.test
# are CFAOP On, plain.test is not): a request whose Host selects a CFAOP On
# vhost other than the one whose policy verified the connection gets 421.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

plan tests => 12;

sub status { $_[0] ? $_[0]->{status} // 'no-response' : 'no-response' }

my $refused_a_for_b = qr/CFAOP0201: request refused \(421\): reason=host-mismatch client=127\.0\.0\.1 host="aop-b\.test" sni=\S+: /;

# SNI and Host agree.
my $r = tls_request(vhost => 'cfaop_named', cert => 'good', sni => 'aop-a.test');
ok t_cmp(join(' ', status($r), $r->{env}{CF_AOP_VERIFIED} // '-', $r->{env}{SERVER_NAME} // '-'),
         '200 SUCCESS aop-a.test', 'SNI aop-a, Host aop-a: 200');

# Verified for aop-a, asks for aop-b.
my $mark = log_mark();
$r = tls_request(vhost => 'cfaop_named', cert => 'good', sni => 'aop-a.test', host => 'aop-b.test');
ok t_cmp(status($r), 421, 'SNI aop-a, Host aop-b: 421');
ok t_cmp($r->{env}{CF_AOP_VERIFIED} // 'absent', 'absent', 'SNI aop-a, Host aop-b: nothing exported');
ok log_wait($mark, $refused_a_for_b);

# The same on one keep-alive connection: first aop-a, then aop-b.
$mark = log_mark();
$r = tls_request(vhost => 'cfaop_named', cert => 'good', sni => 'aop-a.test',
                 hosts => ['aop-a.test', 'aop-b.test']);
ok t_cmp(join(' ', map { $_->{status} } @{ $r->{responses} }), '200 421',
         'one connection: Host aop-a then aop-b: 200 then 421');
ok log_wait($mark, $refused_a_for_b);

# No SNI: the first vhost of the port (aop-a) verifies the connection.
$mark = log_mark();
$r = tls_request(vhost => 'cfaop_named', cert => 'good', host => 'aop-b.test');
ok t_cmp(status($r), 421, 'no SNI, Host aop-b: 421');
ok log_wait($mark, $refused_a_for_b);

# A handshake with the SNI of the vhost without CFAOP (no certificate is
# asked for there), then a request for a CFAOP On vhost.
$mark = log_mark();
$r = tls_request(vhost => 'cfaop_named', cert => 'good', sni => 'plain.test', host => 'aop-a.test');
ok t_cmp(status($r), 421, 'SNI plain, Host aop-a: 421');
ok log_wait($mark, qr/CFAOP0201: request refused \(421\): reason=host-mismatch client=127\.0\.0\.1 host="aop-a\.test" sni="plain\.test": /);

# The vhost without CFAOP is served as without the module.
$r = tls_request(vhost => 'cfaop_named', sni => 'plain.test');
ok t_cmp(status($r), 200, 'SNI plain, Host plain: 200');
ok t_cmp(join(',', sort grep { /^CF_AOP_/ } keys %{ $r->{env} || {} }), '', 'SNI plain, Host plain: no CF_AOP_*');
