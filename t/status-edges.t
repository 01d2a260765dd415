# SPDX-License-Identifier: Apache-2.0
# The cf-aop-status handler (docs/status.md) at its edges, each case on an
# httpd of its own: names that need escaping in every format (a CA subject
# with markup and JSON/OpenMetrics metacharacters, file paths with quotes,
# backslashes and bytes that are not UTF-8, an odd ServerName, two vhosts
# of one name), each OpenMetrics text checked line by line; one deny file
# named twice; the query string, Accept, HEAD, POST, PUT and DELETE; 200
# vhosts of five hostnames (size, validity, the children's memory); the
# page behind a CFAOP On vhost's handshake, through .htaccess and through
# SSI (beside server-status); no CFAOP vhost; two graceful restarts under
# load that remove, add and change vhosts; CFAOP0503 once across clients
# and once more per restart.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Servers ();
use IO::Socket::INET ();
use IO::Socket::SSL ();
use JSON::PP ();
use POSIX ();
use Time::HiRes ();

plan tests => 38;

# One plain HTTP/1.0 request: [status, body, head].
sub get {
    my ($port, $path, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 30)
        or return [0, "connect: $!", ''];
    my $method = $o{method} // 'GET';
    my $body = $o{body} // '';
    print $s "$method $path HTTP/1.0\r\nHost: 127.0.0.1\r\n",
        ($o{headers} // ''), (length $body ? "Content-Length: " . length($body) . "\r\n" : ''),
        "\r\n", $body;
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($head, $rest) = split /\r\n\r\n/, $resp, 2;
    my ($status) = ($head // '') =~ m{^HTTP/1\.\d (\d{3})};
    return [$status // 0, $rest // '', $head // ''];
}

# Problems with an OpenMetrics text, line by line (empty: none).
sub om_problems {
    my $text = shift;
    my (@bad, %family_seen, %series, $current);
    my @lines = split /\n/, $text, -1;
    push @bad, 'no final newline' unless @lines && $lines[-1] eq '';
    pop @lines;
    push @bad, 'does not end with # EOF' unless @lines && $lines[-1] eq '# EOF';
    pop @lines;
    my %type;
    for my $line (@lines) {
        if ($line =~ /^# (TYPE|HELP|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/) {
            my ($what, $name, $arg) = ($1, $2, $3);
            push @bad, "$what $name twice" if $family_seen{"$what $name"}++;
            push @bad, "$name: families interleaved" if $what eq 'TYPE' && $type{$name};
            $type{$name} = $arg if $what eq 'TYPE';
            $current = $name;
            next;
        }
        my ($name, $labels, $value) = $line =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+]+)$/;
        unless (defined $name) { push @bad, "unparsed: $line"; next }
        my $family = $name;
        my $t = $type{$current // ''} // '';
        if ($t eq 'counter') { $family =~ s/_total$// or push @bad, "counter without _total: $name" }
        elsif ($t eq 'info') { $family =~ s/_info$// or push @bad, "info without _info: $name" }
        push @bad, "sample $name outside its family ($current)" unless defined $current && $family eq $current;
        my $rest = $labels // '';
        my @pairs;
        while ($rest =~ s/^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)//) {
            push @pairs, "$1=$2";
        }
        push @bad, "labels: $line" if length $rest;
        push @bad, "duplicate series: $line" if $series{ join '|', $name, sort @pairs }++;
        eval { my $copy = $line; utf8::decode($copy) or die; 1 } or push @bad, "not UTF-8: $line";
    }
    return join "\n", @bad;
}

my ($server_pem, $server_key, $root_pem) = (pki('server.pem'), pki('server.key'), pki('root-ca.pem'));

# An httpd with BODY and the page at /s; [server, page port, tls port].
sub httpd_with {
    my ($body, @modules) = @_;
    my ($page, $tls) = (CFAOPTest::Servers::free_port(), CFAOPTest::Servers::free_port());
    $body =~ s/\@TLS\@/$tls/g;
    my $srv = CFAOPTest::Servers::start_httpd(port => $page, modules => ['slotmem_shm', @modules],
        body => qq{Listen 127.0.0.1:$tls\n<Location "/s">\n    SetHandler cf-aop-status\n</Location>\n} . $body);
    return ($srv, $page, $tls);
}

sub tls_vhost {
    my ($name, $extra) = @_;
    return <<"EOF";
<VirtualHost 127.0.0.1:\@TLS\@>
    ServerName $name
    SSLEngine on
    SSLCertificateFile "$server_pem"
    SSLCertificateKeyFile "$server_key"
    CFAOP On
    $extra
</VirtualHost>
EOF
}

# ---- names that need escaping ----------------------------------------------

my $work = CFAOPTest::Servers::workdir();
my $odd_dir = "$work/o<b>'&\\x\xff\"q";
mkdir $odd_dir or die "$odd_dir: $!";
my $subject = q|/O=a\\"}],{\\\\/CN=<\\/td><script>alert(1)<\\/script>|;
# A configuration of its own, as t/pki.d/probe.sh's: with the system's,
# OpenSSL 1.1.1 adds its default v3_ca extensions to -addext's (two
# basicConstraints, which the module rightly refuses).
my $req_cnf = CFAOPTest::write_text($work, 'odd-req.cnf',
                                    "[ req ]\ndistinguished_name = dn\n[ dn ]\n");
system('openssl', 'req', '-config', $req_cnf, '-x509', '-new', '-newkey', 'ec',
       '-pkeyopt', 'ec_paramgen_curve:P-256',
       '-nodes', '-keyout', "$odd_dir/ca.key", '-out', "$odd_dir/ca.pem", '-days', '30',
       '-subj', $subject, '-addext', 'basicConstraints=critical,CA:TRUE') == 0
    or die "openssl req failed\n";
open my $deny, '>', "$odd_dir/deny.txt" or die; print $deny "0A0B\n"; close $deny;
(my $odd_conf = $odd_dir) =~ s/"/\\"/g;
my ($srv, $page) = httpd_with(qq{CFAOPDenySerialFile "$odd_conf/deny.txt"\n}
    . tls_vhost('odd.test', qq{CFAOPTrustedCA "$odd_conf/ca.pem" "$root_pem"\n    CFAOPDenySerialFile "$odd_conf/deny.txt"}));
my $html = get($page, '/s');
my $json = get($page, '/s?json');
my $om = get($page, '/s?prometheus');
my $doc = eval { JSON::PP->new->utf8->decode($json->[1]) };
ok t_cmp(ref $doc, 'HASH', 'odd names: the JSON parses') or t_debug($@);
my ($v) = @{ $doc->{vhosts} // [] };
my %subjects = map { $_->{subject} => $_->{file} } @{ $v->{anchors} // [] };
my ($odd_subject) = grep { /script/ } keys %subjects;
ok t_cmp($odd_subject // '-', q|CN=\</td\>\<script\>alert(1)\</script\>,O=a\"}]\,{\\\\|,
         'the subject, as RFC 2253 escapes it, back from JSON');
(my $shown_dir = $odd_dir) =~ s/\xff/\x{FFFD}/;
ok t_cmp($subjects{$odd_subject // ''} // '-', "$shown_dir/ca.pem",
         'the CA file path back from JSON (the byte that is not UTF-8 as U+FFFD)');
ok t_cmp(join(' ', $html->[1] =~ /<script|<b>|'&\\/g), '', 'HTML: no markup from names');
ok t_cmp($html->[1], qr{<td>CN=\\&lt;/td\\&gt;\\&lt;script\\&gt;alert\(1\)\\&lt;/script\\&gt;,O=a\\&quot;\}\]\\,\{\\\\</td>},
         'HTML: the subject escaped');
ok t_cmp(om_problems($om->[1]), '', 'odd names: the OpenMetrics text is valid line by line');
# a deny file the main server and the vhost both name is one list
ok t_cmp(scalar @{ $v->{deny_lists} // [] }, 1, 'a deny file named twice: listed once');

# ---- the query string and the method ------------------------------------------

sub kind_of {
    my $r = shift;
    my ($type) = $r->[2] =~ /^Content-Type:\s*([^;\r\n]*)/mi;
    return "$r->[0] " . ($type // '-');
}
my %query = (
    '?json&prometheus' => '200 application/openmetrics-text',
    '?JSON'            => '200 application/json',
    '?prometheus=1'    => '200 application/openmetrics-text',
    '?x=1;json'        => '200 application/json',
    '?jsonx'           => '200 text/html',
    '?auto'            => '200 text/html',
    '?' . ('a' x 7000) . '&json' => '200 application/json',
);
for my $q (sort keys %query) {
    ok t_cmp(kind_of(get($page, "/s$q")), $query{$q}, 'query ' . substr($q, 0, 20));
}
ok t_cmp(kind_of(get($page, '/s', headers => "Accept: application/json\r\n")), '200 text/html',
         'Accept is not consulted');
my $head = get($page, '/s?json', method => 'HEAD');
ok t_cmp("$head->[0] " . length($head->[1]), '200 0', 'HEAD: 200, no body');
for my $m (qw(POST PUT DELETE)) {
    my $r = get($page, '/s', method => $m, body => 'x=1');
    ok t_cmp($r->[0] . ' ' . (($r->[2] =~ /^Allow:\s*(.*?)\s*$/mi)[0] // '-'), qr/^405 (?=.*\bGET\b)(?=.*\bHEAD\b)/, "$m: 405, Allow names GET and HEAD");
}

# ---- 200 vhosts of five hostnames each -------------------------------------------

# The peak resident memory (kB) of srv's children together.
sub children_hwm {
    my $srv = shift;
    my $sum = 0;
    opendir my $d, '/proc' or return -1;
    for my $pid (grep { /^\d+$/ } readdir $d) {
        open my $st, '<', "/proc/$pid/status" or next;
        my $text = do { local $/; <$st> };
        next unless $text =~ /^PPid:\s*$srv->{pid}$/m;
        $sum += ($text =~ /^VmHWM:\s*(\d+)/m)[0] // 0;
    }
    return $sum;
}
my $many = '';
for my $i (1 .. 200) {
    $many .= tls_vhost("v$i.many.test", join("\n    ", qq{CFAOPTrustedCA "$root_pem"},
        map { qq{CFAOPHostnameCA h$_.v$i.many.test "$root_pem"} } 1 .. 5));
}
my ($big, $big_page) = httpd_with($many);
my (%size, %took);
for my $q ('', '?json', '?prometheus') {
    my $t0 = Time::HiRes::time();
    my $r = get($big_page, "/s$q");
    $took{$q} = Time::HiRes::time() - $t0;
    $size{$q} = length $r->[1];
    $size{doc} = eval { JSON::PP->new->utf8->decode($r->[1]) } if $q eq '?json';
    $size{om} = om_problems($r->[1]) if $q eq '?prometheus';
}
ok t_cmp(scalar @{ $size{doc}{vhosts} // [] } . ' ' . ($size{om} eq '' ? 'valid' : $size{om}), '200 valid',
         '200 vhosts: JSON with 200 vhosts, valid OpenMetrics');
t_debug(sprintf "%s: %d bytes in %.3f s", $_ || 'html', $size{$_}, $took{$_}) for sort keys %took;
# about 4 kB of HTML and OpenMetrics per vhost
ok t_cmp((grep { $size{$_} > 200 * 6000 } keys %took) ? 'larger' : 'bounded', 'bounded',
         '200 vhosts: each format under 6 kB per vhost');
# each scrape's memory is its request's pool, freed after it; the children's
# peak grows by no more than one page's worth, not per scrape (each escaped
# value once took a 4 kB buffer: about 40 MB per ?prometheus)
# Under ASan or valgrind the server's RSS is the tool's (ASan's quarantine
# keeps freed memory, up to 256 MB), so the check runs on the plain build.
if ($ENV{CFAOP_SANITIZER}) {
    skip "the server runs under $ENV{CFAOP_SANITIZER}: its RSS is the tool's";
}
else {
    my $hwm0 = children_hwm($big);
    get($big_page, '/s?prometheus') for 1 .. 5;
    get($big_page, '/s') for 1 .. 5;
    my $hwm1 = children_hwm($big);
    t_debug("children's peak RSS: $hwm0 kB, then $hwm1 kB");
    ok t_cmp($hwm1 - $hwm0 < 16 * 1024 ? 'small' : ($hwm1 - $hwm0) . ' kB', 'small',
             '200 vhosts: ten pages grow the children by less than 16 MB');
}

# ---- where the page is served from ----------------------------------------------

# One TLS request to 127.0.0.1:port, with t/pki/CERT.pem when given:
# [status, body], or ['refused', why] when the handshake failed.
sub tls_get {
    my ($port, $cert, $path, $sni) = @_;
    my $s = IO::Socket::SSL->new(
        PeerHost => '127.0.0.1', PeerPort => $port, Timeout => 10, SSL_version => 'TLSv1_3',
        SSL_hostname => $sni // '', SSL_session_cache_size => 0,
        SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_NONE(),
        ($cert ? (SSL_cert_file => pki("$cert.pem"), SSL_key_file => pki("$cert.key")) : ()));
    return ['refused', $IO::Socket::SSL::SSL_ERROR] unless $s;
    print $s "GET $path HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    local $/;
    my $resp = <$s>;
    return ['refused', 'no response'] unless defined $resp && length $resp;
    my ($head, $body) = split /\r\n\r\n/, $resp, 2;
    my ($status) = $head =~ m{^HTTP/1\.\d (\d{3})};
    return [$status // 0, $body // ''];
}

my $site = "$work/site";
mkdir $_ for $site, "$site/user", "$site/user2", "$site/ssi";
my %file = (
    'user/.htaccess'  => "SetHandler cf-aop-status\n",
    'user2/.htaccess' => "SetHandler server-status\n",
    'ssi/page.shtml'  => qq{before <!--#include virtual="/s" --> after\n},
    'ssi/closed.shtml' => qq{before <!--#include virtual="/closed/s" --> after\n},
    'ssi/ms.shtml'    => qq{before <!--#include virtual="/closed/server-status" --> after\n},
);
for my $f (keys %file) {
    open my $fh, '>', "$site/$f" or die "$site/$f: $!";
    print $fh $file{$f};
    close $fh;
}
my $plain_port = CFAOPTest::Servers::free_port();
my ($srv2, $page2, $tls2) = httpd_with(<<"EOF" . tls_vhost('page.on.test', qq{CFAOPTrustedCA "$root_pem"\n    <Location "/here">\n        SetHandler cf-aop-status\n    </Location>}), 'status', 'authz_host');
ExtendedStatus On
Listen 127.0.0.1:$plain_port
<VirtualHost 127.0.0.1:$plain_port>
    DocumentRoot "$site"
    <Directory "$site">
        AllowOverride FileInfo
        Options +Includes
        Require all granted
    </Directory>
    <Directory "$site/ssi">
        SetOutputFilter INCLUDES
    </Directory>
    <Location "/closed">
        Require ip 192.0.2.1
    </Location>
    <Location "/closed/s">
        SetHandler cf-aop-status
    </Location>
    <Location "/closed/server-status">
        SetHandler server-status
    </Location>
</VirtualHost>
EOF
# on a CFAOP On vhost the page is behind the handshake like everything else
ok t_cmp(tls_get($tls2, '', '/here')->[0], 'refused', 'the page on a CFAOP On vhost: no certificate, no handshake');
ok t_cmp(tls_get($tls2, 'wrongca', '/here')->[0], 'refused', 'an untrusted certificate: no handshake');
my $through = tls_get($tls2, 'good', '/here');
ok t_cmp("$through->[0] " . ($through->[1] =~ /<h2>page\.on\.test:\d+<\/h2>/ ? 'page' : 'no page'), '200 page',
         'the certificate Cloudflare presents: the page');
# .htaccess with AllowOverride FileInfo can name the handler, as it can server-status
my $ht = get($plain_port, '/user/');
my $ht2 = get($plain_port, '/user2/');
ok t_cmp(join(' ', $ht->[0], $ht->[1] =~ /mod_cf_aop status/ ? 'page' : 'no page',
              $ht2->[0], $ht2->[1] =~ /Apache Server Status/ ? 'page' : 'no page'),
         '200 page 200 page', '.htaccess SetHandler (AllowOverride FileInfo): like server-status, the page');
# a subrequest is authorized as its own URL: SSI shows the page where the
# URL is open, and an error where its Require refuses
my $ssi = get($plain_port, '/ssi/page.shtml');
ok t_cmp($ssi->[1], qr/^before <!DOCTYPE html>.*<h2>page\.on\.test:\d+<\/h2>.* after$/s, 'SSI include virtual: the page');
my $closed = get($plain_port, '/ssi/closed.shtml');
my $ms_closed = get($plain_port, '/ssi/ms.shtml');
ok t_cmp(join('|', $closed->[1] =~ /mod_cf_aop status/ ? 'page' : 'no page',
              $ms_closed->[1] =~ /Server Status/ ? 'page' : 'no page',
              get($plain_port, '/closed/s')->[0]),
         'no page|no page|403', "SSI of a URL that Require refuses: no page (as server-status)");

# ---- no CFAOP vhost ------------------------------------------------------------------

my ($none, $none_page) = httpd_with('');
my $none_json = eval { JSON::PP->new->utf8->decode(get($none_page, '/s?json')->[1]) } // {};
my $none_om = get($none_page, '/s?prometheus')->[1];
ok t_cmp(join(' ', scalar @{ $none_json->{vhosts} // [1] }, $none_json->{counters_available} ? 'true' : 'false',
              om_problems($none_om) || 'valid', get($none_page, '/s')->[1] =~ /No virtual host has CFAOP On/ ? 'said' : '-'),
         qr/^0 (true|false) valid said$/, 'no CFAOP vhost: an empty list in JSON, valid OpenMetrics, a sentence in HTML');

# ---- a graceful restart that adds and removes vhosts, under load -----------------

my ($rs, $rs_page, $rs_tls) = httpd_with(tls_vhost('a.test', qq{CFAOPTrustedCA "$root_pem"})
                                         . tls_vhost('b.test', qq{CFAOPTrustedCA "$root_pem"}));
sub vhost_names {
    my $d = eval { JSON::PP->new->utf8->decode(get($rs_page, '/s?json')->[1]) } // {};
    return { map { ($_->{vhost} =~ /^([^:]+)/)[0] => $_ } @{ $d->{vhosts} // [] } };
}
sub slurp { my $f = shift; open my $fh, '<', $f or return ''; local $/; return <$fh> // '' }
sub graceful {
    my ($from, $to) = @_;
    my $conf = slurp("$rs->{dir}/httpd.conf");
    s/\@TLS\@/$rs_tls/g for $from, $to;
    $conf =~ s/\Q$from\E/$to/ or die "graceful: no such vhost in the configuration\n";
    open my $fh, '>', "$rs->{dir}/httpd.conf" or die;
    print $fh $conf;
    close $fh;
    my $mark = length slurp($rs->{error_log});
    kill 'USR1', $rs->{pid};
    # the parent says so once the new generation runs
    for (1 .. 100) {
        last if substr(slurp($rs->{error_log}), $mark) =~ /AH00493|resuming normal operations/;
        Time::HiRes::sleep(0.1);
    }
    Time::HiRes::sleep(0.3);
}
my $soon_serial = (qx{openssl x509 -in '@{[pki('status', 'soon.pem')]}' -noout -serial} =~ /=(\w+)/)[0] // '-';
my $w0 = length slurp($rs->{error_log});
tls_get($rs_tls, 'status/soon', '/', 'b.test') for 1 .. 3;
my $first_gen = () = substr(slurp($rs->{error_log}), $w0) =~ /CFAOP0503: b\.test:\d+: .*\(serial \Q$soon_serial\E\)/g;
ok t_cmp($first_gen, 1, 'CFAOP0503: once for three handshakes');

# clients that keep handshaking (passed, and refused) while the server reloads twice
my @load;
for my $k (1 .. 3) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my $until = time + 4;
        while (time < $until) {
            tls_get($rs_tls, $k == 3 ? '' : 'good', '/', $k == 1 ? 'a.test' : 'b.test');
            get($rs_page, '/s?prometheus');
        }
        POSIX::_exit(0);
    }
    push @load, $pid;
}
sleep 1;
graceful(tls_vhost('a.test', qq{CFAOPTrustedCA "$root_pem"}), tls_vhost('c.test', qq{CFAOPTrustedCA "$root_pem"}));
graceful(tls_vhost('b.test', qq{CFAOPTrustedCA "$root_pem"}),
         tls_vhost('b.test', qq{CFAOPTrustedCA "$root_pem"\n    CFAOPHostnameCA h.b.test "$root_pem"}));
waitpid $_, 0 for @load;
my $after = vhost_names();
ok t_cmp(join(' ', sort keys %$after), 'b.test c.test', 'after the restarts: the removed vhost is gone, the added one is there');
my $c0 = $after->{'c.test'}{handshakes}{passed} // '-';
tls_get($rs_tls, 'good', '/', 'c.test') for 1 .. 2;
my $c1 = vhost_names()->{'c.test'}{handshakes}{passed} // '-';
ok t_cmp($c1 - $c0, 2, 'the added vhost counts');
my $w1 = length slurp($rs->{error_log});
tls_get($rs_tls, 'status/soon', '/', 'b.test') for 1 .. 2;
my $second_gen = () = substr(slurp($rs->{error_log}), $w1) =~ /CFAOP0503: b\.test:\d+: .*\(serial \Q$soon_serial\E\)/g;
ok t_cmp($second_gen, 1, 'CFAOP0503 again after a graceful restart (new shared memory; docs/status.md), once');
my @crashes = slurp($rs->{error_log}) =~ /^.*(?:exit signal|AH00052|AH00060).*$/mg;
ok t_cmp(join("\n", @crashes), '', 'no child died of a signal');

# ---- once a day across children; two vhosts of one name --------------------------

# Where the log stood before the first client starts: a warning written
# while the others are still being forked belongs to this check too.
my $w2 = length slurp($rs->{error_log});
my @warners;
for my $k (1 .. 4) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        tls_get($rs_tls, 'status/soon', '/', 'c.test') for 1 .. 5;
        POSIX::_exit(0);
    }
    push @warners, $pid;
}
waitpid $_, 0 for @warners;
my $log = substr(slurp($rs->{error_log}), $w2);
my @c_warned = $log =~ /CFAOP0503: c\.test:/g;
ok t_cmp(scalar @c_warned, 1, '20 handshakes from 4 clients at once: CFAOP0503 once');

my ($dup, $dup_page) = httpd_with(tls_vhost('dup.test', qq{CFAOPTrustedCA "$root_pem"})
                                  . tls_vhost('dup.test', qq{CFAOPTrustedCA "$root_pem"})
                                  . tls_vhost(q{x"y<z>\\w}, qq{CFAOPTrustedCA "$root_pem"}));
my $dup_doc = eval { JSON::PP->new->utf8->decode(get($dup_page, '/s?json')->[1]) } // {};
ok t_cmp(join(' ', sort map { s/:\d+/:P/r } map { $_->{vhost} } @{ $dup_doc->{vhosts} // [] }),
         q{dup.test:P dup.test:P#2 x"y<z>\w:P}, 'two vhosts of one name: #2; an odd ServerName as it is');
ok t_cmp(om_problems(get($dup_page, '/s?prometheus')->[1]), '', 'and the OpenMetrics text is valid');
ok t_cmp(get($dup_page, '/s')->[1], qr{<h2>x&quot;y&lt;z&gt;\\w:\d+</h2>}, 'the odd ServerName escaped in HTML');
