# SPDX-License-Identifier: Apache-2.0
# Mistakes an administrator makes with CA files and serials get a message
# that says what to fix: a PEM pasted onto the previous END line, a PEM on
# one line or JSON-escaped, a private key instead of a certificate (each a
# configtest error naming the line), and a serial of bare digits (a
# warning saying it is read as hex and how to write decimal).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use File::Temp ();
use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

my $dir = File::Temp::tempdir('traps.XXXXXX', DIR => Apache::Test::vars('t_logs'), CLEANUP => 1);

sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or die "$path: $!\n";
    local $/;
    return scalar <$fh>;
}

sub write_file { CFAOPTest::write_text($dir, @_) }

sub vhost { CFAOPTest::cfaop_vhost(@_) }

my $root = pki('root-ca.pem');
my $a = slurp($root);
my $b = slurp(pki('rev', 'root-ca.pem'));
(my $a_open = $a) =~ s/\n\z//;
my $a_lines = ($a =~ tr/\n//);
(my $json = $a) =~ s/\n/\\n/g;
(my $oneline = $a) =~ s/\n(?!\z)/ /g;

my $glued = write_file('glued.pem', $a_open . $b);
my $escaped = write_file('escaped.pem', qq{"$json"\n});
my $flat = write_file('flat.pem', $oneline);
my $key = write_file('key.pem', slurp(pki('server.key')));

my @errors = (
    ['PEM glued to the END line', $glued,
     qr/CFAOP0002: CFAOPTrustedCA: \Q$glued\E: line \Q$a_lines\E has a -----BEGIN marker on the same line as the -----END marker before it/],
    ['JSON-escaped PEM', $escaped,
     qr/CFAOP0002: CFAOPTrustedCA: \Q$escaped\E: line 1 has a literal \\{1,2}n where a line break belongs \(PEM text escaped for JSON/],
    ['PEM on one line', $flat,
     qr/CFAOP0002: CFAOPTrustedCA: \Q$flat\E: line 1 holds a whole PEM block on one line/],
    ['private key as CA file', $key,
     qr/CFAOP0002: CFAOPTrustedCA: \Q$key\E: line 1 is the start of a private key \((?:RSA |EC )?PRIVATE KEY\), not of a certificate/],
);

my $deny = write_file('deny.txt', "0A1B\n1234\n0x99\n5678\n");
my @warnings = (
    ['bare digits in CFAOPDenySerial', 'CFAOPDenySerial 1234',
     qr/CFAOP0032: CFAOPDenySerial 1234 \(\S+:\d+\): digits only, without a prefix: read as hexadecimal \(0x1234\)\. If it is a decimal serial_number from Cloudflare's API, write dec:1234/],
    ['bare digits in a deny file', qq{CFAOPDenySerialFile "$deny"},
     qr/CFAOP0032: CFAOPDenySerialFile \Q$deny\E: 2 serials of digits only, without a prefix \(the first at line 2\): read as hexadecimal\. Write dec:<digits>/],
);

plan tests => 2 * @errors + 3 * @warnings + 2;

for my $c (@errors) {
    my ($what, $file, $re) = @$c;
    my $t = configtest(vhost(qq{CFAOPTrustedCA "$file"}));
    ok t_cmp($t->{rc} != 0 ? 'fails' : 'passes', 'fails', "$what: configtest fails");
    ok t_cmp($t->{output}, $re, "$what: names the file and the line");
}

for my $c (@warnings) {
    my ($what, $line, $re) = @$c;
    my $t = configtest(vhost(qq{CFAOPTrustedCA "$root"}, $line));
    ok t_cmp($t->{rc}, 0, "$what: configtest passes");
    ok t_cmp($t->{output}, $re, "$what: warns how it was read");
    my $n = () = $t->{output} =~ /CFAOP0032/g;
    ok t_cmp($n, 1, "$what: warned once");
}

{
    my $t = configtest(vhost(qq{CFAOPTrustedCA "$root"}, 'CFAOPDenySerial dec:1234 0x5678 7 0A'));
    ok t_cmp($t->{rc}, 0, 'prefixed serials: configtest passes');
    ok t_cmp($t->{output} =~ /CFAOP0032/ ? 'warned' : 'quiet', 'quiet', 'prefixed serials: no warning');
}
