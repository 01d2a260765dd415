# SPDX-License-Identifier: Apache-2.0
# The cf-aop-status handler (docs/status.md), end to end: 2,016 handshakes
# with a mix of outcomes (passed, no-cert, untrusted, denied-serial,
# ReportOnly untrusted, 421 and 403 requests) from several client
# processes at once, served by at least two of httpd's children, then every
# counter checked exactly in ?json and ?prometheus (OpenMetrics text, each
# line parsed); a declined resumption; the last leaf per policy and the
# once-a-day expiry warning (CFAOP0503); the HTML page; a Require that
# refuses (403); mod_status's section; and a graceful restart, after which
# the counters start again at zero. Last, a second httpd without
# mod_slotmem_shm: CFAOP0501, a page that says the counters are
# unavailable, and verification as strict as ever.
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

plan tests => 44;

my $PROCS  = 4;
my $ROUNDS = 84;      # x 6 handshakes x $PROCS = 2,016 handshakes

# A plain HTTP GET to <VirtualHost vhost>: [status, body].
sub http_get {
    my ($vhost, $path) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => port($vhost), Timeout => 10)
        or return [0, "connect: $!"];
    print $s "GET $path HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($status) = $resp =~ m{^HTTP/1\.\d (\d{3})};
    my ($head, $body) = split /\r\n\r\n/, $resp, 2;
    $body //= '';
    # chunked: the page is read whole, so undo the chunks
    if (($head // '') =~ /^Transfer-Encoding:\s*chunked/mi) {
        my $plain = '';
        while ($body =~ s/^([0-9a-fA-F]+)\r\n//) {
            my $n = hex $1;
            last if $n == 0;
            $plain .= substr($body, 0, $n);
            substr($body, 0, $n + 2) = '';
        }
        $body = $plain;
    }
    return [$status // 0, $body, $head // ''];
}

sub status_json {
    my $r = http_get('status_page', '/cf-aop-status?json');
    return $r->[0] == 200 ? JSON::PP->new->decode($r->[1]) : undef;
}

# The vhost on the page that listens on vhost's port.
sub page_vhost {
    my ($doc, $vhost) = @_;
    my $p = port($vhost);
    my ($v) = grep { $_->{vhost} =~ /:\Q$p\E$/ } @{ $doc->{vhosts} };
    return $v;
}

# A client context per certificate, made once per process, with no session
# cache: every connection is a full handshake.
my %ctx;
sub fresh_ctx {
    my $cert = shift // '';
    return $ctx{$cert} //= IO::Socket::SSL::SSL_Context->new(
        SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_NONE(), SSL_version => 'TLSv1_3',
        ($cert ? (SSL_cert_file => pki("$cert.pem"), SSL_key_file => pki("$cert.key")) : ()))
        || die "client context: $IO::Socket::SSL::SSL_ERROR\n";
}

# One of the six handshakes of a round, by number.
sub one {
    my $k = shift;
    return tls_request(vhost => 'status_on', ctx => fresh_ctx('good'))                if $k == 0;
    # passes under the hostname policy, then a Host of the zone: 421
    return tls_request(vhost => 'status_on', ctx => fresh_ctx('good'), sni => 'h.status.test',
                       host => '127.0.0.1')                                              if $k == 1;
    return tls_request(vhost => 'status_on', ctx => fresh_ctx())                      if $k == 2;
    return tls_request(vhost => 'status_on', ctx => fresh_ctx('wrongca'))             if $k == 3;
    return tls_request(vhost => 'status_on', ctx => fresh_ctx('good2'))               if $k == 4;
    return tls_request(vhost => 'status_report', ctx => fresh_ctx('wrongca'));
}

# ---- 2,016 handshakes from $PROCS processes ----------------------------------

my $mark = log_mark();
my @kids;
for my $proc (1 .. $PROCS) {
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        my $bad = 0;
        for my $round (1 .. $ROUNDS) {
            for my $k (0 .. 5) {
                my $r = one($k);
                my $want = $k == 0 || $k == 5 ? 200 : $k == 1 ? 421 : undef;
                $bad++ if defined $want ? ($r->{status} // 0) != $want : ($r->{status} // 0) == 200;
            }
            $bad++ if http_get('status_plain', '/')->[0] != 403;
        }
        POSIX::_exit($bad > 255 ? 255 : $bad);
    }
    push @kids, $pid;
}
my $failed = 0;
for (@kids) {
    waitpid($_, 0);
    $failed += $? >> 8;
}
ok t_cmp($failed, 0, "$PROCS clients: every one of 2,016 handshakes and 336 requests as expected");

# ---- what else is counted ---------------------------------------------------

# a session of the hostname policy offered without SNI: declined, then a full handshake
my $ctx = client_context(cert => 'good');
my $first = tls_request(vhost => 'status_on', ctx => $ctx, sni => 'h.status.test',
                        session_key => 'status:h');
my $again = tls_request(vhost => 'status_on', ctx => $ctx, session_key => 'status:h');
ok t_cmp("$first->{status}/$again->{status}/$again->{reused}", '200/200/0',
         'a session of another policy: declined, a full handshake follows');

# the leaf that expires in 10 days, three times: warned once
my $soon_mark = log_mark();
my @soon = map { tls_request(vhost => 'status_on', cert => 'status/soon')->{status} // 0 } 1 .. 3;
ok t_cmp("@soon", '200 200 200', 'a leaf that expires in 10 days passes');
my $soon_serial = cert_info('status/soon')->{serial};
my $warn = log_wait($soon_mark, qr/CFAOP0503: /);
ok t_cmp($warn // 'none',
         qr/CFAOP0503: \S+: the client certificate that passed AOP under policy zone \(serial \Q$soon_serial\E\) expires in (9|10) day\(s\)/,
         'CFAOP0503 for the leaf that expires within 30 days');
my @warned = log_since($soon_mark) =~ /CFAOP0503/g;
ok t_cmp(scalar @warned, 1, 'said once for three handshakes');

# several children counted (the verdict lines carry each child's pid)
my %pids = map { $_ => 1 } log_since($mark) =~ /\[pid (\d+)[^\]]*\].*CFAOP010[13]: /g;
ok t_cmp(scalar(keys %pids) >= 2 ? 'yes' : 'children: ' . join(',', keys %pids), 'yes',
         'at least two children served the handshakes');

# ---- ?json: every counter exactly ---------------------------------------------

my $n = $PROCS * $ROUNDS;
my $doc = status_json();
ok $doc && $doc->{counters_available};
my $on = page_vhost($doc, 'status_on');
my $rep = page_vhost($doc, 'status_report');
my $plain = page_vhost($doc, 'status_plain');
ok $on && $rep && $plain;

my @reasons = qw(no-cert untrusted bad-signature depth-exceeded expired not-yet-valid
                 invalid revoked denied-serial pin-mismatch host-mismatch);
sub reasons_with { my %w = @_; return { map { $_ => $w{$_} // 0 } @reasons } }
sub no_host { my $h = shift; delete $h->{'host-mismatch'}; return $h }

my %want_on = (
    handshakes => { passed => 2 * $n + 2 + 3,
                    refused => reasons_with('no-cert' => $n, untrusted => $n, 'denied-serial' => $n),
                    reported => reasons_with() },
    resumptions_declined => reasons_with('host-mismatch' => 1),
    requests_refused => { 421 => { 'host-mismatch' => $n }, 403 => no_host(reasons_with()) },
);
my %want_rep = (
    handshakes => { passed => 0, refused => reasons_with(), reported => reasons_with(untrusted => $n) },
    resumptions_declined => reasons_with(),
    requests_refused => { 421 => { 'host-mismatch' => 0 }, 403 => no_host(reasons_with()) },
);
my %want_plain = (
    handshakes => { passed => 0, refused => reasons_with(), reported => reasons_with() },
    resumptions_declined => reasons_with(),
    requests_refused => { 421 => { 'host-mismatch' => 0 }, 403 => no_host(reasons_with('no-cert' => $n)) },
);
for ([$on, \%want_on, 'status_on'], [$rep, \%want_rep, 'status_report'], [$plain, \%want_plain, 'status_plain']) {
    my ($v, $want, $name) = @$_;
    for my $key (sort keys %$want) {
        ok t_cmp($v->{$key}, $want->{$key}, "$name: $key");
    }
}

ok t_cmp("$on->{mode} $on->{policies} $on->{hostnames} $rep->{mode}", 'On 2 1 ReportOnly',
         'mode, policies and hostnames');
# the odd CA's subject as RFC 2253 writes it (quote, backslash and tab
# escaped; UTF-8 left as it is), which is what the module shows
my $odd_pem = pki('probe', 'odd-ca.pem');
my ($odd) = qx{openssl x509 -in '$odd_pem' -noout -subject -nameopt RFC2253,-esc_msb} =~ /^subject=\s*(.*?)\s*$/;
my %anchor = map { $_->{subject} => $_ } @{ $on->{anchors} };
ok t_cmp(join('|', sort keys %anchor), join('|', sort { $a cmp $b } cert_info('root-ca')->{subject}, $odd),
         'the anchors, by subject (RFC 2253)');
my $root = $anchor{ cert_info('root-ca')->{subject} } // {};
ok t_cmp($root->{not_after_days_left} // -1, qr/^36\d\d$/, 'root-ca: days left');
my ($deny) = @{ $on->{deny_lists} };
ok t_cmp(($deny->{file} // '') =~ m{/pki/status/deny\.txt$} ? $deny->{entries} : 'no deny list', 2,
         'the deny list: its file and entries');
my ($crl) = @{ $on->{crls} };
ok t_cmp(join(' ', $crl->{entries} // '-', $crl->{next_update_days_left} // '-',
              ($crl->{file} // '') =~ m{/pki/status/root\.crl\.pem$} ? 'file' : 'other'),
         qr/^1 (29|30) file$/, 'the CRL: entries, nextUpdate, file');
my %leaf = map { $_->{policy} => $_ } @{ $on->{leaves} };
ok t_cmp(join(' ', map { "$_=" . ($leaf{$_}{serial} // '-') } sort keys %leaf),
         "hostname:h.status.test=" . cert_info('good')->{serial} . " zone=$soon_serial",
         'the last leaf that passed, per policy');
ok t_cmp($leaf{zone}{not_after_days_left} // '-', qr/^(9|10)$/, 'its days left');

# ---- ?prometheus: the same numbers, in OpenMetrics text ----------------------

my $prom = http_get('status_page', '/cf-aop-status?prometheus');
ok t_cmp(($prom->[2] =~ /^Content-Type:\s*(.*?)\s*$/mi)[0] // '',
         'application/openmetrics-text; version=1.0.0; charset=utf-8', 'OpenMetrics content type');
my (%sample, @bad_lines);
my @lines = split /\n/, $prom->[1], -1;
ok t_cmp($lines[-2] // '', '# EOF', 'ends with # EOF');
pop @lines;
for my $line (@lines[0 .. $#lines - 1]) {
    next if $line =~ /^# (?:TYPE|HELP|UNIT) [a-z_]+ \S/;
    my ($name, $labels, $value) = $line =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+]+)$/;
    unless (defined $name) { push @bad_lines, $line; next }
    my %l;
    my $rest = $labels // '';
    while ($rest =~ s/^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)//) {
        my ($k, $v) = ($1, $2);
        $v =~ s/\\(["\\n])/$1 eq 'n' ? "\n" : $1/ge;
        $l{$k} = $v;
    }
    push @bad_lines, $line if length $rest;
    $sample{ join '|', $name, map { "$_=$l{$_}" } sort keys %l } = $value;
}
ok t_cmp(join("\n", @bad_lines), '', 'every line parses');
my $on_name = $on->{vhost};
ok t_cmp($sample{"cfaop_handshakes_total|reason=ok|result=passed|vhost=$on_name"}, 2 * $n + 5,
         'cfaop_handshakes_total passed');
my @mismatch;
for my $r (@reasons) {
    for my $res (qw(refused reported)) {
        for my $v ($on, $rep, $plain) {
            my $got = $sample{"cfaop_handshakes_total|reason=$r|result=$res|vhost=$v->{vhost}"};
            push @mismatch, "$v->{vhost} $res $r" unless defined $got && $got == $v->{handshakes}{$res}{$r};
        }
    }
    for my $v ($on, $rep, $plain) {
        my $got = $sample{"cfaop_resumptions_declined_total|reason=$r|vhost=$v->{vhost}"};
        push @mismatch, "$v->{vhost} declined $r" unless defined $got && $got == $v->{resumptions_declined}{$r};
        for my $status (qw(421 403)) {
            next unless exists $v->{requests_refused}{$status}{$r};
            my $got = $sample{"cfaop_requests_refused_total|reason=$r|status=$status|vhost=$v->{vhost}"};
            push @mismatch, "$v->{vhost} $status $r"
                unless defined $got && $got == $v->{requests_refused}{$status}{$r};
        }
    }
}
ok t_cmp(join(', ', @mismatch), '', 'every counter as in ?json');
ok t_cmp($sample{"cfaop_anchor_not_after_seconds|file=$anchor{$odd}{file}|subject=$odd|vhost=$on_name"} // 'none',
         $anchor{$odd}{not_after_seconds} // '-',
         'an anchor whose subject needs escaping');
ok t_cmp($sample{"cfaop_crl_next_update_seconds|file=$crl->{file}|issuer=$crl->{issuer}|vhost=$on_name"} // 'none',
         $crl->{next_update_seconds}, 'cfaop_crl_next_update_seconds');
ok t_cmp($sample{"cfaop_leaf_not_after_seconds|policy=zone|serial=$soon_serial|vhost=$on_name"} // 'none',
         $leaf{zone}{not_after_seconds}, 'cfaop_leaf_not_after_seconds');

# ---- HTML, Require, mod_status -------------------------------------------------

my $html = http_get('status_page', '/cf-aop-status');
ok t_cmp($html->[0], 200);
ok t_cmp($html->[1], qr{<h2>\Q$on_name\E</h2>\n<p>CFAOP On, 2 policies, 1 hostname</p>}, 'HTML names the vhost');
(my $odd_html = $odd) =~ s/"/&quot;/g;
ok t_cmp($html->[1], qr{<td>\Q$odd_html\E</td>}, 'HTML escapes the subject');
ok t_cmp(http_get('status_page', '/cf-aop-status-closed?json')->[0], 403,
         'a Require that does not allow the client: 403');
my $ms = http_get('status_page', '/server-status?auto');
ok t_cmp($ms->[1], qr/^CFAOPHandshakesPassed: \d+$/m, "mod_status's short report has the totals");

# ---- graceful restart: the counters start again ----------------------------

my $before = $doc->{counters_since_seconds};
sleep 1;
httpd_signal_restart();
my $after = status_json();
my $on2 = page_vhost($after, 'status_on') // {};
my $rep2 = page_vhost($after, 'status_report') // {};
ok t_cmp(($after->{counters_since_seconds} // 0) > $before ? 'later' : 'same', 'later',
         'counters_since moves to the restart');
ok t_cmp([$on2->{handshakes}{passed}, $on2->{handshakes}{refused}, $rep2->{handshakes}{reported},
                $on2->{requests_refused}, scalar @{ $on2->{leaves} // [1] }],
               [0, reasons_with(), reasons_with(), { 421 => { 'host-mismatch' => 0 },
                                                     403 => no_host(reasons_with()) }, 0],
               'after a graceful restart every counter is 0 and no leaf is shown');
my $one = tls_request(vhost => 'status_on', cert => 'good');
my $on3 = page_vhost(status_json(), 'status_on') // {};
ok t_cmp(($one->{status} // 0) . '/' . ($on3->{handshakes}{passed} // '-'), '200/1',
         'and count again from there');

# ---- without mod_slotmem_shm ------------------------------------------------

my ($page_port, $tls_port) = (CFAOPTest::Servers::free_port(), CFAOPTest::Servers::free_port());
my ($server_pem, $server_key, $root_pem) = (pki('server.pem'), pki('server.key'), pki('root-ca.pem'));
my $srv = CFAOPTest::Servers::start_httpd(port => $page_port, body => <<"EOF");
Listen 127.0.0.1:$tls_port
<Location "/cf-aop-status">
    SetHandler cf-aop-status
</Location>
<VirtualHost 127.0.0.1:$tls_port>
    SSLEngine on
    SSLCertificateFile "$server_pem"
    SSLCertificateKeyFile "$server_key"
    CFAOP On
    CFAOPTrustedCA "$root_pem"
</VirtualHost>
EOF
my $elog = do { local (@ARGV, $/) = ($srv->{error_log}); <> } // '';
ok t_cmp($elog, qr/CFAOP0501: SetHandler cf-aop-status is configured but mod_slotmem_shm is not loaded/,
         'without mod_slotmem_shm: CFAOP0501 at startup');
my $bare = do {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $page_port, Timeout => 10);
    print $s "GET /cf-aop-status?json HTTP/1.0\r\n\r\n";
    local $/;
    my $resp = <$s> // '';
    (split /\r\n\r\n/, $resp, 2)[1] // '';
};
my $bare_doc = eval { JSON::PP->new->decode($bare) } // {};
ok t_cmp(join(' ', $bare_doc->{counters_available} ? 'true' : 'false',
              $bare_doc->{counters_unavailable} // '-', scalar @{ $bare_doc->{vhosts} // [] },
              exists $bare_doc->{vhosts}[0]{handshakes} ? 'counters' : 'none'),
         qr/^false mod_slotmem_shm is not loaded .* 1 none$/, 'the page says the counters are unavailable');

# verification does not depend on it
sub tls_status {
    my $cert = shift;
    my $s = IO::Socket::SSL->new(PeerHost => '127.0.0.1', PeerPort => $tls_port, Timeout => 10,
                                 SSL_reuse_ctx => fresh_ctx($cert)) or return 'refused';
    print $s "GET / HTTP/1.0\r\n\r\n";
    my $line = <$s> // '';
    return $line =~ m{^HTTP/1\.\d (\d{3})} ? $1 : 'refused';
}
ok t_cmp(tls_status('wrongca'), 'refused', 'an untrusted certificate is refused');
ok t_cmp(tls_status('good'), qr/^(200|403|404)$/, 'the good one is served');
