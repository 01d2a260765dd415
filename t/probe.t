# SPDX-License-Identifier: Apache-2.0
# cfaop-probe (tools/) against this server's own vhosts (t/conf/probe.conf.in):
# locked ones (exit 0, LOCKED) and deliberately unlocked ones: a vhost
# without CFAOP on the same address, ReportOnly, a plain-HTTP port, a Host
# outside the certificate's policy with CFAOPHostCheck Off. Mostly through
# --json, parsed with JSON::PP, asserting exact fields.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use IO::Socket::INET ();
use JSON::PP ();
use Time::HiRes ();

my $probe = $ENV{CFAOP_PROBE} || "$FindBin::Bin/../build/cfaop-probe";

plan tests => 85,
    need { "cfaop-probe is not built ($probe is missing: run make probe, or set CFAOP_PROBE)"
           => -x $probe };

my $ROOT_NAME = 'CN=AOP Test Origin Pull Root CA,OU=AOP,O=mod_cf_aop test\, Inc.,C=US';

# Runs the probe; returns (exit status, stdout).
sub run_probe {
    my @args = @_;
    my $pid = open my $fh, '-|';
    die "fork: $!\n" unless defined $pid;
    if (!$pid) {
        open STDERR, '>', '/dev/null';
        exec $probe, @args or exit 127;
    }
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    return ($? >> 8, $out);
}

# Runs it with --json; returns (exit status, the object, checks by name).
sub probe_json {
    my ($rc, $out) = run_probe(@_, '--json');
    my $j = eval { JSON::PP->new->decode($out) } || { parse_error => "$@", output => $out };
    my %c = map { $_->{check} => $_ } @{ $j->{checks} || [] };
    return ($rc, $j, \%c);
}

sub at { '127.0.0.1:' . port(shift) }

# "ok alert status" of a check, for one exact comparison.
sub summary {
    my $c = shift or return 'missing';
    return join ' ', map { defined $_ ? (JSON::PP::is_bool($_) ? ($_ ? 'true' : 'false') : $_) : 'null' }
        @$c{qw(ok alert http_status)};
}

# ---- a locked zone-level vhost, TLS 1.3 and 1.2 ----------------------------
my $t0 = Time::HiRes::time();
my ($rc, $j, $c) = probe_json('--connect', at('probe_locked'), '--sni', 'www.probe.test',
                              '--cert', pki('good.pem'), '--key', pki('good.key'));
my $took = Time::HiRes::time() - $t0;
ok t_cmp($rc, 0, 'locked: exit 0');
ok t_cmp(join(' ', $j->{verdict} // '-', $j->{locked} ? 'true' : 'false', $j->{why} // 'null'),
         'LOCKED true null', 'locked: verdict LOCKED, no why');
ok t_cmp(join(' ', $j->{address} // '-', $j->{port} // '-', $j->{sni} // '-', $j->{tls_version} // '-'),
         '127.0.0.1 ' . port('probe_locked') . ' www.probe.test TLSv1.3', 'locked: target and TLS version');
ok t_cmp(join(',', map { $_->{check} } @{ $j->{checks} || [] }),
         'cert-request,no-cert,self-signed,other-sni,given-cert,host-421', 'locked: the checks, in order');
ok t_cmp(join(' ', JSON::PP::is_bool($j->{cert_requested}) && $j->{cert_requested} ? 'true' : 'false',
              $j->{ca_count} // '-'), 'true 1', 'locked: a CertificateRequest with one CA name');
ok t_cmp(join('|', @{ $j->{ca_names} || [] }), $ROOT_NAME, 'locked: the CA name advertised');
ok t_cmp(join('|', @{ $j->{ca_names} || [] }),
         join('|', @{ openssl_ca_names(vhost => 'probe_locked', sni => 'www.probe.test') || [] }),
         'locked: the same CA names as openssl s_client');
ok t_cmp(summary($c->{'cert-request'}), 'true null null', 'locked: cert-request');
ok t_cmp(summary($c->{'no-cert'}), 'true certificate_required null', 'locked: no-cert refused, certificate_required');
ok t_cmp($c->{'no-cert'}{observed} // '-',
         qr/^refused (?:in|after) the handshake: alert certificate_required$/, 'locked: no-cert observed');
ok t_cmp(summary($c->{'self-signed'}), 'true unknown_ca null', 'locked: self-signed refused, unknown_ca');
ok t_cmp(summary($c->{'other-sni'}), 'true certificate_required null', 'locked: other SNI refused');
ok t_cmp(summary($c->{'given-cert'}), 'true null 200', 'locked: the given certificate gets 200');
ok t_cmp($c->{'given-cert'}{observed} // '-', 'accepted: HTTP 200', 'locked: given-cert observed');
# A random Host falls back to the zone anchors, like the SNI: served, info only.
ok t_cmp(summary($c->{'host-421'}), 'null null 200', 'locked: a random Host on a zone-level vhost is info');
ok t_cmp($j->{other_host} // '-', qr/^cfaop-probe-[0-9a-f]{12}\.invalid$/, 'locked: the random Host');
ok t_cmp($took < 5 ? 'fast' : "took $took s", 'fast', 'locked: a run takes well under the timeout');
print "# a run of the six checks took $j->{elapsed_ms} ms (probe) and ", int($took * 1000), " ms in all\n";

($rc, $j, $c) = probe_json('--connect', at('probe_locked'), '--sni', 'www.probe.test', '--tls', '1.2');
ok t_cmp(join(' ', $rc, $j->{verdict} // '-', $j->{tls_version} // '-'), '0 LOCKED TLSv1.2', 'TLS 1.2: LOCKED');
ok t_cmp(summary($c->{'no-cert'}), 'true handshake_failure null', 'TLS 1.2: no-cert: handshake_failure');
ok t_cmp($c->{'no-cert'}{observed} // '-', 'refused in the handshake: alert handshake_failure',
         'TLS 1.2: refused in the handshake');
ok t_cmp(summary($c->{'self-signed'}), 'true unknown_ca null', 'TLS 1.2: self-signed: unknown_ca');
ok t_cmp(join(' ', map { $_->{observed} } @$c{qw(given-cert host-421)}),
         'not run: no --cert not run: no --cert', 'no --cert: given-cert and host-421 not run');
ok t_cmp(join(' ', map { defined $_->{ok} ? 'set' : 'null' } @$c{qw(given-cert host-421)}),
         'null null', 'no --cert: their ok is null');

# The text form: the verdict line, then the table.
my $out;
($rc, $out) = run_probe('--connect', at('probe_locked'), '--sni', 'www.probe.test',
                        '--cert', pki('good.pem'), '--key', pki('good.key'));
my @lines = split /\n/, $out;
ok t_cmp($rc, 0, 'text: exit 0');
ok t_cmp($lines[0] // '-', 'LOCKED', 'text: the first line is the verdict');
ok t_cmp($lines[2] // '-', qr/^check\s+expected\s+observed\s+ok$/, 'text: the table header');
ok t_cmp(join('|', grep { /^(?:no-cert|self-signed|given-cert)\s/ } @lines),
         qr/^no-cert\s+refused\s+refused (?:in|after) the handshake: alert certificate_required\s+yes\|self-signed\s+refused\s+.*unknown_ca\s+yes\|given-cert\s+accepted \(HTTP response\)\s+accepted: HTTP 200\s+yes$/,
         'text: rows');
ok t_cmp((grep { $_ eq "  $ROOT_NAME" } @lines) ? 'listed' : 'not listed', 'listed', 'text: CA names listed');

# ---- name-based vhosts on one address --------------------------------------
# A Host of the other locked vhost: 421.
($rc, $j, $c) = probe_json('--connect', at('probe_named'), '--sni', 'locked.probe.test',
                           '--cert', pki('good.pem'), '--key', pki('good.key'),
                           '--host', 'other.probe.test');
ok t_cmp(join(' ', $rc, $j->{verdict} // '-'), '0 LOCKED', 'named, locked: LOCKED');
ok t_cmp(summary($c->{'host-421'}), 'true null 421', 'named, locked: Host other.probe.test gets 421');
ok t_cmp($c->{'host-421'}{observed} // '-', 'HTTP 421 for Host other.probe.test', 'named: host-421 observed');
ok t_cmp($j->{other_host} // '-', 'other.probe.test', 'named: other_host');
ok t_cmp(summary($c->{'other-sni'}), 'true certificate_required null', 'named: another SNI is refused');

# The vhost without CFAOP on the same address.
($rc, $j, $c) = probe_json('--connect', at('probe_named'), '--sni', 'open.probe.test');
ok t_cmp($rc, 1, 'no CFAOP: exit 1');
ok t_cmp($j->{verdict} // '-', 'NOT LOCKED', 'no CFAOP: NOT LOCKED');
ok t_cmp($j->{why} // '-',
         'the origin does not ask for a client certificate; '
         . 'a connection without a client certificate is served (HTTP 200); '
         . 'a self-signed client certificate is served (HTTP 200)',
         'no CFAOP: why');
# Another SNI lands on the port's first vhost, which is locked: the module
# does not let a handshake made there serve open.probe.test.
ok t_cmp(summary($c->{'other-sni'}), 'true certificate_required null', 'no CFAOP: other SNI is refused');
ok t_cmp(summary($c->{'cert-request'}), 'false null null', 'no CFAOP: no CertificateRequest');
ok t_cmp(join(' ', $j->{cert_requested} ? 'true' : 'false', $j->{ca_count}), 'false 0', 'no CFAOP: no CA names');
ok t_cmp(summary($c->{'no-cert'}), 'false null 200', 'no CFAOP: the no-cert connection is served');
ok t_cmp($c->{'no-cert'}{observed} // '-', 'served: HTTP 200', 'no CFAOP: no-cert observed');

($rc, $out) = run_probe('--connect', at('probe_named'), '--sni', 'open.probe.test');
ok t_cmp((split /\n/, $out)[0] // '-',
         qr/^NOT LOCKED: the origin does not ask for a client certificate; /, 'no CFAOP: text verdict');
ok t_cmp((grep { /^no-cert\s+refused\s+served: HTTP 200\s+NO$/ } split /\n/, $out) ? 1 : 0, 1,
         'no CFAOP: text row says NO');

# ---- ReportOnly ------------------------------------------------------------
($rc, $j, $c) = probe_json('--connect', at('probe_report'), '--sni', 'www.probe.test',
                           '--cert', pki('good.pem'), '--key', pki('good.key'));
ok t_cmp(join(' ', $rc, $j->{verdict} // '-'), '1 NOT LOCKED', 'ReportOnly: NOT LOCKED');
ok t_cmp(summary($c->{'cert-request'}), 'true null null', 'ReportOnly: a certificate is asked for');
ok t_cmp(summary($c->{'self-signed'}), 'false null 200', 'ReportOnly: a self-signed certificate is served');
ok t_cmp(summary($c->{'no-cert'}), 'false null 200', 'ReportOnly: no certificate is served');
ok t_cmp($j->{why} // '-', qr/(?:^|; )a self-signed client certificate is served \(HTTP 200\)(?:;|$)/,
         'ReportOnly: why names the self-signed certificate');
ok t_cmp(summary($c->{'given-cert'}), 'true null 200', 'ReportOnly: the given certificate is served');

# ---- --also ------------------------------------------------------------------
# A port nothing listens on (bound, then closed).
my $closed = do {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1) or die "bind: $!";
    my $p = $s->sockport;
    close $s;
    $p;
};
my ($http, $named) = (port('probe_http'), port('probe_named'));
($rc, $j, $c) = probe_json('--connect', at('probe_locked'), '--sni', 'locked.probe.test',
                           '--also', "$named,$http,$closed");
ok t_cmp(join(' ', $rc, $j->{verdict} // '-'), '1 NOT LOCKED', '--also with a plain-HTTP port: NOT LOCKED');
ok t_cmp($j->{why} // '-',
         "port $http serves locked.probe.test over plain HTTP without a client certificate (HTTP 200)",
         '--also: why names the plain-HTTP port only');
ok t_cmp(join(',', map { $_->{check} } @{ $j->{checks} || [] }),
         "cert-request,no-cert,self-signed,other-sni,given-cert,host-421,"
         . "also:$named/tls,also:$named/http,also:$http/tls,also:$http/http,also:$closed/tls,also:$closed/http",
         '--also: two checks per port');
ok t_cmp(summary($c->{"also:$http/http"}), 'false null 200', '--also: the plain-HTTP port serves the hostname');
ok t_cmp($c->{"also:$http/http"}{port}, $http, '--also: the row names its port');
ok t_cmp(summary($c->{"also:$http/tls"}), 'true null null', '--also: no TLS on the plain-HTTP port');
ok t_cmp($c->{"also:$http/tls"}{observed} // '-', qr/^no TLS session: /, '--also: no TLS session observed');
ok t_cmp(summary($c->{"also:$named/tls"}), 'true certificate_required null', '--also: a locked TLS port refuses');
# (mod_ssl answers 400; the module first says 421: the request did not come
# over the handshake of a CFAOP vhost.)
ok t_cmp(summary($c->{"also:$named/http"}), qr/^true null (?:400|421)$/,
         '--also: plain HTTP to a TLS port gets 400 or 421');
ok t_cmp(join(' ', map { $c->{"also:$closed/$_"}{observed} // '-' } qw(tls http)),
         'port closed (connection refused) port closed (connection refused)', '--also: a closed port');
ok t_cmp(join(' ', map { summary($c->{"also:$closed/$_"}) } qw(tls http)),
         'true null null true null null', '--also: a closed port is fine');

($rc, $j, $c) = probe_json('--connect', at('probe_locked'), '--sni', 'locked.probe.test', '--also', $named);
ok t_cmp(join(' ', $rc, $j->{verdict} // '-'), '0 LOCKED', '--also with locked ports only: LOCKED');

# ---- per-hostname policies and 421 -----------------------------------------
($rc, $j, $c) = probe_json('--connect', at('probe_hn'), '--sni', 'app.probe.test',
                           '--cert', pki('good.pem'), '--key', pki('good.key'));
ok t_cmp(join(' ', $rc, $j->{verdict} // '-'), '0 LOCKED', 'hostname policy: LOCKED');
ok t_cmp(summary($c->{'host-421'}), 'true null 421', 'hostname policy: a random Host (zone) gets 421');

($rc, $j, $c) = probe_json('--connect', at('probe_hn'), '--sni', 'app.probe.test',
                           '--cert', pki('good.pem'), '--key', pki('good.key'), '--host', 'api.probe.test');
ok t_cmp(join(' ', $rc, $j->{verdict} // '-', summary($c->{'host-421'})), '0 LOCKED true null 421',
         'hostname policy: Host api.probe.test gets 421');

($rc, $j, $c) = probe_json('--connect', at('probe_hn_off'), '--sni', 'app.probe.test',
                           '--cert', pki('good.pem'), '--key', pki('good.key'), '--host', 'api.probe.test');
ok t_cmp(join(' ', $rc, $j->{verdict} // '-'), '1 NOT LOCKED', 'CFAOPHostCheck Off: NOT LOCKED');
ok t_cmp(summary($c->{'host-421'}), 'false null 200', 'CFAOPHostCheck Off: Host api.probe.test is served');
ok t_cmp($j->{why} // '-', "Host api.probe.test, outside the certificate's policy, is served (HTTP 200)",
         'CFAOPHostCheck Off: why');

# ---- a certificate the origin refuses --------------------------------------
($rc, $j, $c) = probe_json('--connect', at('probe_locked'), '--sni', 'www.probe.test',
                           '--cert', pki('wrongca.pem'), '--key', pki('wrongca.key'));
ok t_cmp(join(' ', $rc, $j->{verdict} // '-'), '1 NOT LOCKED', 'refused --cert: exit 1');
ok t_cmp(summary($c->{'given-cert'}), 'false unknown_ca null', 'refused --cert: unknown_ca');
ok t_cmp($j->{why} // '-',
         qr/^the given certificate is not accepted \(refused (?:in|after) the handshake: alert unknown_ca\), so the lock is not confirmed$/,
         'refused --cert: why');
ok t_cmp($c->{'host-421'}{observed} // '-', 'not run: the given certificate is not accepted',
         'refused --cert: host-421 not run');

# ---- a CA name with a quote, a backslash, a tab and UTF-8 ------------------
($rc, $j, $c) = probe_json('--connect', at('probe_odd'), '--sni', 'www.probe.test');
my $odd = join '|', @{ $j->{ca_names} || [] };
ok t_cmp(join(' ', $rc, $j->{verdict} // '-', $j->{ca_count} // '-'), '0 LOCKED 1', 'odd CA name: LOCKED');
ok t_cmp($odd, join('|', @{ openssl_ca_names(vhost => 'probe_odd', sni => 'www.probe.test') || [] }),
         'odd CA name: as openssl s_client prints it (RFC 2253 escapes)');
ok t_cmp($odd, qr/^[\x20-\x7e]+$/, 'odd CA name: printable ASCII only');
($rc, $out) = run_probe('--connect', at('probe_odd'), '--sni', 'www.probe.test');
ok t_cmp($out =~ /[^\x20-\x7e\n]/ ? 'raw bytes' : 'clean', 'clean', 'odd CA name: the text output is printable ASCII');

# ---- usage and connection errors: exit 2 -----------------------------------
($rc, $out) = run_probe();
ok t_cmp($rc, 2, 'no arguments: exit 2');
($rc) = run_probe('--connect', '127.0.0.1:' . port('probe_locked'));
ok t_cmp($rc, 2, 'no --sni: exit 2');
($rc) = run_probe('--connect', '::1:443', '--sni', 'a.test');
ok t_cmp($rc, 2, 'an IPv6 address without brackets: exit 2');
($rc) = run_probe('--connect', '127.0.0.1:70000', '--sni', 'a.test');
ok t_cmp($rc, 2, 'port out of range: exit 2');
($rc) = run_probe('--connect', at('probe_locked'), '--sni', "a.test\r\nX: y");
ok t_cmp($rc, 2, 'a CR LF in --sni: exit 2');
($rc) = run_probe('--connect', at('probe_locked'), '--sni', 'a.test', '--also', '80,');
ok t_cmp($rc, 2, 'a malformed --also: exit 2');
($rc) = run_probe('--connect', at('probe_locked'), '--sni', 'a.test', '--cert', pki('good.pem'),
                  '--key', pki('wrongca.key'));
ok t_cmp($rc, 2, 'a key that does not match the certificate: exit 2');

($rc, $j, $c) = probe_json('--connect', "127.0.0.1:$closed", '--sni', 'www.probe.test');
ok t_cmp(join(' ', $rc, $j->{verdict} // '-'), '2 ERROR', 'nothing listening: exit 2, ERROR');
ok t_cmp($j->{why} // '-', 'cert-request: TCP connection: Connection refused', 'nothing listening: why');
# The IPv6 form parses (the server listens on 127.0.0.1 only: a connection error).
($rc, $j, $c) = probe_json('--connect', "[::1]:$closed", '--sni', 'www.probe.test', '--timeout', '2');
ok t_cmp(join(' ', $rc, $j->{verdict} // '-', $j->{address} // '-', $j->{port} // '-'), "2 ERROR ::1 $closed",
         '[::1]:PORT: parsed, then a connection error');
