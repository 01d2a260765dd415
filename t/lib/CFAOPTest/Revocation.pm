# SPDX-License-Identifier: Apache-2.0
package CFAOPTest::Revocation;
# Shared by t/revocation*.t: one handshake with a certificate of t/pki/rev
# (made by t/pki.d/revocation.sh) and the assertions on its outcome, plus
# waiting for a graceful restart to take effect.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestUtil ();
use CFAOPTest;
use Time::HiRes ();

our @EXPORT = qw(rev accepted_ok refused_ok ACCEPTED_TESTS REFUSED_TESTS
                 outcome wait_for resumed_rejected_line);

# How many assertions each helper makes (for plan).
use constant ACCEPTED_TESTS => 1;
use constant REFUSED_TESTS  => 4;

# The t/pki name of revocation material NAME.
sub rev { "rev/$_[0]" }

# "STATUS VERDICT SERIAL" of a request: "200 SUCCESS 5EC0..." when accepted.
sub outcome {
    my $r = shift;
    return join ' ', $r->{status} // 'no-response', $r->{env}{CF_AOP_VERIFIED} // '-',
        $r->{env}{CF_AOP_CERT_SERIAL} // '-';
}

sub describe {
    my %a = @_;
    return sprintf '%s on %s (TLS %s%s)', $a{cert}, $a{vhost}, $a{tls} || '1.3',
        $a{chain} ? ', with its intermediate' : '';
}

# accepted_ok(vhost => V, cert => NAME under rev/, chain => 0|1, tls => '1.3'|'1.2')
# One assertion: the handshake completes and the request is served with
# CF_AOP_VERIFIED=SUCCESS for this very certificate.
sub accepted_ok {
    my %a = @_;
    my $name = rev($a{cert});
    my $r = tls_request(%a, cert => $name);
    my $serial = cert_info($name)->{serial};
    Apache::Test::ok(Apache::TestUtil::t_cmp(outcome($r), "200 SUCCESS $serial",
                                             describe(%a) . ': accepted'));
    return $r;
}

# refused_ok(vhost => V, cert => NAME, chain, tls, reason => R, alert => A)
# Four assertions: no response; the TLS alert A; the CFAOP0101 line with
# reason R and the certificate's subject, issuer and serial; and that it is
# the only verdict logged for the handshake.
sub refused_ok {
    my %a = @_;
    my $name = rev($a{cert});
    my $tls = $a{tls} || '1.3';
    my $what = describe(%a);
    my $mark = log_mark();
    my $r = tls_request(%a, cert => $name, tls => $tls);

    # Under TLS 1.3 the client may finish its side of the handshake first
    # and see the alert on its first read; under 1.2 connect fails.
    my $got = ($r->{connected} ? 'connected' : 'refused') . '/' . ($r->{status} // 'no-response');
    Apache::Test::ok(Apache::TestUtil::t_cmp($got,
        $tls eq '1.2' ? 'refused/no-response' : qr{^(?:refused|connected)/no-response$},
        "$what: refused"));
    Apache::Test::ok(Apache::TestUtil::t_cmp($r->{alert} // 'none', $a{alert}, "$what: TLS alert"));
    my $line = log_wait($mark, verdict_line(id => 'CFAOP0101', what => 'handshake rejected',
                                            reason => $a{reason}, cert => $name));
    Apache::Test::ok(Apache::TestUtil::t_cmp($line // 'no such line', qr/CFAOP0101: .*reason=\Q$a{reason}\E /,
                                             "$what: CFAOP0101 reason=$a{reason}"));
    my @verdicts = log_since($mark) =~ /(CFAOP010[1-4]):/g;
    Apache::Test::ok(Apache::TestUtil::t_cmp(join(',', @verdicts), 'CFAOP0101', "$what: one verdict line"));
    return $r;
}

# The CFAOP0104 line for a resumed session of certificate NAME refused for
# REASON (a regexp).
sub resumed_rejected_line {
    my ($name, $reason) = @_;
    my $c = cert_info($name);
    my $text = sprintf 'CFAOP0104: resumed session rejected: reason=%s client=127.0.0.1 sni=- '
                     . 'policy=zone resumed=yes subject=%s issuer=%s serial=%s',
                       $reason, log_escape(log_quote($c->{subject})), log_escape(log_quote($c->{issuer})),
                       log_quote($c->{serial});
    return qr/\Q$text\E(?: detail="(?:[^"\\]|\\.)*")?\s*$/;
}

# After a graceful restart old children may still finish their connections:
# wait until fresh handshakes with certificate NAME on VHOST are WANT
# ('accepted' or 'refused') twice in a row. 1 when they are, 0 on timeout.
sub wait_for {
    my ($vhost, $name, $want) = @_;
    my $until = Time::HiRes::time() + 20;
    my $streak = 0;
    while (Time::HiRes::time() < $until) {
        my $r = tls_request(vhost => $vhost, cert => rev($name));
        my $got = ($r->{status} // 0) == 200 ? 'accepted' : 'refused';
        $streak = $got eq $want ? $streak + 1 : 0;
        return 1 if $streak >= 2;
        Time::HiRes::sleep(0.2);
    }
    return 0;
}

1;
