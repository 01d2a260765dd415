# SPDX-License-Identifier: Apache-2.0
# CFAOPRemoteIP On: on a request whose connection passed AOP, the client IP
# is CF-Connecting-IP's address, for the access log (%a), Require ip,
# mod_rewrite, SSI/CGI's REMOTE_ADDR, error documents and subrequests, on
# HTTP/1.1 (per request of a keep-alive connection) and HTTP/2; the peer is
# CF_AOP_PEER_IP. Everywhere else (a ReportOnly connection that failed or
# sent no certificate, a vhost without CFAOP, CFAOPRemoteIP Off) the header
# changes nothing. Malformed values are ignored with CFAOP0601. configtest
# warns (CFAOP0603) when mod_remoteip takes CF-Connecting-IP on the same
# vhost. Vhosts: t/conf/remoteip.conf.in.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::RemoteIP qw(seen);
use File::Temp ();
use IO::Socket::SSL ();

my $curl_v = qx{curl -V 2>/dev/null} // '';
my $have_h2 = $curl_v =~ /^Features:.*\bHTTP2\b/m;
my $modules = do { local (@ARGV, $/) = CFAOPTest::pki('remoteip-modules.conf'); <> } // '';
my $have_remoteip = $modules =~ /remoteip_module/;
my $remoteip_so = Apache::Test::config()->find_apache_module('mod_remoteip.so');

my @malformed = (
    ['a list', '203.0.113.9, 198.51.100.1', 'a list of addresses'],
    ['a port', '203.0.113.9:443', 'an address with a port'],
    ['garbage', 'unknown', 'not an IP address'],
    ['overlong', '203.0.113.9' . ('0' x 300), 'longer than an address can be'],
    ['IPv6 with a zone id', 'fe80::1%eth0', 'a zone id'],
    ['brackets', '[2001:db8::1]', 'brackets'],
    ['a quote and a non-ASCII byte', qq{203.0.113.9"x="\xff}, 'not an IP address'],
    ['inner white space', '203.0.113.9 198.51.100.1', 'white space'],
);
my @configtest = (
    # [what, main-server lines, vhost lines, warns?]
    ['its own RemoteIPHeader cf-connecting-ip', [], ['CFAOPRemoteIP On', 'RemoteIPHeader cf-connecting-ip'], 1],
    ['RemoteIPHeader "CF-Connecting-IP" from the main server', ['RemoteIPHeader "CF-Connecting-IP"'],
     ['CFAOPRemoteIP On'], 1],
    ['CFAOPRemoteIP On from the main server', ['CFAOPRemoteIP On', 'RemoteIPHeader CF-Connecting-IP'], [], 1],
    ['the vhost takes X-Forwarded-For instead', ['RemoteIPHeader CF-Connecting-IP'],
     ['CFAOPRemoteIP On', 'RemoteIPHeader X-Forwarded-For'], 0],
    ['CFAOPRemoteIP Off', [], ['CFAOPRemoteIP Off', 'RemoteIPHeader CF-Connecting-IP'], 0],
    ['no CFAOPRemoteIP', [], ['RemoteIPHeader CF-Connecting-IP'], 0],
);

plan tests => 27 + 3 * @malformed + 2 + 2 * @configtest + 2 + ($have_h2 ? 4 : 0) + ($have_remoteip ? 2 : 0),
    need { 'mod_remoteip (for the configtest cases)' => $remoteip_so ? 1 : 0 };

my $access_log = File::Spec->catfile(Apache::Test::vars('t_logs'), 'remoteip_access.log');
my $next_id = 0;

# GET requests over one TLS connection to VHOST, the n-th with
# CF-Connecting-IP: $ips->[n] (none for undef) and any other header lines in
# extra; each request carries an X-Rip-Id for the access log. Returns the
# responses ({status, headers, env, id}).
sub rip_get {
    my %a = @_;
    my @ips = @{ $a{ips} // [undef] };
    my $sock = IO::Socket::SSL->new(
        PeerHost => '127.0.0.1', PeerPort => port($a{vhost}), Timeout => 10,
        SSL_reuse_ctx => client_context(cert => $a{cert}),
    ) or return ({ status => 'no connection: ' . ($IO::Socket::SSL::SSL_ERROR || $!) });
    my ($buf, @out) = ('');
    for my $i (0 .. $#ips) {
        my $id = 'r' . (++$next_id);
        my $req = "GET " . ($a{path} // '/env.shtml') . " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Rip-Id: $id\r\n"
                . (defined $ips[$i] ? "CF-Connecting-IP: $ips[$i]\r\n" : '')
                . join('', map { "$_\r\n" } @{ $a{extra} // [] })
                . ($i == $#ips ? "Connection: close\r\n" : '') . "\r\n";
        last unless defined $sock->syswrite($req);
        my $resp = CFAOPTest::read_response($sock, \$buf) or last;
        $resp->{id} = $id;
        push @out, $resp;
    }
    $sock->close;
    return @out;
}

# The access log line of request ID ("a=... c=... status=..."), waiting for it.
sub access_line { return CFAOPTest::RemoteIP::access_line($access_log, 'rip', $_[0]) }

# ---- a connection that passed: the visitor everywhere -----------------------
my ($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['203.0.113.9']);
ok t_cmp(seen($r), '200 203.0.113.9 127.0.0.1 127.0.0.1',
         'passed: REMOTE_ADDR is the visitor, CF_AOP_PEER_IP (variable and mod_headers) the peer');
ok t_cmp($r->{env}{REMOTE_PORT} // '-', qr/^[1-9]\d*$/, "passed: REMOTE_PORT is still the connection's");
ok t_cmp(access_line($r->{id}), 'a=203.0.113.9 c=127.0.0.1 status=200', 'passed: %a is the visitor, %{c}a the peer');

($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['203.0.113.9'], path => '/rip-allow/env.shtml');
ok t_cmp(seen($r), '200 203.0.113.9 127.0.0.1 127.0.0.1', 'Require ip 203.0.113.0/24 grants the visitor');
($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['198.51.100.7'], path => '/rip-allow/env.shtml');
ok t_cmp($r->{status}, 403, 'Require ip 203.0.113.0/24 denies another visitor');
ok t_cmp(access_line($r->{id}), 'a=198.51.100.7 c=127.0.0.1 status=403', 'the denial is logged with the visitor');
($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', path => '/rip-allow/env.shtml');
ok t_cmp($r->{status}, 403, 'Require ip 203.0.113.0/24: without the header, the peer is denied');

($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['203.0.113.9'], path => '/rip-rewrite');
ok t_cmp(join(' ', $r->{status}, $r->{env}{RIP_REWRITE_ADDR} // '-'), '200 203.0.113.9',
         'mod_rewrite: %{REMOTE_ADDR} is the visitor');

# An error document (internal redirect) and SSI includes (subrequests).
($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['203.0.113.9'], path => '/no-such-page');
ok t_cmp(join(' ', seen($r), $r->{env}{REDIRECT_STATUS} // '-'), '404 203.0.113.9 127.0.0.1 127.0.0.1 404',
         'ErrorDocument: the error document sees the visitor and CF_AOP_PEER_IP');
($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['203.0.113.9'], path => '/rip-include.shtml');
ok t_cmp(seen($r), '200 203.0.113.9 127.0.0.1 127.0.0.1',
         'SSI include virtual: the subrequest passes Require ip and sees the visitor');

# IPv6, and the forms of an address that are still one address.
for my $c (['2001:db8::1', '2001:db8::1'], ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
           ['::ffff:203.0.113.10', '203.0.113.10']) {
    my ($value, $want) = @$c;
    ($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => [$value]);
    ok t_cmp(seen($r), "200 $want 127.0.0.1 127.0.0.1", "CF-Connecting-IP: $value is $want");
}
($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['2001:db8::1']);
ok t_cmp(access_line($r->{id}), 'a=2001:db8::1 c=127.0.0.1 status=200', 'IPv6 in the access log');
($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['2001:db8::1'], path => '/rip-allow/env.shtml');
ok t_cmp($r->{status}, 403, 'Require ip 203.0.113.0/24 denies an IPv6 visitor');

# The header absent: nothing changes.
($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good');
ok t_cmp(seen($r), '200 127.0.0.1 - -', 'passed, no CF-Connecting-IP: the peer, no CF_AOP_PEER_IP');
ok t_cmp(access_line($r->{id}), 'a=127.0.0.1 c=127.0.0.1 status=200', 'passed, no header: %a is the peer');

# Keep-alive: each request is judged on its own.
my @rs = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['203.0.113.9', '203.0.113.77', undef, 'junk']);
ok t_cmp(join(' | ', map { seen($_) } @rs),
         '200 203.0.113.9 127.0.0.1 127.0.0.1 | 200 203.0.113.77 127.0.0.1 127.0.0.1 | 200 127.0.0.1 - - | 200 127.0.0.1 - -',
         'one keep-alive connection: each request its own visitor, none without the header');

# Two CF-Connecting-IP lines are one list to httpd.
($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['203.0.113.9'], extra => ['CF-Connecting-IP: 198.51.100.1']);
ok t_cmp(seen($r), '200 127.0.0.1 - -', 'the header twice: ignored');

# ---- malformed values ------------------------------------------------------------
for my $c (@malformed) {
    my ($what, $value, $why) = @$c;
    my $mark = log_mark();
    ($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => [$value]);
    ok t_cmp(seen($r), '200 127.0.0.1 - -', "$what: ignored, the client IP stays the peer");
    my $line = log_wait($mark, qr/CFAOP0601:/) // 'none';
    my $quoted = log_escape(CFAOPTest::log_quote(length $value > 200 ? substr($value, 0, 200) : $value));
    $quoted =~ s/"$// if length $value > 200;    # cut: the value goes on, then "+
    ok t_cmp($line, qr/CFAOP0601: CF-Connecting-IP ignored: reason=invalid client=127\.0\.0\.1 value=\Q$quoted\E.*: \Q$why\E$/,
             "$what: CFAOP0601 with the value quoted and the reason");
    ok t_cmp(length $line, qr/^(?:[1-9]\d{0,2}|10[01]\d|102[0-3])$/, "$what: the log line is under 1 KiB");
}
# Logged once per request: the error document of a malformed value's 404.
my $mark = log_mark();
($r) = rip_get(vhost => 'cfaop_rip_on', cert => 'good', ips => ['nonsense'], path => '/no-such-page');
ok t_cmp(seen($r), '404 127.0.0.1 - -', 'malformed value and an error document: the peer');
log_wait($mark, qr/CFAOP0601:.*"nonsense"/);
my @lines = grep { /CFAOP0601:.*"nonsense"/ } split /\n/, log_since($mark);
ok t_cmp(scalar @lines, 1, 'malformed value and an error document: one CFAOP0601 line');

# ---- where the header is not believed -----------------------------------------
($r) = rip_get(vhost => 'cfaop_rip_report', cert => 'good', ips => ['203.0.113.9']);
ok t_cmp(join(' ', seen($r), $r->{env}{CF_AOP_VERIFIED} // '-'), '200 203.0.113.9 127.0.0.1 127.0.0.1 SUCCESS',
         'ReportOnly, certificate passed: the visitor');
$mark = log_mark();
($r) = rip_get(vhost => 'cfaop_rip_report', cert => 'selfsigned', ips => ['203.0.113.9']);
ok t_cmp(join(' ', seen($r), $r->{env}{CF_AOP_VERIFIED} // '-'), '200 127.0.0.1 - - FAILED:untrusted',
         'ReportOnly, certificate failed: the header is ignored');
ok t_cmp(log_wait($mark, qr/CFAOP0602:/) // 'none',
         qr/CFAOP0602: CF-Connecting-IP ignored: reason=not-passed client=127\.0\.0\.1 value="203\.0\.113\.9": the connection did not pass AOP on this virtual host$/,
         'ReportOnly, certificate failed: CFAOP0602 (debug)');
($r) = rip_get(vhost => 'cfaop_rip_report', ips => ['203.0.113.9']);
ok t_cmp(join(' ', seen($r), $r->{env}{CF_AOP_VERIFIED} // '-'), '200 127.0.0.1 - - NONE',
         'ReportOnly, no certificate: the header is ignored');
($r) = rip_get(vhost => 'cfaop_rip_report', cert => 'wrongca', ips => ['203.0.113.9']);
ok t_cmp(seen($r), '200 127.0.0.1 - -', 'ReportOnly, certificate of another CA: the header is ignored');
($r) = rip_get(vhost => 'cfaop_rip_plain', cert => 'good', ips => ['203.0.113.9']);
ok t_cmp(seen($r), '200 127.0.0.1 - -', 'CFAOPRemoteIP On on a vhost without CFAOP: ignored');
($r) = rip_get(vhost => 'cfaop_rip_off', cert => 'good', ips => ['203.0.113.9']);
ok t_cmp(seen($r), '200 127.0.0.1 - -', 'CFAOPRemoteIP Off: ignored');
($r) = rip_get(vhost => 'cfaop_on', cert => 'good', ips => ['203.0.113.9']);
ok t_cmp(seen($r), '200 127.0.0.1 - -', 'CFAOPRemoteIP not set (Off): ignored');

# ---- HTTP/2: per stream, the verdict of the master connection -------------------
if ($have_h2) {
    my $dir = File::Temp::tempdir(CLEANUP => 1);
    my $url = 'https://127.0.0.1:' . port('cfaop_rip_on') . '/env.shtml';
    my @tls = ('-s', '-k', '--http2', '--max-time', '20', '-w', '%{http_version} %{num_connects}\n');
    my @cmd = ('curl', @tls, '--cert', pki('good.pem'), '--key', pki('good.key'),
               '-H', 'CF-Connecting-IP: 203.0.113.9', '-H', 'X-Rip-Id: h2-a', '-o', "$dir/1", $url,
               '--next', @tls, '--cert', pki('good.pem'), '--key', pki('good.key'),
               '-H', 'X-Rip-Id: h2-b', '-o', "$dir/2", $url);
    open my $fh, '-|', @cmd or die "curl: $!";
    my @transfers = <$fh>;
    close $fh;
    chomp @transfers;
    my @env = map { my $f = "$dir/$_"; +{ CFAOPTest::env_lines(-e $f ? do { open my $b, '<', $f or die; local $/; <$b> } : '') } } 1, 2;
    ok t_cmp(join(' / ', @transfers), '2 1 / 2 0', 'HTTP/2: two streams on one connection');
    ok t_cmp(join(' ', map { $_->{REMOTE_ADDR} // '-' } @env), '203.0.113.9 127.0.0.1',
             'HTTP/2: the stream with the header has the visitor, the next one the peer');
    ok t_cmp(join(' ', map { $_->{CF_AOP_PEER_IP} // '-' } @env), '127.0.0.1 -', 'HTTP/2: CF_AOP_PEER_IP');
    ok t_cmp(access_line('h2-a'), 'a=203.0.113.9 c=127.0.0.1 status=200', 'HTTP/2: %a is the visitor');
}

# ---- mod_remoteip on the same vhost, with X-Forwarded-For ------------------------
if ($have_remoteip) {
    ($r) = rip_get(vhost => 'cfaop_rip_xff', cert => 'good', ips => ['203.0.113.9'],
                   extra => ['X-Forwarded-For: 198.51.100.7']);
    ok t_cmp(seen($r), '200 203.0.113.9 127.0.0.1 127.0.0.1',
             'mod_remoteip with X-Forwarded-For runs first: CF-Connecting-IP wins, CF_AOP_PEER_IP is the peer');
    ($r) = rip_get(vhost => 'cfaop_rip_xff', cert => 'good', extra => ['X-Forwarded-For: 198.51.100.7']);
    ok t_cmp(seen($r), '200 198.51.100.7 - -', 'mod_remoteip alone: its X-Forwarded-For address');
}

# ---- configtest ---------------------------------------------------------------------
my $root = pki('root-ca.pem');
for my $c (@configtest) {
    my ($what, $main, $vhost, $warns) = @$c;
    my $body = qq{LoadModule remoteip_module "$remoteip_so"\n} . join('', map { "$_\n" } @$main)
             . CFAOPTest::cfaop_vhost(qq{CFAOPTrustedCA "$root"}, @$vhost);
    my $t = configtest($body);
    ok t_cmp($t->{rc}, 0, "configtest, $what: passes");
    if ($warns) {
        my @lines = split /\n/, $body;
        my ($where) = grep { $lines[$_] =~ /^RemoteIPHeader/ } 0 .. $#lines;
        my $header_line = $lines[$where];
        ok t_cmp($t->{output},
                 qr/CFAOP0603: virtual host \S+:8443 \(\Q$t->{conf}\E:\d+\): CFAOPRemoteIP On and \Q$header_line\E \(\Q$t->{conf}:@{[$t->{line} + $where]}\E\): both set the client IP from CF-Connecting-IP; .* Remove RemoteIPHeader from this virtual host/,
                 "configtest, $what: CFAOP0603 names the vhost and the RemoteIPHeader line");
    }
    else {
        ok t_cmp($t->{output}, qr/^(?!.*CFAOP0603)/s, "configtest, $what: no CFAOP0603");
    }
}
# Without CFAOP on the vhost, CFAOPRemoteIP does nothing, and says nothing.
my $t = configtest(qq{LoadModule remoteip_module "$remoteip_so"\n<VirtualHost 127.0.0.1:8443>\nSSLEngine on\n}
                   . "CFAOPRemoteIP On\nRemoteIPHeader CF-Connecting-IP\n</VirtualHost>\n");
ok t_cmp(join(' ', $t->{rc}, $t->{output} =~ /CFAOP0603/ ? 'CFAOP0603' : 'quiet'), '0 quiet',
         'configtest, a vhost without CFAOP: no CFAOP0603');
$t = configtest(CFAOPTest::cfaop_vhost(qq{CFAOPTrustedCA "$root"}, 'CFAOPRemoteIP yes'));
ok t_cmp(join(' ', $t->{rc} ? 'fails' : 'passes', $t->{output} =~ /(CFAOP0001: CFAOPRemoteIP: [^\n]*)/ ? $1 : '-'),
         qr/^fails CFAOP0001: CFAOPRemoteIP: /, 'configtest, CFAOPRemoteIP yes: CFAOP0001');
