# SPDX-License-Identifier: Apache-2.0
# CFAOPRemoteIP tried from outside: every way a client that did not pass AOP
# might get a forged CF-Connecting-IP believed (a refused request's error
# document, a Host that selects another policy, a name-based vhost without
# CFAOP on the same port, HTTP/2 streams, a Require cf-aop denial, the
# header's spellings), what a proxied backend receives, log lines for hostile
# values, the phases that must see the visitor (mod_setenvif, expressions,
# .htaccess, pipelined and keep-alive requests, a graceful restart between
# two requests of one connection), and configtest's CFAOP0603 wherever
# RemoteIPHeader can be written. Vhosts: t/conf/remoteip-edges.conf.in.
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
my $mods = '';
for my $f ('remoteip-modules.conf', 'request-modules.conf') {
    $mods .= do { local (@ARGV, $/) = CFAOPTest::pki($f); <> } // '';
}
my $have_proxy = $mods =~ /proxy_http_module/ && $mods =~ /cfaop_echo_module/;
my $have_setenvif = $mods =~ /setenvif_module/;
my $remoteip_so = Apache::Test::config()->find_apache_module('mod_remoteip.so');
my $macro_so = Apache::Test::config()->find_apache_module('mod_macro.so');

my $access_log = File::Spec->catfile(Apache::Test::vars('t_logs'), 'remoteip_edges_access.log');
my $next_id = 0;

# Requests over one TLS connection to VHOST (cert, sni as for tls_request):
# each element of reqs is {path, host, lines => [header lines]}; every
# request carries an X-Rip-Id for the access log. pipeline => 1 writes all
# of them before reading. Returns the responses ({status, headers, env,
# body, id}).
sub ripe {
    my %a = @_;
    my $sock = IO::Socket::SSL->new(
        PeerHost => '127.0.0.1', PeerPort => port($a{vhost}), Timeout => 10,
        SSL_reuse_ctx => client_context(cert => $a{cert}), SSL_hostname => $a{sni} // '',
    ) or return ({ status => 'no connection: ' . ($IO::Socket::SSL::SSL_ERROR || $!) });
    my @reqs = @{ $a{reqs} };
    my (@ids, @text);
    for my $i (0 .. $#reqs) {
        my $q = $reqs[$i];
        push @ids, 'e' . (++$next_id);
        push @text, "GET " . ($q->{path} // '/env.shtml') . " HTTP/1.1\r\nHost: " . ($q->{host} // '127.0.0.1')
            . "\r\nX-Rip-Id: $ids[-1]\r\n" . join('', map { "$_\r\n" } @{ $q->{lines} // [] })
            . ($i == $#reqs ? "Connection: close\r\n" : '') . "\r\n";
    }
    my ($buf, @out) = ('');
    if ($a{pipeline}) {
        $sock->syswrite(join '', @text);
        for my $id (@ids) {
            my $resp = CFAOPTest::read_response($sock, \$buf) or last;
            push @out, { %$resp, id => $id };
        }
    }
    else {
        for my $i (0 .. $#text) {
            $a{before}->($i) if $a{before};
            last unless defined $sock->syswrite($text[$i]);
            my $resp = CFAOPTest::read_response($sock, \$buf) or last;
            push @out, { %$resp, id => $ids[$i] };
        }
    }
    $sock->close;
    return @out;
}

# One request: ripe() with the request's fields given beside the connection's.
sub ripe1 {
    my %a = @_;
    my ($r) = ripe(%a, reqs => [{ path => $a{path}, host => $a{host}, lines => $a{lines} }]);
    return $r // { status => 'no response' };
}

# The access log line of request ID ("a=... h=... c=... p=... status=..."), waiting for it.
sub access_line { return CFAOPTest::RemoteIP::access_line($access_log, 'ripe', $_[0]) }

# The header lines the backend echoed ("H name: value"), as "name: value".
sub echoed {
    my $r = shift;
    return [ map { /^H (.*)$/ ? $1 : () } split /\n/, $r->{body} // '' ];
}

my $visitor = 'CF-Connecting-IP: 203.0.113.9';
my $r;

my @configtest = (
    # [what, body before the vhost, vhost lines, warns?]
    ['RemoteIPHeader CF-Connecting-IP in <IfModule> in the main server',
     ['<IfModule remoteip_module>', 'RemoteIPHeader CF-Connecting-IP', '</IfModule>'], [], 1],
    ['RemoteIPHeader CF-Connecting-IP in <IfModule> in the vhost',
     [], ['<IfModule remoteip_module>', 'RemoteIPHeader CF-Connecting-IP', '</IfModule>'], 1],
    ['RemoteIPHeader CF-Connecting-IP in <IfDefine> and <IfModule>',
     ['<IfDefine !RIPE_NOT_DEFINED>', '<IfModule mod_remoteip.c>', 'RemoteIPHeader CF-Connecting-IP',
      '</IfModule>', '</IfDefine>'], [], 1],
    ['RemoteIPHeader CF-Connecting-IP in <IfModule !remoteip_module> (not read)',
     ['<IfModule !remoteip_module>', 'RemoteIPHeader CF-Connecting-IP', '</IfModule>'], [], 0],
    ['the main server says X-Forwarded-For last',
     ['RemoteIPHeader CF-Connecting-IP', 'RemoteIPHeader X-Forwarded-For'], [], 0],
    ['the main server says CF-Connecting-IP last',
     ['RemoteIPHeader X-Forwarded-For', 'RemoteIPHeader CF-Connecting-IP'], [], 1],
    ['the vhost takes X-Forwarded-For in <IfModule>',
     ['RemoteIPHeader CF-Connecting-IP'], ['<IfModule remoteip_module>', 'RemoteIPHeader X-Forwarded-For', '</IfModule>'], 0],
    ['another vhost takes CF-Connecting-IP',
     ['<VirtualHost 127.0.0.1:8444>', 'RemoteIPHeader CF-Connecting-IP', '</VirtualHost>'], [], 0],
);
my @macro = (
    # [what, main-server lines, the header the vhost's macro is used with, warns?]
    ['a vhost made by mod_macro takes CF-Connecting-IP', [], 'CF-Connecting-IP', 1],
    ['a vhost made by mod_macro takes X-Forwarded-For, the main server CF-Connecting-IP',
     ['RemoteIPHeader CF-Connecting-IP'], 'X-Forwarded-For', 0],
);

# [what, header lines, REMOTE_ADDR, CFAOP0601's reason or undef]
my @spellings = (
    ['lower case (HTTP/1.1 from a proxy that lower-cases names)', ['cf-connecting-ip: 203.0.113.9'], '203.0.113.9', undef],
    ['upper case', ['CF-CONNECTING-IP: 203.0.113.9'], '203.0.113.9', undef],
    ['twice, spelt differently', ['cf-connecting-ip: 203.0.113.9', 'CF-CONNECTING-IP: 198.51.100.1'], '127.0.0.1', 'a list of addresses'],
    ['twice, the same value', ['CF-Connecting-IP: 203.0.113.9', 'cf-connecting-ip: 203.0.113.9'], '127.0.0.1', 'a list of addresses'],
    ['spelt with _ only (not read)', ['CF_Connecting_IP: 203.0.113.9'], '127.0.0.1', undef],
    ['folded onto a second line (obs-fold)', ["CF-Connecting-IP: 203.0.113.9\r\n 198.51.100.1"], '127.0.0.1', 'white space'],
    ['folded, the address on the second line', ["CF-Connecting-IP:\r\n 203.0.113.9"], '203.0.113.9', undef],
    ['a tab inside', ["CF-Connecting-IP: 203.0.113.9\tx"], '127.0.0.1', 'white space'],
    ['white space around (httpd trims it)', ["CF-Connecting-IP: \t203.0.113.9 \t"], '203.0.113.9', undef],
    ['no space after the colon', ['CF-Connecting-IP:203.0.113.9'], '203.0.113.9', undef],
);

plan tests => 6 + 5 + 2 + 4 + (@spellings + 2) + 3 * 2 + 5 + 2 + 2 * @configtest + @macro,
    need { 'mod_remoteip (for the configtest cases)' => $remoteip_so ? 1 : 0 };

# ---- refused requests and requests that did not pass: the peer --------------------
# Enforcing, a Host that selects another policy: 421; its error document
# (an internal redirect) and the access log see the peer.
$r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', host => 'other.ripe.test', lines => [$visitor]);
ok t_cmp(join(' ', seen($r), $r->{env}{REDIRECT_STATUS} // '-'), '421 127.0.0.1 - - 421',
         "On, Host selects another policy: 421, the error document sees the peer");
ok t_cmp(access_line($r->{id}), qr/^a=127\.0\.0\.1 h=127\.0\.0\.1 c=127\.0\.0\.1 p=[1-9]\d* status=421$/,
         'On, 421: the access log has the peer');
ok t_cmp(join(' ', sort grep { /^(?:REDIRECT_)?CF_(?:AOP|CLIENT_CERT)_/ } keys %{ $r->{env} }) || 'none', 'none',
         'On, 421: its error document gets no CF_AOP_* or CF_CLIENT_CERT_* variable');
# ReportOnly, the same Host: reported, not passed.
my $mark = log_mark();
$r = ripe1(vhost => 'cfaop_ripe_report', cert => 'good', host => 'other.ripe.test', lines => [$visitor]);
ok t_cmp(join(' ', seen($r), $r->{env}{CF_AOP_VERIFIED} // '-'), '200 127.0.0.1 - - FAILED:host-mismatch',
         'ReportOnly, Host selects another policy: the peer');
ok t_cmp(log_wait($mark, qr/CFAOP0602:/) // 'none', qr/CFAOP0602: CF-Connecting-IP ignored: reason=not-passed client=127\.0\.0\.1 value="203\.0\.113\.9"/,
         'ReportOnly, Host selects another policy: CFAOP0602');
# ReportOnly, a certificate that failed, Require cf-aop: 403 and its error document.
$r = ripe1(vhost => 'cfaop_ripe_report', cert => 'selfsigned', path => '/ripe-aop/env.shtml', lines => [$visitor]);
ok t_cmp(join(' ', seen($r), $r->{env}{REDIRECT_STATUS} // '-', access_line($r->{id}) =~ /^(a=\S+)/),
         '403 127.0.0.1 - - 403 a=127.0.0.1', 'ReportOnly, failed certificate, Require cf-aop: the 403 error document and the log see the peer');

# Name-based vhosts on one port.
$r = ripe1(vhost => 'cfaop_ripe_named', sni => 'plain.ripe.test', host => 'aop.ripe.test', lines => [$visitor]);
ok t_cmp(join(' ', seen($r), $r->{env}{REDIRECT_STATUS} // '-'), '421 127.0.0.1 - - 421',
         'TLS made for the vhost without CFAOP, Host of the CFAOP vhost: 421, the peer');
$r = ripe1(vhost => 'cfaop_ripe_named', cert => 'good', sni => 'aop.ripe.test', host => 'plain.ripe.test', lines => [$visitor]);
ok t_cmp(seen($r), '200 127.0.0.1 - -', 'passed on the CFAOP vhost, Host of the vhost without CFAOP: the peer');
$r = ripe1(vhost => 'cfaop_ripe_named', cert => 'good', sni => 'aop.ripe.test', host => 'aop.ripe.test', lines => [$visitor]);
ok t_cmp(seen($r), '200 203.0.113.9 127.0.0.1 127.0.0.1', 'passed on the CFAOP vhost, its own Host: the visitor');
# One connection, the Host changing between requests: each request decided alone.
my @rs = ripe(vhost => 'cfaop_ripe_named', cert => 'good', sni => 'aop.ripe.test',
              reqs => [{ host => 'aop.ripe.test', lines => [$visitor] }, { host => 'plain.ripe.test', lines => [$visitor] },
                       { host => 'aop.ripe.test', lines => ['CF-Connecting-IP: 203.0.113.10'] }]);
ok t_cmp(join(' | ', map { seen($_) } @rs), '200 203.0.113.9 127.0.0.1 127.0.0.1 | 200 127.0.0.1 - - | 200 203.0.113.10 127.0.0.1 127.0.0.1',
         'one connection: the vhost without CFAOP in between keeps the peer');
$r = ripe1(vhost => 'cfaop_ripe_named', sni => 'plain.ripe.test', host => 'plain.ripe.test', lines => [$visitor]);
ok t_cmp(seen($r), '200 127.0.0.1 - -', 'the vhost without CFAOP (CFAOPRemoteIP On is ignored there): the peer');

# HTTP/2: a stream for a Host of another policy is refused (421) on a
# connection that passed; its error document sees the peer, the next stream
# the visitor.
if ($have_h2) {
    my $dir = File::Temp::tempdir(CLEANUP => 1);
    my $url = 'https://127.0.0.1:' . port('cfaop_ripe_on') . '/env.shtml';
    my @tls = ('-s', '-k', '--http2', '--max-time', '20', '--cert', pki('good.pem'), '--key', pki('good.key'),
               '-w', '%{http_code} %{http_version} %{num_connects}\n');
    open my $fh, '-|', 'curl', @tls, '-H', 'Host: other.ripe.test', '-H', $visitor, '-o', "$dir/1", $url,
        '--next', @tls, '-H', 'cf-connecting-ip: 203.0.113.9', '-o', "$dir/2", $url or die "curl: $!";
    my @transfers = <$fh>;
    close $fh;
    chomp @transfers;
    my @env = map { my $f = "$dir/$_"; +{ CFAOPTest::env_lines(-e $f ? do { open my $b, '<', $f or die; local $/; <$b> } : '') } } 1, 2;
    ok t_cmp(join(' / ', @transfers), '421 2 1 / 200 2 0', 'HTTP/2: a 421 stream, then a 200 stream on the same connection');
    ok t_cmp(join(' ', map { ($_->{REMOTE_ADDR} // '-') . ' ' . ($_->{CF_AOP_PEER_IP} // '-') } @env),
             '127.0.0.1 - 203.0.113.9 127.0.0.1', 'HTTP/2: the refused stream sees the peer, the next one the visitor');
}
else {
    skip 'curl without HTTP/2' for 1 .. 2;
}

# ---- what a proxied backend receives ------------------------------------------
if ($have_proxy) {
    $r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', path => '/ripe-proxy/x', lines => [$visitor]);
    ok t_cmp(join(' | ', grep { /^(?:X-Forwarded-For|CF-Connecting-IP):/i } @{ echoed($r) }),
             'CF-Connecting-IP: 203.0.113.9 | X-Forwarded-For: 203.0.113.9', 'proxied, passed: X-Forwarded-For is the visitor');
    $r = ripe1(vhost => 'cfaop_ripe_report', cert => 'selfsigned', path => '/ripe-proxy/x', lines => [$visitor]);
    ok t_cmp(join(' | ', grep { /^X-Forwarded-For:/i } @{ echoed($r) }), 'X-Forwarded-For: 127.0.0.1',
             'proxied, ReportOnly failure: X-Forwarded-For is the peer');
    $r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', path => '/ripe-proxy/x', lines => [$visitor, 'X-Forwarded-For: 192.0.2.1']);
    ok t_cmp(join(' | ', grep { /^X-Forwarded-For:/i } @{ echoed($r) }), 'X-Forwarded-For: 192.0.2.1, 203.0.113.9',
             'proxied, passed, X-Forwarded-For from upstream: the visitor appended');
    # Cloudflare passes on a visitor's CF_Connecting_IP; a backend that
    # reads '_' as '-' would take it for the visitor.
    $mark = log_mark();
    $r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', path => '/ripe-proxy/x',
               lines => [$visitor, 'CF_Connecting_IP: 198.51.100.66', 'cf-connecting_ip: 198.51.100.67']);
    ok t_cmp(join(' | ', (grep { /^cf.connecting.ip:/i } @{ echoed($r) }),
                  log_wait($mark, qr/CFAOP0604:/) =~ /(CFAOP0604: .*)$/),
             "CF-Connecting-IP: 203.0.113.9 | CFAOP0604: removed 2 header(s) spelt as CF-Connecting-IP with '_' (Cloudflare sends none)",
             "proxied, passed: the '_' spellings are removed (CFAOP0604), the backend gets CF-Connecting-IP only");
}
else {
    skip 'mod_proxy_http or t/modules/mod_cfaop_echo.c not built' for 1 .. 4;
}

# ---- the header's spellings on a connection that passed -----------------------
for my $c (@spellings) {
    my ($what, $lines, $want, $why) = @$c;
    $mark = log_mark();
    $r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', lines => $lines);
    my $line = $why ? log_wait($mark, qr/CFAOP0601:/) // 'no CFAOP0601' : '';
    ok t_cmp(join(' ', $r->{status}, $r->{env}{REMOTE_ADDR} // '-', $why ? ($line =~ /: (\Q$why\E)$/ ? $why : $line) : ''),
             join(' ', 200, $want, $why // ''), "CF-Connecting-IP $what: REMOTE_ADDR $want" . ($why ? ", CFAOP0601 ($why)" : ''));
}
$r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', lines => ["CF-Connecting-IP: 203.0.113.9\0x"]);
ok t_cmp($r->{status}, 400, 'a NUL in the value: httpd refuses the request (400)');
$r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', lines => ['CF-Connecting-IP : 203.0.113.9']);
ok t_cmp($r->{status}, 400, 'white space before the colon: httpd refuses the request (400)');

# ---- hostile values: the log lines stay one bounded line ----------------------
# httpd itself refuses control characters other than a tab (400); quotes,
# backslashes, a tab and bytes above 0x7F reach the module.
my $hostile = qq{"203.0.113.9\\" \tx\xc3\xa9} . ('A"\\' x 2000);
(my $hostile_start = log_escape(CFAOPTest::log_quote(substr $hostile, 0, 40))) =~ s/"$//;
for my $c (['cfaop_ripe_on', 'good', 'CFAOP0601'], ['cfaop_ripe_report', 'selfsigned', 'CFAOP0602']) {
    my ($vhost, $cert, $id) = @$c;
    $mark = log_mark();
    $r = ripe1(vhost => $vhost, cert => $cert, lines => ["CF-Connecting-IP: $hostile"]);
    my $line = log_wait($mark, qr/\Q$id\E:/) // 'none';
    my ($value) = $line =~ /value=(".*"\+?): /;
    ok t_cmp(join(' ', $r->{status}, $r->{env}{REMOTE_ADDR} // '-'), '200 127.0.0.1', "$id, a hostile 6 KB value: the peer");
    ok t_cmp(length($line) < 1024 && $line !~ /[\x00-\x1f\x7f-\xff]/ ? 'bounded, printable' : $line, 'bounded, printable',
             "$id: the line is under 1 KiB, printable ASCII only");
    ok t_cmp($value // $line, qr/^\Q$hostile_start\E.*"\+$/,
             "$id: the value quoted, its quotes, backslashes and bytes escaped, then cut");
}

# ---- where the visitor must show ---------------------------------------------------
$r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', lines => [$visitor], path => '/ripe-conn');
ok t_cmp(join(' ', seen($r), $r->{env}{RIPE_CONN_ADDR} // '-'), '200 203.0.113.9 127.0.0.1 127.0.0.1 127.0.0.1',
         'mod_rewrite: %{CONN_REMOTE_ADDR} is the peer');
ok t_cmp(access_line($r->{id}), 'a=203.0.113.9 h=203.0.113.9 c=127.0.0.1 p=0 status=200',
         'access log: %a and %h the visitor, %{c}a the peer, %{remote}p 0');
if ($have_setenvif) {
    ok t_cmp($r->{env}{RIPE_SETENVIF} // '-', 'visitor', 'SetEnvIf Remote_Addr (post_read_request, after the module) sees the visitor');
}
else {
    skip 'mod_setenvif not found';
}
$r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', lines => [$visitor], path => '/ripe-reqhdr/env.shtml');
ok t_cmp(join(' ', seen($r), $r->{env}{HTTP_CF_CONNECTING_IP} // '-'), '200 203.0.113.9 127.0.0.1 127.0.0.1 192.0.2.55',
         'RequestHeader set CF-Connecting-IP (fixups): the header changes, the client IP does not');
my @access;
for my $ip ('203.0.113.9', '198.51.100.7') {
    for my $path ('/ripe-expr/env.shtml', '/ripe-ht/env.shtml') {
        $r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', lines => ["CF-Connecting-IP: $ip"], path => $path);
        push @access, $r->{status};
    }
}
$r = ripe1(vhost => 'cfaop_ripe_on', cert => 'good', path => '/ripe-ht/env.shtml');
ok t_cmp(join(' ', @access, $r->{status}), '200 200 403 403 403',
         "Require expr -R and .htaccess's Require ip: the visitor granted, another visitor and the peer denied");

# Pipelined requests on one connection.
@rs = ripe(vhost => 'cfaop_ripe_on', cert => 'good', pipeline => 1,
           reqs => [{ lines => ['CF-Connecting-IP: 203.0.113.1'] }, {}, { lines => ['CF-Connecting-IP: 203.0.113.3'] }]);
ok t_cmp(join(' | ', map { seen($_) } @rs), '200 203.0.113.1 127.0.0.1 127.0.0.1 | 200 127.0.0.1 - - | 200 203.0.113.3 127.0.0.1 127.0.0.1',
         'pipelined: each request its own client IP');
# A graceful restart between two requests of a keep-alive connection: the
# old generation closes it or answers with the old configuration; never a
# request without its own decision.
@rs = ripe(vhost => 'cfaop_ripe_on', cert => 'good',
           reqs => [{ lines => ['CF-Connecting-IP: 203.0.113.1'] }, { lines => ['CF-Connecting-IP: 203.0.113.2'] }],
           before => sub { CFAOPTest::httpd_signal_restart() if $_[0] == 1 });
ok t_cmp(join(' | ', map { seen($_) } @rs), qr/^200 203\.0\.113\.1 127\.0\.0\.1 127\.0\.0\.1(?: \| 200 203\.0\.113\.2 127\.0\.0\.1 127\.0\.0\.1)?$/,
         'keep-alive across a graceful restart: the first request the visitor, a second one (if answered) its own');

# ---- configtest: CFAOP0603 wherever RemoteIPHeader is written --------------------
my $root = pki('root-ca.pem');
my $load = qq{LoadModule remoteip_module "$remoteip_so"\n};
for my $c (@configtest) {
    my ($what, $main, $vhost, $warns) = @$c;
    my $t = configtest($load . join('', map { "$_\n" } @$main)
                       . CFAOPTest::cfaop_vhost(qq{CFAOPTrustedCA "$root"}, 'CFAOPRemoteIP On', @$vhost));
    ok t_cmp($t->{rc}, 0, "configtest, $what: passes");
    ok t_cmp($t->{output} =~ /(CFAOP0603: virtual host [^\n]*? and RemoteIPHeader \S+)/ ? $1 : 'no CFAOP0603',
             $warns ? qr/^CFAOP0603: virtual host \S+:8443 .* and RemoteIPHeader CF-Connecting-IP$/ : 'no CFAOP0603',
             "configtest, $what: " . ($warns ? 'CFAOP0603' : 'no CFAOP0603'));
}
for my $c (@macro) {
    my ($what, $main, $header, $warns) = @$c;
    if (!$macro_so) {
        skip 'mod_macro not found';
        next;
    }
    my $t = configtest($load . qq{LoadModule macro_module "$macro_so"\n} . join('', map { "$_\n" } @$main)
                       . "<Macro RipeHost \$hdr>\n"
                       . CFAOPTest::cfaop_vhost(qq{CFAOPTrustedCA "$root"}, 'CFAOPRemoteIP On', 'RemoteIPHeader $hdr')
                       . "</Macro>\nUse RipeHost $header\n");
    ok t_cmp(join(' ', $t->{rc}, $t->{output} =~ /CFAOP0603/ ? 'CFAOP0603' : 'no CFAOP0603'),
             '0 ' . ($warns ? 'CFAOP0603' : 'no CFAOP0603'), "configtest, $what");
}
