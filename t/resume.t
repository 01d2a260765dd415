# SPDX-License-Identifier: Apache-2.0
# TLS session resumption on CFAOP On vhosts: a resumed session is judged
# again (its chain is kept with it), passes while the policy still accepts
# it, and is refused once the policy in force no longer does.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use File::Copy ();
use Time::HiRes ();

plan tests => 2 * 5 + 2 * 2 + 2 + 2 * 2 + 1 + 2 * 4 + 1;

sub summary {
    my $r = shift;
    return join ' ', $r->{reused} ? 'resumed' : 'new', $r->{status} // 'no-response',
        $r->{env}{CF_AOP_VERIFIED} // '-', $r->{env}{CF_AOP_CERT_SERIAL} // '-',
        $r->{env}{SSL_SESSION_RESUMED} // '-';
}

my $good = cert_info('good');
my $leaf = cert_info('int-leaf');

for my $tls ('1.3', '1.2') {
    my $ctx = client_context(cert => 'good', tls => $tls);
    my $first = tls_request(vhost => 'cfaop_on', ctx => $ctx);
    ok t_cmp(summary($first), "new 200 SUCCESS $good->{serial} Initial", "TLS $tls: first connection");
    my $mark = log_mark();
    my $again = tls_request(vhost => 'cfaop_on', ctx => $ctx);
    ok t_cmp(summary($again), "resumed 200 SUCCESS $good->{serial} Resumed", "TLS $tls: resumed connection");
    ok t_cmp($again->{env}{CF_AOP_CERT_FINGERPRINT_SHA256}, $good->{sha256}, "TLS $tls: resumed: fingerprint");
    ok t_cmp($again->{env}{SSL_CLIENT_VERIFY}, 'SUCCESS', "TLS $tls: resumed: SSL_CLIENT_VERIFY");
    # The resumption was judged again (CFAOP0103 is the accept line, at debug).
    ok log_wait($mark, qr/CFAOP0103: accepted: reason=ok client=127\.0\.0\.1 .* serial="\Q$good->{serial}\E"/);
}

# Depth 2: re-verifying the resumed leaf needs the intermediate, which the
# client does not send again; the module must have kept it with the session.
for my $tls ('1.3', '1.2') {
    my $ctx = client_context(cert => 'int-leaf', chain => 1, tls => $tls);
    my $first = tls_request(vhost => 'cfaop_depth2', ctx => $ctx);
    my $again = tls_request(vhost => 'cfaop_depth2', ctx => $ctx);
    ok t_cmp(summary($first), "new 200 SUCCESS $leaf->{serial} Initial", "TLS $tls: depth 2: first connection");
    ok t_cmp(summary($again), "resumed 200 SUCCESS $leaf->{serial} Resumed", "TLS $tls: depth 2: resumed connection");
}

# A session of one vhost is not resumed on another (other policy).
{
    my $ctx = client_context(cert => 'good');
    tls_request(vhost => 'cfaop_on', ctx => $ctx);
    my $other = tls_request(vhost => 'cfaop_inherit', ctx => $ctx, session_key => 'cfaop:cfaop_on:');
    ok t_cmp($other->{reused} ? 'resumed' : 'new', 'new', "cfaop_on's session is not resumed on cfaop_inherit");
    ok t_cmp(($other->{status} // 'no-response') . ' ' . ($other->{alert} // 'none'), 'no-response unknown_ca',
             'cfaop_inherit judges the certificate itself and refuses it');
}

# The policy changes under a live session: cfaop_rotate's anchor file is
# replaced by another CA and the server restarted gracefully (its session
# ticket key is a file, so the sessions stay valid across the restart).
my $anchor = pki('rotating-ca.pem');
my $rotated = 0;
END {
    if ($rotated) {
        File::Copy::copy(pki('root-ca.pem'), $anchor);
        eval { httpd_signal_restart() };
    }
}

# Waits until fresh handshakes with the good leaf get the expected outcome
# twice in a row (a graceful restart lets old children finish first).
sub wait_for_policy {
    my $want = shift;
    my $until = Time::HiRes::time() + 20;
    my $streak = 0;
    while (Time::HiRes::time() < $until) {
        my $r = tls_request(vhost => 'cfaop_rotate', cert => 'good');
        my $got = ($r->{status} // 0) == 200 ? 'accepted' : 'refused';
        $streak = $got eq $want ? $streak + 1 : 0;
        return 1 if $streak >= 2;
        Time::HiRes::sleep(0.2);
    }
    return 0;
}

# Two sessions per TLS version, both made under the old policy: a client
# library now and then does not offer a cached session right after a
# graceful restart, and what is tested is the server's answer to one that
# is offered and resumed.
my %ctx = map { my $tls = $_; $tls => [map { client_context(cert => 'good', tls => $tls) } 1, 2] }
          '1.3', '1.2';
for my $tls ('1.3', '1.2') {
    for my $i (0, 1) {
        ok t_cmp(summary(tls_request(vhost => 'cfaop_rotate', ctx => $ctx{$tls}[$i])),
                 "new 200 SUCCESS $good->{serial} Initial",
                 "TLS $tls: session @{[$i + 1]} made under the old policy");
    }
}
# Sessions on a vhost with the same ticket key whose policy stays the same.
my %control = map { my $tls = $_; $tls => [map { client_context(cert => 'good', tls => $tls) } 1, 2] }
              '1.3', '1.2';
for my $tls ('1.3', '1.2') {
    tls_request(vhost => 'cfaop_ticket_control', ctx => $_) for @{ $control{$tls} };
}
$rotated = 1;
File::Copy::copy(pki('wrong-ca.pem'), $anchor) or die "copy: $!";
httpd_signal_restart();
ok wait_for_policy('refused'), 1, 'after the restart, a new handshake with the good leaf is refused';

for my $tls ('1.3', '1.2') {
    # Without a session that survives the restart there is nothing to judge;
    # the control vhost tells a server that cannot keep one from a module
    # that refuses to resume.
    my $kept = grep { tls_request(vhost => 'cfaop_ticket_control', ctx => $_)->{reused} }
               @{ $control{$tls} };
    if (!$kept) {
        skip "TLS $tls: this httpd resumes no session across a graceful restart, "
             . "even on a vhost whose policy did not change (see docs/compat.md)" for 1 .. 4;
        next;
    }
    # The old session is declined when offered, and the full handshake that
    # follows refuses the good leaf under the new policy.
    my ($line, $r);
    for my $i (0, 1) {
        my $mark = log_mark();
        $r = tls_request(vhost => 'cfaop_rotate', ctx => $ctx{$tls}[$i]);
        last if ($line = log_wait($mark, qr/CFAOP0104: resumption declined, full handshake follows: reason=untrusted .*serial="\Q$good->{serial}\E"/, 2));
    }
    ok t_cmp($line // 'no such line', qr/CFAOP0104/, "TLS $tls: the old session is offered and declined (CFAOP0104)");
    ok t_cmp($r->{reused} ? 'resumed' : 'new', 'new', "TLS $tls: a full handshake follows");
    ok t_cmp(($r->{status} // 'no-response') . ' ' . ($r->{alert} // 'none'), 'no-response unknown_ca',
             "TLS $tls: the full handshake refuses the leaf under the new policy");
    ok t_cmp($line // '', qr/ policy=zone /, "TLS $tls: CFAOP0104 names the policy in force");
}

File::Copy::copy(pki('root-ca.pem'), $anchor) or die "copy: $!";
httpd_signal_restart();
$rotated = 0;
ok wait_for_policy('accepted'), 1, 'after restoring the anchor, the good leaf passes again';
