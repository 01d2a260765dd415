# SPDX-License-Identifier: Apache-2.0
# CFAOPTest::Servers: real servers a test puts beside httpd (nginx, HAProxy,
# memcached, redis, a second httpd), started as the suite's own user on
# 127.0.0.1, on ports chosen at run time, and stopped when the test ends.
package CFAOPTest::Servers;
use strict;
use warnings;

use Exporter 'import';
use File::Temp ();
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();

our @EXPORT_OK = qw(free_port start_server stop_server find_program workdir start_httpd through_proxy);

my %running;    # pid => name

# A port nothing listens on now (bound and released: the window is short,
# and a server that then cannot bind makes start_server fail loudly).
sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp',
                                  Listen => 1, ReuseAddr => 1) or die "free_port: $!\n";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# The path of PROGRAM in PATH or the sbin directories, or undef.
sub find_program {
    my $name = shift;
    for my $dir (split(/:/, $ENV{PATH} // ''), '/usr/sbin', '/sbin', '/usr/bin') {
        return "$dir/$name" if -x "$dir/$name";
    }
    return undef;
}

# A directory for one server's files, removed at the end of the test.
sub workdir {
    my $t_logs = Apache::Test::vars('t_logs');
    return File::Temp::tempdir('srv.XXXXXX', DIR => $t_logs, CLEANUP => 1);
}

# start_server(name => 'nginx', argv => [...], port => P, log => FILE):
# runs argv in the foreground of a child process (stdout and stderr to log)
# and waits until 127.0.0.1:P accepts connections. Returns the pid.
sub start_server {
    my %a = @_;
    my $pid = fork // die "fork: $!\n";
    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $a{log} or POSIX::_exit(127);
        open STDERR, '>&', \*STDOUT;
        POSIX::setsid();
        exec @{ $a{argv} } or POSIX::_exit(127);
    }
    $running{$pid} = $a{name};
    my $until = Time::HiRes::time() + ($a{timeout} // 10);
    while (Time::HiRes::time() < $until) {
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
            delete $running{$pid};
            die "$a{name} exited at start: " . _tail($a{log}) . "\n";
        }
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $a{port}, Timeout => 1);
        if ($s) {
            close $s;
            return $pid;
        }
        Time::HiRes::sleep(0.05);
    }
    stop_server($pid);
    die "$a{name} did not listen on 127.0.0.1:$a{port}: " . _tail($a{log}) . "\n";
}

# Stops one server (SIGTERM, then SIGKILL after a few seconds).
sub stop_server {
    my $pid = shift;
    return unless $running{$pid};
    kill 'CONT', $pid;
    kill 'TERM', $pid;
    my $until = Time::HiRes::time() + 5;
    while (Time::HiRes::time() < $until) {
        last if waitpid($pid, POSIX::WNOHANG()) == $pid;
        Time::HiRes::sleep(0.05);
    }
    if (kill 0, $pid) {
        kill 'KILL', $pid;
        waitpid($pid, 0);
    }
    delete $running{$pid};
}

# start_httpd(port => P, body => TEXT, modules => [names]): another httpd
# (the suite's binary and MPM, mod_ssl and the module under test, plus the
# named modules, e.g. socache_memcache) listening on 127.0.0.1:P with BODY
# as the rest of its configuration. Returns {pid, dir, error_log}.
sub start_httpd {
    my %a = @_;
    my $dir = workdir();
    my (@load, %have);
    open my $main, '<', Apache::Test::vars('t_conf_file') or die "httpd.conf: $!\n";
    while (my $line = <$main>) {
        if ($line =~ /^\s*LoadModule\s+(\w+)_module\s+(.*)$/) {
            my ($name, $path) = ($1, $2);
            if ($name =~ /^(?:mpm_\w+|unixd|authz_core|ssl|socache_shmcb|include|mime|headers|log_config)$/) {
                push @load, "LoadModule ${name}_module $path\n" unless $have{$name};
                $have{$name} = $path;
            }
        }
    }
    close $main;
    my ($any) = values %have;
    (my $modules_dir = $any // '') =~ s{/[^/]+"?$}{};
    $modules_dir =~ s/^"//;
    for my $m (@{ $a{modules} || [] }) {
        next if $have{$m};
        -f "$modules_dir/mod_$m.so" or die "start_httpd: mod_$m.so not found in $modules_dir\n";
        push @load, qq{LoadModule ${m}_module "$modules_dir/mod_$m.so"\n};
    }
    my $module = Apache::Test::vars('cfaop_module');
    open my $fh, '>', "$dir/httpd.conf" or die "$dir/httpd.conf: $!\n";
    print $fh @load, qq{LoadModule cf_aop_module "$module"\n},
        qq{ServerRoot "$dir"\nServerName 127.0.0.1\nListen 127.0.0.1:$a{port}\n},
        qq{PidFile "$dir/httpd.pid"\nErrorLog "$dir/error_log"\nDefaultRuntimeDir "$dir"\n},
        ($have{mime} ? qq{TypesConfig /dev/null\n} : ''),
        qq{DocumentRoot "} . Apache::Test::vars('documentroot') . qq{"\n},
        $a{body};
    close $fh;
    my $pid = eval {
        start_server(name => 'httpd', port => $a{port}, log => "$dir/stderr.log",
                     argv => [Apache::Test::vars('httpd'), '-d', $dir, '-f', "$dir/httpd.conf",
                              '-DFOREGROUND']);
    };
    die $@ . 'error_log: ' . _tail("$dir/error_log") . "\n" unless $pid;
    return { pid => $pid, dir => $dir, error_log => "$dir/error_log" };
}

# One plain HTTP/1.1 request for /env.shtml with HOST through a proxy on
# 127.0.0.1:PORT: [status, the CF_AOP_POLICY the origin behind it saw].
sub through_proxy {
    my ($port, $host) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 10)
        or return ['connect-failed', '-'];
    print $s "GET /env.shtml HTTP/1.1\r\nHost: $host\r\nConnection: close\r\n\r\n";
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($status) = $resp =~ m{^HTTP/1\.\d (\d{3})};
    my ($policy) = $resp =~ /^CF_AOP_POLICY=(.*)$/m;
    return [$status // 'no-response', $policy // '-'];
}

sub _tail {
    my $file = shift;
    open my $fh, '<', $file or return '(no log)';
    local $/;
    my $all = <$fh> // '';
    return length($all) > 600 ? substr($all, -600) : $all;
}

END {
    my $status = $?;
    stop_server($_) for keys %running;
    $? = $status;
}

1;
