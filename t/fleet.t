# SPDX-License-Identifier: Apache-2.0
# A fleet: two origins (two more httpd, beside the suite's) with the same
# CFAOP policy share their TLS session cache on a real memcached, then on a
# real redis (mod_socache_memcache, mod_socache_redis). A session made on
# origin 1 resumes on origin 2 under the same policy, and is declined there
# (a full handshake follows) under another; a cache server that hangs
# (SIGSTOP) stalls new handshakes, and the fleet recovers when it resumes.
# docs/fleet.md.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Servers qw(free_port start_server stop_server find_program workdir start_httpd);
use IO::Socket::SSL ();
use Time::HiRes ();

my %cache_prog = (memcache => find_program('memcached'), redis => find_program('redis-server'));
my @caches = grep { $cache_prog{$_} } qw(memcache redis);
plan tests => 2 * (2 * 4 + 2),
    need { 'memcached and redis-server (make deps installs them)' => @caches == 2 };

my $app = 'hostname:app.example.test';
my $shop = 'hostname:shop.example.test';

sub origin_body {
    my ($port, $cache_spec) = @_;
    my $docroot = Apache::Test::vars('documentroot');
    my $timeout = $cache_spec =~ /^redis:/ ? "RedisTimeout 1\n" : '';
    return <<"EOF";
${timeout}LogLevel warn cf_aop:info
SSLSessionCache "$cache_spec"
SSLSessionCacheTimeout 300
SSLCertificateFile "@{[pki('server.pem')]}"
SSLCertificateKeyFile "@{[pki('server.key')]}"
<Directory "$docroot">
    Options +Includes
    AddType text/plain .shtml
    AddOutputFilter INCLUDES .shtml
    SSLOptions +StdEnvVars
</Directory>
<VirtualHost 127.0.0.1:$port>
    # mod_ssl ties sessions to ServerName and its port: a fleet shares both.
    ServerName origin.fleet.test:443
    SSLEngine on
    # Sessions by id, through the shared cache (TLS 1.3 too: its tickets
    # then only name a cached session).
    SSLSessionTickets off
    CFAOP On
    CFAOPTrustedCA "@{[pki('root-ca.pem')]}"
    CFAOPHostnameCA app.example.test "@{[pki('hn/app-ca.pem')]}"
    CFAOPHostnameCA shop.example.test "@{[pki('hn/shop-ca.pem')]}"
</VirtualHost>
EOF
}

sub get {
    my ($port, $ctx, $sni, $key) = @_;
    my $sock = IO::Socket::SSL->new(PeerHost => '127.0.0.1', PeerPort => $port, Timeout => 20,
                                    SSL_reuse_ctx => $ctx, SSL_hostname => $sni, SSL_session_key => $key);
    return { status => 'no-connection', reused => 0 } unless $sock;
    my $reused = $sock->get_session_reused ? 1 : 0;
    print $sock "GET /env.shtml HTTP/1.1\r\nHost: $sni\r\nConnection: close\r\n\r\n";
    my $buf = '';
    my $resp = CFAOPTest::read_response($sock, \$buf);
    $sock->close;
    return { reused => $reused, status => $resp ? $resp->{status} : 'no-response',
             policy => $resp ? $resp->{env}{CF_AOP_POLICY} // '-' : '-' };
}

sub summary { my $r = shift; join ' ', $r->{reused} ? 'resumed' : 'new', $r->{status}, $r->{policy} // '-' }

sub wait_line {
    my ($file, $re) = @_;
    my $until = Time::HiRes::time() + 5;
    while (Time::HiRes::time() < $until) {
        if (open my $fh, '<', $file) {
            while (<$fh>) { return $_ if $_ =~ $re }
        }
        Time::HiRes::sleep(0.05);
    }
    return undef;
}

for my $cache (@caches) {
    my $dir = workdir();
    my $cport = free_port();
    my $cpid = start_server(
        name => $cache, port => $cport, log => "$dir/$cache.log",
        argv => $cache eq 'memcache'
            ? [$cache_prog{$cache}, '-l', '127.0.0.1', '-p', $cport, '-U', '0', '-m', '16']
            : [$cache_prog{$cache}, '--port', $cport, '--bind', '127.0.0.1', '--save', '',
               '--appendonly', 'no', '--dir', $dir]);
    my $spec = "$cache:127.0.0.1:$cport";
    my @port = (free_port(), free_port());
    my @origin = map { start_httpd(port => $port[$_], body => origin_body($port[$_], $spec),
                                   modules => ["socache_$cache"]) } 0, 1;

    for my $tls ('1.3', '1.2') {
        my $sessions = IO::Socket::SSL::Session_Cache->new(8);
        my $app_ctx = client_context(cert => 'hn/app', tls => $tls, session_cache => $sessions);
        my $shop_ctx = client_context(cert => 'hn/shop', tls => $tls, session_cache => $sessions);
        my $key = "fleet:$cache:$tls";
        ok t_cmp(summary(get($port[0], $app_ctx, 'app.example.test', $key)), "new 200 $app",
                 "$cache, TLS $tls: app's session made on origin 1");
        ok t_cmp(summary(get($port[1], $app_ctx, 'app.example.test', $key)), "resumed 200 $app",
                 "$cache, TLS $tls: resumed on origin 2 under the same policy");
        ok t_cmp(summary(get($port[1], $shop_ctx, 'shop.example.test', $key)), "new 200 $shop",
                 "$cache, TLS $tls: offered on origin 2 under shop's policy: declined, full handshake, 200");
        ok t_cmp(wait_line($origin[1]{error_log}, qr/CFAOP0104: resumption declined, .*reason=host-mismatch .*sni="shop\.example\.test"/)
                 // 'none', qr/CFAOP0104/, "$cache, TLS $tls: origin 2 says why it declined");
    }

    # The cache server hangs (SIGSTOP): new handshakes wait on it (docs/fleet.md
    # has the measured stall); once it resumes, the fleet works again.
    kill 'STOP', $cpid;
    {
        local $CFAOPTest::TIMEOUT = 3;
        my $t0 = Time::HiRes::time();
        my $r = get($port[0], client_context(cert => 'hn/app', tls => '1.2'), 'app.example.test', "hang:$cache");
        printf "# %s stopped: a new handshake got %s after %.1f s (client gave up at 3 s)\n",
            $cache, $r->{status}, Time::HiRes::time() - $t0;
    }
    kill 'CONT', $cpid;
    my $ctx = client_context(cert => 'hn/app', tls => '1.2');
    my $r = get($port[0], $ctx, 'app.example.test', "after:$cache");
    for (1 .. 20) {
        last if $r->{status} eq '200';
        Time::HiRes::sleep(0.5);
        $r = get($port[0], $ctx, 'app.example.test', "after:$cache");
    }
    ok t_cmp($r->{status}, 200, "$cache resumed: new handshakes are served again");
    ok t_cmp(summary(get($port[1], $ctx, 'app.example.test', "after:$cache")), "resumed 200 $app",
             "$cache resumed: sessions are shared again");

    stop_server($_->{pid}) for @origin;
    stop_server($cpid);
}
