# SPDX-License-Identifier: Apache-2.0
package CFAOPTest::Hostname;
# Helpers of the per-hostname tests (t/hostname*.t), on top of CFAOPTest:
# the verdict line of a hostname policy, raw HTTP/1.1 requests
# (absolute-form targets), and HTTP/2 request sequences on one connection
# with curl.
use strict;
use warnings;

use Exporter 'import';
use File::Temp ();
use IO::Socket::SSL ();
use CFAOPTest;

our @EXPORT = qw(hn_cert hn_subject hn_line hn_summary raw_requests curl_h2_hosts);

# The certificate of t/pki/hn/NAME.pem (or t/pki/NAME.pem with a leading
# '/': '/good') as CFAOPTest knows it.
sub hn_cert { my $n = shift; return $n =~ m{^/(.*)} ? $1 : "hn/$n" }

# The subject of a CA file in pki/hn (or '/NAME' in pki), RFC 2253.
sub hn_subject { cert_info(hn_cert(shift))->{subject} }

# A regexp for a CFAOP01xx verdict line of a hostname (or zone) policy:
#   id => 'CFAOP0101', what => 'handshake rejected', reason => 'untrusted',
#   sni => name or undef, policy => 'hostname:app.example.test' | 'zone',
#   cert => leaf name as for hn_cert (undef: none), resumed => 0|1,
#   detail => exact detail text (default: any detail, or none)
sub hn_line {
    my %a = @_;
    my $c = defined $a{cert} ? cert_info(hn_cert($a{cert})) : undef;
    my $text = sprintf '%s: %s: reason=%s client=127.0.0.1 sni=%s policy=%s%s subject=%s issuer=%s serial=%s',
        $a{id}, $a{what}, $a{reason}, log_escape(log_quote($a{sni})), $a{policy}, $a{resumed} ? ' resumed=yes' : '',
        $c ? log_escape(log_quote($c->{subject})) : '-', $c ? log_escape(log_quote($c->{issuer})) : '-',
        $c ? log_quote($c->{serial}) : '-';
    my $detail = defined $a{detail} ? qr/ detail=\Q@{[log_escape(log_quote($a{detail}))]}\E/
                                    : qr/(?: detail="(?:[^"\\]|\\.)*")?/;
    return qr/\Q$text\E$detail\s*$/;
}

# "new|resumed STATUS VERIFIED POLICY ALERT" of a tls_request result: one
# string, so that a failing case shows everything that differs.
sub hn_summary {
    my $r = shift;
    return join ' ', $r->{connected} ? ($r->{reused} ? 'resumed' : 'new') : 'refused',
        $r->{status} // 'no-response', $r->{env}{CF_AOP_VERIFIED} // '-',
        $r->{env}{CF_AOP_POLICY} // '-', $r->{alert} // 'no-alert';
}

# Raw HTTP/1.1 requests, written as given (each a complete request head),
# over one TLS connection to <VirtualHost vhost> with certificate cert and
# SNI sni. Returns the list of responses as CFAOPTest's reader gives them
# ({status, headers, body, env}); fewer when the server closed early.
sub raw_requests {
    my %a = @_;
    my $ctx = CFAOPTest::client_context(cert => hn_cert($a{cert}), tls => $a{tls});
    my $sock = IO::Socket::SSL->new(
        PeerHost => '127.0.0.1', PeerPort => port($a{vhost}), Timeout => 10,
        SSL_reuse_ctx => $ctx, SSL_hostname => $a{sni} // '',
    ) or return [];
    my (@resp, $buf);
    $buf = '';
    for my $req (@{ $a{requests} }) {
        last unless defined $sock->syswrite($req);
        my $resp = CFAOPTest::read_response($sock, \$buf) or last;
        push @resp, $resp;
    }
    $sock->close;
    return \@resp;
}

# HTTP/2 requests on one connection, with curl: the connection is made
# for SNI `sni` with certificate `cert`; request i carries the authority
# hosts->[i] (curl turns a Host header into :authority), each a transfer
# of its own (--next) that reuses the connection. Returns {rc, transfers =>
# ["HTTPVERSION STATUS NUM_CONNECTS", ...], env => [{...}, ...]}.
sub curl_h2_hosts {
    my %a = @_;
    my $port = port($a{vhost});
    my $sni = $a{sni};
    my $url = "https://$sni:$port/env.shtml";
    my $dir = File::Temp::tempdir(CLEANUP => 1);
    my $cert = hn_cert($a{cert});
    my @common = ('-s', '-k', '--http2', '--max-time', '20',
                  '--resolve', "$sni:$port:127.0.0.1",
                  '--cert', CFAOPTest::pki("$cert.pem"), '--key', CFAOPTest::pki("$cert.key"),
                  '-w', '%{http_version} %{http_code} %{num_connects}\n');
    my @cmd = ('curl');
    my $i = 0;
    for my $host (@{ $a{hosts} }) {
        push @cmd, '--next' if $i;
        push @cmd, @common, '-o', "$dir/$i";
        push @cmd, '-H', "Host: $host" if $host ne $sni;
        push @cmd, $url;
        $i++;
    }
    open my $fh, '-|', @cmd or die "curl: $!";
    my @lines = <$fh>;
    close $fh;
    my $rc = $? >> 8;
    chomp @lines;
    my @env;
    for my $n (0 .. $i - 1) {
        my $body = '';
        if (open my $b, '<', "$dir/$n") { local $/; $body = <$b> // '' }
        push @env, { CFAOPTest::env_lines($body) };
    }
    return { rc => $rc, transfers => \@lines, env => \@env };
}

1;
