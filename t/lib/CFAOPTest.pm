# SPDX-License-Identifier: Apache-2.0
package CFAOPTest;
# Helpers shared by the mod_cf_aop Apache::Test files: TLS requests made
# with a named client certificate from t/pki, the TLS alerts the client
# received, what openssl says about a certificate, the error log, and
# `httpd -t` runs against small generated configurations.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Digest::SHA ();
use File::Spec ();
use File::Temp ();
use IO::Select ();
use IO::Socket::INET ();
use IO::Socket::SSL ();
use MIME::Base64 ();
use Net::SSLeay ();
use Time::HiRes ();

our @EXPORT = qw(port pki cert_info client_context tls_request
                 log_mark log_since log_wait log_escape log_quote verdict_line
                 openssl_ca_names configtest httpd_signal_restart
                 raw_request env_lines server_locale);

# A server that drops the connection must not kill the test with SIGPIPE.
$SIG{PIPE} = 'IGNORE';

our $TIMEOUT = 10;    # seconds; a test may raise it with local

# TLS alert descriptions (RFC 8446 section 6), by number.
my %ALERT = (
    0 => 'close_notify', 10 => 'unexpected_message', 20 => 'bad_record_mac',
    40 => 'handshake_failure', 42 => 'bad_certificate', 43 => 'unsupported_certificate',
    44 => 'certificate_revoked', 45 => 'certificate_expired', 46 => 'certificate_unknown',
    47 => 'illegal_parameter', 48 => 'unknown_ca', 49 => 'access_denied',
    50 => 'decode_error', 51 => 'decrypt_error', 70 => 'protocol_version',
    80 => 'internal_error', 90 => 'user_canceled', 109 => 'missing_extension',
    112 => 'unrecognized_name', 116 => 'certificate_required',
);

# Alerts seen by the client of the request under way: [direction, name].
my @alerts;

sub config { Apache::Test::config() }

# The port Apache::Test gave to <VirtualHost NAME> (or host:NAME).
sub port {
    my $name = shift;
    my $vhost = config()->{vhosts}{$name}
        or die "no <VirtualHost $name> in t/conf/extra.conf.in\n";
    return $vhost->{port};
}

sub pki { File::Spec->catfile(Apache::Test::vars('t_dir'), 'pki', @_) }

# What openssl says of t/pki/NAME.pem, in the forms the module exports.
my %cert_info;
sub cert_info {
    my $name = shift;
    return $cert_info{$name} if $cert_info{$name};
    my $file = pki("$name.pem");
    my $out = qx{openssl x509 -in '$file' -noout -serial -subject -issuer -startdate -enddate -nameopt RFC2253};
    $? == 0 or die "openssl x509 -in $file failed\n";
    my %info;
    for (split /\n/, $out) {
        $info{$1} = $2 if /^(serial|subject|issuer|notBefore|notAfter)=\s*(.*)$/;
    }
    open my $fh, '<', $file or die "$file: $!\n";
    my $pem = do { local $/; <$fh> };
    my ($b64) = $pem =~ /-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----/s
        or die "$file: no certificate\n";
    $info{sha256} = Digest::SHA::sha256_hex(MIME::Base64::decode_base64($b64));
    return $cert_info{$name} = \%info;
}

# A client TLS context: certificate NAME (t/pki/NAME.pem and NAME.key; with
# chain => 1 the certificate file is NAME-chain.pem), protocol 1.2 or 1.3,
# and a session cache so that later connections made with it can resume.
sub client_context {
    my %a = @_;
    my $tls = $a{tls} || '1.3';
    my %opt = (
        SSL_verify_mode        => IO::Socket::SSL::SSL_VERIFY_NONE(),
        SSL_version            => $tls eq '1.2' ? 'TLSv1_2' : 'TLSv1_3',
        SSL_session_cache_size => 4,
        SSL_create_ctx_callback => sub {
            my $ctx = shift;
            Net::SSLeay::CTX_set_info_callback($ctx, sub {
                my (undef, $where, $ret) = @_;
                return unless $where & Net::SSLeay::CB_ALERT();
                my $dir = ($where & Net::SSLeay::CB_READ()) ? 'read' : 'write';
                push @alerts, [$dir, $ALERT{$ret & 0xff} // 'alert_' . ($ret & 0xff)];
            });
        },
    );
    # session_cache => an IO::Socket::SSL::Session_Cache shared with other
    # contexts: a session made with one certificate offered with another.
    $opt{SSL_session_cache} = $a{session_cache} if $a{session_cache};
    if (my $cert = $a{cert}) {
        $opt{SSL_cert_file} = pki($a{chain} ? "$cert-chain.pem" : "$cert.pem");
        $opt{SSL_key_file}  = pki("$cert.key");
    }
    return IO::Socket::SSL::SSL_Context->new(\%opt)
        || die "client context: $IO::Socket::SSL::SSL_ERROR\n";
}

# One TLS connection to <VirtualHost vhost> and GET requests over it.
#   vhost => NAME, cert => NAME, chain => 0|1, tls => '1.2'|'1.3',
#   sni => name (none by default), host => Host header (sni or 127.0.0.1),
#   path => '/env.shtml', requests => how many on the connection (1),
#   hosts => [Host of request 1, Host of request 2, ...] (instead of host),
#   ctx => a client_context() to reuse (for resumption), session_key => the
#   key of the session to offer (default: one per vhost and SNI).
# Returns {connected, connect_error, reused, version, alert, alerts,
#          responses => [{status, headers, body, env}], status, env, headers}
# where alert is the first fatal alert the client received from the server.
sub tls_request {
    my %a = @_;
    my $ctx = $a{ctx} || client_context(%a);
    my $host = $a{host} // $a{sni} // '127.0.0.1';
    my $path = $a{path} // '/env.shtml';
    my @hosts = $a{hosts} ? @{ $a{hosts} } : ();
    my $n = @hosts || $a{requests} || 1;
    my %r = (responses => [], alerts => []);
    @alerts = ();

    my $sock = IO::Socket::SSL->new(
        PeerHost      => '127.0.0.1',
        PeerPort      => port($a{vhost}),
        Timeout       => $TIMEOUT,
        SSL_reuse_ctx => $ctx,
        SSL_hostname  => $a{sni} // '',
        SSL_session_key => $a{session_key} // ('cfaop:' . $a{vhost} . ':' . ($a{sni} // '')),
    );
    if ($sock) {
        $r{connected} = 1;
        $r{reused}    = $sock->get_session_reused ? 1 : 0;
        $r{version}   = $sock->get_sslversion;
        my $buf = '';
        for my $i (1 .. $n) {
            my $last = $i == $n;
            my $req = "GET $path HTTP/1.1\r\nHost: " . ($hosts[$i - 1] // $host) . "\r\n"
                    . ($last ? "Connection: close\r\n" : '') . "\r\n";
            last unless defined $sock->syswrite($req);
            my $resp = read_response($sock, \$buf) or last;
            push @{ $r{responses} }, $resp;
        }
        $sock->close;   # a clean shutdown keeps the session resumable
    }
    else {
        $r{connected} = 0;
        $r{connect_error} = $IO::Socket::SSL::SSL_ERROR || "$!";
    }
    $r{alerts} = [ map { "$_->[0]:$_->[1]" } @alerts ];
    ($r{alert}) = map { $_->[1] } grep { $_->[0] eq 'read' && $_->[1] ne 'close_notify' } @alerts;
    if (my $first = $r{responses}[0]) {
        $r{$_} = $first->{$_} for qw(status headers body env);
    }
    return \%r;
}

sub read_more {
    my ($sock, $buf) = @_;
    unless ($sock->pending) {
        my $sel = IO::Select->new($sock);
        return 0 unless $sel->can_read($TIMEOUT);
    }
    my $got = $sock->sysread(my $chunk, 65536);
    return 0 unless $got;
    $$buf .= $chunk;
    return 1;
}

# SSI's printenv writes values entity-encoded.
sub html_unescape {
    my $s = shift;
    my %named = (amp => '&', lt => '<', gt => '>', quot => '"', apos => "'");
    $s =~ s/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/
        substr($1, 0, 2) eq '#x' ? chr(hex substr($1, 2)) : substr($1, 0, 1) eq '#' ? chr(substr($1, 1)) : $named{$1}/ge;
    return $s;
}

# A minimal HTTP/1.1 response reader (Content-Length, chunked, or to EOF);
# env holds the NAME=value lines of the body (what /env.shtml prints).
sub read_response {
    my ($sock, $buf) = @_;
    while ($$buf !~ /\r\n\r\n/) {
        read_more($sock, $buf) or return undef;
    }
    $$buf =~ s/^(.*?)\r\n\r\n//s;
    my ($status_line, @lines) = split /\r\n/, $1;
    my ($status) = $status_line =~ m{^HTTP/\d\.\d (\d{3})} or return undef;
    my %headers;
    for (@lines) {
        $headers{lc $1} = $2 if /^([^:]+):\s*(.*)$/;
    }
    my $body = '';
    if (($headers{'transfer-encoding'} // '') =~ /chunked/i) {
        while (1) {
            while ($$buf !~ /\r\n/) { read_more($sock, $buf) or return undef }
            $$buf =~ s/^([0-9a-fA-F]+)[^\r\n]*\r\n// or return undef;
            my $size = hex $1;
            while (length($$buf) < $size + 2) { read_more($sock, $buf) or return undef }
            $body .= substr($$buf, 0, $size);
            substr($$buf, 0, $size + 2) = '';
            if ($size == 0) { last }
        }
    }
    elsif (defined $headers{'content-length'}) {
        my $len = $headers{'content-length'};
        while (length($$buf) < $len) { read_more($sock, $buf) or return undef }
        $body = substr($$buf, 0, $len);
        substr($$buf, 0, $len) = '';
    }
    else {
        1 while read_more($sock, $buf);
        $body = $$buf;
        $$buf = '';
    }
    my %env = env_lines($body);
    return { status => $status + 0, headers => \%headers, body => $body, env => \%env };
}

# The CA names the server advertises in its CertificateRequest (RFC 2253)
# to a handshake with SNI sni (none when not given),
# or undef when it sends no CertificateRequest at all.
sub openssl_ca_names {
    my %a = @_;
    my $port = port($a{vhost});
    my $ver = ($a{tls} || '1.3') eq '1.2' ? '-tls1_2' : '-tls1_3';
    my $sni = defined $a{sni} ? "-servername '$a{sni}'" : '-noservername';
    my $out = qx{openssl s_client -connect 127.0.0.1:$port $ver $sni -msg -nameopt RFC2253 </dev/null 2>&1};
    return undef unless $out =~ /, CertificateRequest\b/;
    my (@names, $in);
    for (split /\n/, $out) {
        if (/^Acceptable client certificate CA names/) { $in = 1; next }
        next unless $in;
        last if /^(?:Requested|Shared|Client Certificate Types|Peer|Server Temp|Verification|---)/;
        push @names, $_ if length;
    }
    return \@names;
}

# ---- error log ------------------------------------------------------------

sub error_log { scalar config()->error_log }

sub log_mark { return -s error_log() || 0 }

sub log_since {
    my $mark = shift;
    open my $fh, '<', error_log() or return '';
    seek $fh, $mark, 0;
    local $/;
    return scalar(<$fh>) // '';
}

# The first error log line written after MARK that matches RE, waiting up to
# a few seconds for it (a child logs on its own time); undef if none.
sub log_wait {
    my ($mark, $re, $timeout) = @_;
    my $until = Time::HiRes::time() + ($timeout // 5);
    while (1) {
        for my $line (split /\n/, log_since($mark)) {
            return $line if $line =~ $re;
        }
        return undef if Time::HiRes::time() > $until;
        Time::HiRes::sleep(0.05);
    }
}

# httpd's error log writes a backslash in a message as two.
sub log_escape {
    my $s = shift;
    $s =~ s/\\/\\\\/g;
    return $s;
}

# A peer value as the module quotes it in a log line (before httpd's own
# escaping): in double quotes, '"' and '\' escaped, other bytes outside
# printable ASCII as \xHH; undef as - (no quotes).
sub log_quote {
    my $s = shift;
    return '-' unless defined $s;
    $s =~ s/([\\"])/\\$1/g;
    $s =~ s/([^\x20-\x7e])/sprintf('\\x%02x', ord $1)/ge;
    return qq{"$s"};
}

# The text of a CFAOP01xx verdict line for certificate NAME (undef: none):
#   ID: WHAT: reason=R client=127.0.0.1 sni="S"|- policy=zone subject="..." issuer="..." serial="X"
# as a regexp that also allows resumed=yes and the optional detail="..." at the end.
sub verdict_line {
    my %a = @_;
    my $c = defined $a{cert} ? cert_info($a{cert}) : undef;
    my $head = sprintf '%s: %s: reason=%s client=127.0.0.1 sni=%s policy=zone',
        $a{id}, $a{what}, $a{reason}, log_escape(log_quote($a{sni}));
    my $tail = sprintf ' subject=%s issuer=%s serial=%s',
        $c ? log_escape(log_quote($c->{subject})) : '-', $c ? log_escape(log_quote($c->{issuer})) : '-',
        $c ? log_quote($c->{serial}) : '-';
    return qr/\Q$head\E(?: resumed=yes)?\Q$tail\E(?: detail="(?:[^"\\]|\\.)*")?\s*$/;
}

# Graceful restart of the test server; returns once the new generation
# has said it is up.
sub httpd_signal_restart {
    my $pidfile = Apache::Test::vars('t_pid_file');
    open my $fh, '<', $pidfile or die "$pidfile: $!\n";
    my ($pid) = <$fh> =~ /(\d+)/;
    my $mark = log_mark();
    kill 'USR1', $pid or die "kill USR1 $pid: $!\n";
    log_wait($mark, qr/AH00489: .*resuming normal operations/, 20)
        or die "the server did not come back after a graceful restart\n";
}

# ---- httpd -t -------------------------------------------------------------

# Runs `httpd -t` on a configuration made of a small preamble (the MPM,
# mod_ssl and the module under test) and BODY. Returns
# {rc, output, conf, dir, line => line number of BODY's first line in conf,
# seconds}.
sub configtest { return configtest_without([], @_) }

# configtest() with some modules left out: CFAOPTest::configtest_without(
# ['ssl'], $body) (mod_ssl absent: no SSLCertificate* lines either) or
# (['cf_aop'], $body); [] leaves none out. Same result hash as configtest();
# {seconds} is how long httpd -t took. listen => 'ADDR:PORT' replaces the
# placeholder Listen, for a configuration that is then started.
sub configtest_without {
    my ($drop, $body, %opt) = @_;
    my %drop = map { $_ => 1 } @$drop;
    my $t_logs = Apache::Test::vars('t_logs');
    my $dir = File::Temp::tempdir('configtest.XXXXXX', DIR => $t_logs, CLEANUP => 1);
    my $conf = "$dir/httpd.conf";

    my @load;
    open my $main, '<', Apache::Test::vars('t_conf_file') or die "httpd.conf: $!\n";
    while (<$main>) {
        next unless /^\s*(LoadModule\s+((?:mpm_\w+|unixd|authz_core|ssl))_module\s+.*)$/;
        push @load, "$1\n" unless $drop{$2};
    }
    close $main;
    my $module = Apache::Test::vars('cfaop_module');
    my $preamble = join '', @load,
        ($drop{cf_aop} ? () : qq{LoadModule cf_aop_module "$module"\n}),
        qq{ServerRoot "$dir"\n},
        qq{ServerName 127.0.0.1\n},
        'Listen ' . ($opt{listen} // '127.0.0.1:1') . "\n",
        qq{PidFile "$dir/httpd.pid"\n},
        qq{ErrorLog "$dir/error_log"\n},
        qq{DefaultRuntimeDir "$dir"\n},
        ($drop{ssl} ? () : (qq{SSLCertificateFile "} . pki('server.pem') . qq{"\n},
                            qq{SSLCertificateKeyFile "} . pki('server.key') . qq{"\n}));
    my $line = 1 + ($preamble =~ tr/\n//);

    open my $fh, '>', $conf or die "$conf: $!\n";
    print $fh $preamble, $body;
    close $fh;

    my $httpd = Apache::Test::vars('httpd');
    my $start = Time::HiRes::time();
    my $output = qx{'$httpd' -t -f '$conf' 2>&1};
    return { rc => $? >> 8, output => $output, conf => $conf, dir => $dir, line => $line,
             seconds => Time::HiRes::time() - $start };
}

# configtest bodies: TEXT written to DIR/NAME (its path returned), and a
# CFAOP On TLS vhost on 127.0.0.1:8443 holding LINES.
sub write_text {
    my ($dir, $name, $text) = @_;
    my $path = "$dir/$name";
    open my $fh, '>', $path or die "$path: $!\n";
    print $fh $text;
    close $fh;
    return $path;
}

sub cfaop_vhost {
    return join '', map { "$_\n" } '<VirtualHost 127.0.0.1:8443>', 'SSLEngine on', 'CFAOP On', @_,
                                    '</VirtualHost>';
}

# ---- raw requests -----------------------------------------------------------

# One connection to <VirtualHost vhost> carrying REQUEST, the bytes given
# (header names spelt exactly so, chunked bodies, trailers); TLS unless
# plain => 1, with cert => NAME and sni => name as for tls_request.
# Returns {connected, connect_error, status, headers, body, env} for the
# first response.
sub raw_request {
    my %a = @_;
    my %r;
    my $sock;
    if ($a{plain}) {
        $sock = CFAOPTest::PlainSocket->new(PeerHost => '127.0.0.1', PeerPort => port($a{vhost}),
                                      Timeout => $TIMEOUT);
    }
    else {
        $sock = IO::Socket::SSL->new(
            PeerHost      => '127.0.0.1',
            PeerPort      => port($a{vhost}),
            Timeout       => $TIMEOUT,
            SSL_reuse_ctx => client_context(cert => $a{cert}, tls => $a{tls}),
            SSL_hostname  => $a{sni} // '',
        );
    }
    unless ($sock) {
        return { connected => 0, connect_error => $IO::Socket::SSL::SSL_ERROR || "$!" };
    }
    $r{connected} = 1;
    my $req = $a{request};
    while (length $req) {
        my $n = $sock->syswrite($req) or last;
        substr($req, 0, $n) = '';
    }
    my $buf = '';
    if (my $resp = read_response($sock, \$buf)) {
        $r{$_} = $resp->{$_} for qw(status headers body env);
    }
    $sock->close;
    return \%r;
}

# read_response asks a socket for bytes pending in its TLS buffer.
package CFAOPTest::PlainSocket;
our @ISA = ('IO::Socket::INET');
sub pending { 0 }
package CFAOPTest;

# The NAME=value lines of SSI's printenv (entity-encoded values). httpd
# names a request header's variable with the C library's toupper(), which
# under tr_TR.UTF-8 (t/modules/mod_cfaop_setlocale.c, loaded for the whole
# suite) leaves 'i' as it is: HTTP_CF_CERT_VERiFiED. Such a name is read as
# the one the C locale gives.
sub env_lines {
    my $body = shift // '';
    return map { /^([A-Z0-9_i]+)=(.*)$/ ? (uc($1) => html_unescape($2)) : () } split /\r?\n/, $body;
}

# The LC_CTYPE of the server's children (t/modules/mod_cfaop_setlocale.c
# reports it at /req-locale), or 'C' when that module is not loaded.
my $server_locale;
sub server_locale {
    return $server_locale if defined $server_locale;
    my $r = tls_request(vhost => 'cfaop_req_report', path => '/req-locale');
    my ($l) = ($r->{body} // '') =~ /^LC_CTYPE=(\S+)$/m;
    return $server_locale = $l // 'C';
}

1;
