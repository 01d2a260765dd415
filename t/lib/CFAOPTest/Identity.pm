# SPDX-License-Identifier: Apache-2.0
package CFAOPTest::Identity;
# Helpers of t/identity*.t: HTTP/1.1 and HTTP/2 requests with headers of
# the caller's choosing (names spelt exactly as given, repeated as given),
# the RFC 9440 form of a certificate from t/pki, and the access log that
# t/conf/identity.conf.in writes.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestUtil ();
use CFAOPTest ();
use Digest::SHA ();
use File::Spec ();
use File::Temp ();
use IO::Socket::SSL ();
use MIME::Base64 ();
use Time::HiRes ();

our @EXPORT = qw(id_request curl_request cert_der_b64 cert_pem rfc9440 rfc9440_chain
                 cert_sha256 cf_cert_headers cf_cert_fields leg1_vars leg1_keys
                 leg1_headers_seen access_log_line pem_header log_has log_lacks);

# The certificate t/pki/NAME.pem: its PEM block as openssl writes it, and
# the base64 of its DER on one line.
sub cert_pem {
    my $name = shift;
    my $file = CFAOPTest::pki("$name.pem");
    open my $fh, '<', $file or die "$file: $!\n";
    my $text = do { local $/; <$fh> };
    my ($pem) = $text =~ /(-----BEGIN CERTIFICATE-----\n.*?\n-----END CERTIFICATE-----\n)/s
        or die "$file: no certificate\n";
    return $pem;
}

sub cert_der_b64 {
    my ($b64) = cert_pem(shift) =~ /-----BEGIN CERTIFICATE-----\n(.*?)\n-----END/s;
    $b64 =~ s/\s+//g;
    return $b64;
}

sub cert_sha256 { Digest::SHA::sha256_hex(MIME::Base64::decode_base64(cert_der_b64(shift))) }

# RFC 9440 field values: Client-Cert and Client-Cert-Chain.
sub rfc9440       { ':' . cert_der_b64(shift) . ':' }
sub rfc9440_chain { join ', ', map { rfc9440($_) } @_ }

# What Cloudflare's "Add TLS client auth headers" transform would send for
# the end client t/pki/NAME.pem, as [header, value] pairs in this order;
# fields given in %set replace (or, when new, follow) them, undef drops one.
my @CF_FIELDS = qw(presented verified revoked subject-dn issuer-dn serial
                   fingerprint-sha256 not-before not-after);
sub cf_cert_fields {
    my ($name, %set) = @_;
    my $c = CFAOPTest::cert_info($name);
    my %v = ('presented' => 'true', 'verified' => 'true', 'revoked' => 'false',
             'subject-dn' => $c->{subject}, 'issuer-dn' => $c->{issuer},
             'serial' => $c->{serial}, 'fingerprint-sha256' => $c->{sha256},
             'not-before' => $c->{notBefore}, 'not-after' => $c->{notAfter});
    my @order = (@CF_FIELDS, grep { !exists $v{$_} } sort keys %set);
    %v = (%v, %set);
    return map { defined $v{$_} ? [$_, $v{$_}] : () } @order;
}
sub cf_cert_headers {
    my ($name, %set) = @_;
    return map { ["cf-cert-$_->[0]", $_->[1]] } cf_cert_fields($name, %set);
}

# CF_CLIENT_CERT_* of an environment, as "NAME=value" lines sorted by name
# (multi-line values such as the PEM ones are read from response headers).
sub leg1_vars {
    my $env = shift || {};
    return join "\n", map { "$_=$env->{$_}" } sort grep { /^CF_CLIENT_CERT_/ } keys %$env;
}

# The names of the CF_CLIENT_CERT_* variables of an environment, sorted.
sub leg1_keys {
    my $env = shift || {};
    return join ' ', sort grep { /^CF_CLIENT_CERT_/ } keys %$env;
}

# The PEM text a response carries base64-encoded in header NAME
# (t/conf/identity.conf.in: X-Id-Pem, X-Id-Chain-Pem), or undef.
sub pem_header {
    my ($r, $name) = @_;
    my $v = ($r->{headers} || {})->{lc $name};
    return defined $v ? MIME::Base64::decode_base64($v) : undef;
}

# Assertions on the error log after MARK: a line matching RE is there
# (waiting for it), or none is (lines of a request are written before its
# response, so there is nothing to wait for).
sub log_has {
    my ($mark, $re, $what) = @_;
    return Apache::TestUtil::t_cmp(CFAOPTest::log_wait($mark, $re, 3) // '(no such line)', $re, $what);
}
sub log_lacks {
    my ($mark, $re, $what) = @_;
    return Apache::TestUtil::t_cmp(CFAOPTest::log_wait($mark, $re, 0.2) // '(none)', '(none)', $what);
}

# The Leg-1 request headers the application saw (HTTP_CF_CERT_*,
# HTTP_CF_CLIENT_CERT_*, HTTP_CLIENT_CERT, HTTP_CLIENT_CERT_CHAIN), sorted.
sub leg1_headers_seen {
    my $env = shift || {};
    return join ' ', sort grep { /^HTTP_(?:CF_CERT_|CF_CLIENT_CERT_|CLIENT_CERT(?:_CHAIN)?$)/ } keys %$env;
}

# One TLS connection to <VirtualHost vhost>, one GET with extra headers.
#   vhost, cert (t/pki name of the AOP certificate, none by default),
#   tls => '1.2'|'1.3', path => '/env.shtml',
#   headers => [[name, value], ...] sent in this order, exactly so.
# Returns {connected, connect_error, status, headers, body, env}.
sub id_request {
    my %a = @_;
    my $ctx = CFAOPTest::client_context(cert => $a{cert}, tls => $a{tls} || '1.3');
    my $path = $a{path} // '/env.shtml';
    my %r;
    my $sock = IO::Socket::SSL->new(
        PeerHost      => '127.0.0.1',
        PeerPort      => CFAOPTest::port($a{vhost}),
        Timeout       => 10,
        SSL_reuse_ctx => $ctx,
        SSL_hostname  => '',
    );
    unless ($sock) {
        return { connected => 0, connect_error => $IO::Socket::SSL::SSL_ERROR || "$!" };
    }
    $r{connected} = 1;
    my $req = "GET $path HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    $req .= "$_->[0]: $_->[1]\r\n" for @{ $a{headers} || [] };
    $req .= "Connection: close\r\n\r\n";
    my $off = 0;
    while ($off < length $req) {
        my $n = $sock->syswrite($req, length($req) - $off, $off);
        last unless defined $n;
        $off += $n;
    }
    my $buf = '';
    if (my $resp = CFAOPTest::read_response($sock, \$buf)) {
        $r{$_} = $resp->{$_} for qw(status headers body env);
    }
    $sock->close;
    return \%r;
}

# One curl --http2 request to <VirtualHost vhost> (with the AOP certificate
# cert when given) and headers [[name, value], ...]. Returns {rc, version,
# status, headers, env}.
my $curl_dir;
sub curl_request {
    my %a = @_;
    $curl_dir //= File::Temp::tempdir(CLEANUP => 1);
    my $url = 'https://127.0.0.1:' . CFAOPTest::port($a{vhost}) . ($a{path} // '/env.shtml');
    my @auth = $a{cert} ? ('--cert', CFAOPTest::pki("$a{cert}.pem"), '--key', CFAOPTest::pki("$a{cert}.key")) : ();
    my @hdr = map { ('-H', "$_->[0]: $_->[1]") } @{ $a{headers} || [] };
    my ($body_f, $head_f) = ("$curl_dir/body", "$curl_dir/head");
    unlink $body_f, $head_f;
    my @cmd = ('curl', '-s', '-k', '--http2', '--max-time', '20', @auth, @hdr,
               '-w', '%{http_version} %{http_code}', '-D', $head_f, '-o', $body_f, $url);
    open my $fh, '-|', @cmd or die "curl: $!";
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    my %r = (rc => $? >> 8);
    @r{qw(version status)} = split ' ', $out;
    my %headers;
    if (open my $h, '<', $head_f) {
        while (<$h>) {
            s/\r?\n$//;
            $headers{lc $1} = $2 if /^([^:\s]+):\s*(.*)$/;
        }
    }
    $r{headers} = \%headers;
    my $body = '';
    if (open my $b, '<', $body_f) { local $/; $body = <$b> // '' }
    $r{env} = { CFAOPTest::env_lines($body) };
    return \%r;
}

# The access log line of the request tagged X-Id-Tag: TAG (waiting up to
# a few seconds: the line is written after the response), or undef.
sub access_log_line {
    my ($tag, $timeout) = @_;
    my $file = File::Spec->catfile(Apache::Test::vars('t_logs'), 'identity_access_log');
    my $until = Time::HiRes::time() + ($timeout // 5);
    while (1) {
        if (open my $fh, '<', $file) {
            while (my $line = <$fh>) {
                chomp $line;
                return $line if index($line, "id=$tag ") == 0;
            }
        }
        return undef if Time::HiRes::time() > $until;
        Time::HiRes::sleep(0.05);
    }
}

1;
