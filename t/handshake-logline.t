# SPDX-License-Identifier: Apache-2.0
# Verdict lines hold what the peer chose (SNI, subject, issuer, serial)
# quoted and escaped, and stay short: an SNI made to look like a field does
# not add one, and a certificate with a 4 KB subject writes a line under
# 1 KiB, its subject cut and marked with "+.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

plan tests => 2 * 5 + 2 * 5;

# The fields of a verdict line as a reader that knows the format sees them:
# httpd's doubling of '\' undone, then key=value or key="quoted" (a cut
# value ends "+).
sub fields {
    my ($line) = @_;
    my ($msg) = $line =~ /(CFAOP01\d\d: .*)$/ or return {};
    $msg =~ s/\\\\/\\/g;
    my ($head, $rest) = $msg =~ /^(CFAOP01\d\d: [^:]+): (.*)$/ or return {};
    my (%f, @keys);
    while ($rest =~ /\G\s*([a-z]+)=("(?:[^"\\]|\\.)*"\+?|\S+)/gc) {
        my ($k, $v) = ($1, $2);
        push @keys, $k;
        if ($v =~ s/^"(.*)"(\+?)$/$1/s) {
            my $cut = $2;
            $v =~ s/\\x([0-9a-f]{2})/chr hex $1/ge;
            $v =~ s/\\(["\\])/$1/g;
            $v .= ' [cut]' if $cut;
        }
        $f{$k} = $v;
    }
    $f{_keys} = join ',', @keys;
    $f{_rest} = substr($rest, pos($rest) // 0);
    return \%f;
}

my $sni = 'x" reason=ok policy=forged';
for my $tls ('1.3', '1.2') {
    my $what = "TLS $tls, SNI with a quote";
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_on', cert => 'selfsigned', tls => $tls, sni => $sni);
    ok t_cmp($r->{status} // 'no-response', 'no-response', "$what: refused");
    my $line = log_wait($mark, qr/CFAOP0101: /) // '';
    my $f = fields($line);
    ok t_cmp($f->{_keys} // '', 'reason,client,sni,policy,subject,issuer,serial,detail',
             "$what: the same fields as any other line");
    ok t_cmp($f->{reason} // '-', 'untrusted', "$what: reason");
    ok t_cmp($f->{sni} // '-', $sni, "$what: the SNI, whole, as one value");
    ok t_cmp($line, verdict_line(id => 'CFAOP0101', what => 'handshake rejected', reason => 'untrusted',
                                 sni => $sni, cert => 'selfsigned'), "$what: verdict_line matches");
}

my $big = cert_info('big-subject');
for my $tls ('1.3', '1.2') {
    my $what = "TLS $tls, 4 KB subject";
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_on', cert => 'big-subject', tls => $tls);
    ok t_cmp($r->{status} // 'no-response', 'no-response', "$what: refused");
    my ($line) = grep { /CFAOP0101: / } split /\n/, (log_wait($mark, qr/CFAOP0101: /) ? log_since($mark) : '');
    $line //= '';
    ok t_cmp(length($line) > 0 && length($line) + 1 <= 1024 ? 'under 1 KiB' : length($line) . ' bytes',
             'under 1 KiB', "$what: the whole log line");
    my $f = fields($line);
    ok t_cmp($f->{reason} // '-', 'untrusted', "$what: reason");
    ok t_cmp($f->{subject} // '-', qr/^\Q@{[substr($big->{subject}, 0, 100)]}\E.* \[cut\]$/,
             "$what: the subject, cut and marked");
    ok t_cmp(length($big->{subject}) > 4096 ? 'over 4 KB' : 'short', 'over 4 KB', "$what: the subject is over 4 KB");
}
