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

our @EXPORT_OK = qw(free_port start_server stop_server find_program workdir);

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
