#!/usr/bin/perl
# vertlet embedded runtime: the node-wide shim. ONE process supervises every container the runtime
# starts, and outlives the runtime, so logs keep flowing and exit statuses are recorded while no
# runtime runs. Only modules of Debian's perl-base (Essential) are used.
#
#   perl shim.pl STATE_DIR SOCKET     serve (daemonizes once SOCKET listens; exit 0 = serving)
#   perl shim.pl --clock              print the clock source and the time (a self-check)
#
# Control: a unix socket, one request per "start" block, answered by one line:
#   start\n dir D\n log L\n cwd W\n cgroup P\n... env K=V\n... arg A\n... .\n  ->  ok PID SECS.MICROS | err MESSAGE
#   ping\n  ->  pong PID CONTAINERS
# Values escape '%', CR and LF as %XX. The runtime keeps its connection open while it runs.
#
# A container:
# - its main process leads its own session and process group (PGID = its PID), which is what
#   StopContainer signals; the shim stays outside that group. Before exec it joins each cgroup
#   procs file (a failed write exits 126), then runs with the given env, working dir and /dev/null
#   stdin;
# - stdout/stderr are pipes to the shim, which writes CRI log lines
#   "<RFC3339Nano UTC> stdout|stderr F|P <line>" to the log path (P = a 16 KiB piece of a longer
#   line, F = the piece ending a line, or the unterminated end of a stream); the log is reopened
#   when the path no longer names the open file (rotation needs no signal); an empty path discards;
# - D/pid = "<pid> <epoch seconds.micros>" once started. When the main process ends, what is left
#   of its process group is SIGKILLed (as when a PID namespace's init exits), the pipes are drained
#   (at most 2 s: an escaped descendant may hold them), then D/exit = "<status> <epoch
#   seconds.micros>" (128+N when killed by signal N). Both files are written atomically.
# The shim exits by itself once it has no containers and no runtime connected for IDLE seconds.
use strict;
use warnings;
use POSIX qw(setsid _exit WNOHANG);
use Socket qw(AF_UNIX SOCK_STREAM SOMAXCONN pack_sockaddr_un);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);

my $MAX_LINE = 16 * 1024;   # as containerd's max_container_log_line_size
my $DRAIN = 2;              # seconds to drain a container's pipes after its main process ended
my $IDLE = 10;              # seconds without containers nor runtime before the shim exits

# ------------------------------------------------------------------------------------ clock
# Time::HiRes is not in perl-base: use it when present, else clock_gettime(CLOCK_REALTIME) through
# syscall(2) (numbers of the 64-bit Linux ABIs), else whole seconds.
my ($clock_source, $now);
if (eval { require Time::HiRes; 1 }) {
  $clock_source = 'hires';
  $now = sub { my ($s, $us) = Time::HiRes::gettimeofday(); return ($s, $us * 1000) };
} else {
  my %clock_gettime = (x86_64 => 228, aarch64 => 113, riscv64 => 113, ppc64le => 246, ppc64 => 246,
    s390x => 260, loongarch64 => 113, mips64 => 5222);
  my $nr = $clock_gettime{(POSIX::uname())[4]};
  my $probe = pack('q q', 0, 0);
  if ($nr && eval { syscall($nr, 0, $probe) == 0 }) {
    $clock_source = 'syscall';
    $now = sub {
      my $ts = pack('q q', 0, 0);
      return syscall($nr, 0, $ts) == 0 ? unpack('q q', $ts) : (time(), 0);
    };
  } else {
    $clock_source = 'seconds';
    $now = sub { return (time(), 0) };
  }
}

sub epoch_micros { my ($s, $ns) = $now->(); return sprintf('%d.%06d', $s, int($ns / 1000)) }

sub rfc3339nano {
  my ($s, $ns) = @_;
  my @t = gmtime($s);
  return sprintf('%04d-%02d-%02dT%02d:%02d:%02d.%09dZ', $t[5] + 1900, $t[4] + 1, $t[3], $t[2], $t[1], $t[0], $ns);
}

sub seconds { my ($s, $ns) = $now->(); return $s + $ns / 1e9 }

if (@ARGV && $ARGV[0] eq '--clock') {
  my ($s, $ns) = $now->();
  print "$clock_source $s.", sprintf('%09d', $ns), "\n";
  exit 0;
}

# ------------------------------------------------------------------------------------ start-up
die "usage: shim.pl STATE_DIR SOCKET\n" unless @ARGV == 2;
my ($state_dir, $socket_path) = @ARGV;
$0 = "vertlet-shim $state_dir $socket_path";
$SIG{PIPE} = 'IGNORE';

sub say_log { my ($s, $ns) = $now->(); print STDERR rfc3339nano($s, $ns), " shim[$$]: @_\n" }

# A socket that answers belongs to a live shim of this version: leave it serving, we are done.
if (-S $socket_path) {
  socket(my $probe, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
  if (connect($probe, pack_sockaddr_un($socket_path))) {
    exit 0;
  }
  unlink $socket_path;
}
socket(my $listener, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
bind($listener, pack_sockaddr_un($socket_path)) or die "cannot bind $socket_path: $!\n";
listen($listener, SOMAXCONN) or die "listen: $!\n";
my @socket_id = (stat $socket_path)[0, 1];

# Detach: the parent reports "listening" by exiting 0; the child leads a session of its own, so
# neither the runtime's exit nor its process group's signals reach it.
defined(my $daemon = fork()) or die "fork: $!\n";
POSIX::_exit(0) if $daemon;
setsid();
chdir '/';
open(STDIN, '<', '/dev/null');
STDERR->autoflush(1);

pipe(my $wake_r, my $wake_w) or die "pipe: $!\n";
nonblocking($wake_r);
nonblocking($wake_w);
$SIG{CHLD} = sub { syswrite($wake_w, 'c') };

my %clients;     # fileno => { fh, in }
my %streams;     # fileno => { fh, name, partial, container }
my %containers;  # pid => { dir, log, logfh, logid, streams, status, ended, deadline }
my $idle_since = seconds();
say_log("serving $socket_path (clock: $clock_source)");

while (1) {
  reap();
  finish_ended();
  if (!%containers && !%clients) {
    last if seconds() - $idle_since >= $IDLE;
  } else {
    $idle_since = seconds();
  }
  my $rin = '';
  vec($rin, fileno($_), 1) = 1 for $listener, $wake_r, (map { $_->{fh} } values %clients),
    (map { $_->{fh} } values %streams);
  my $timeout = 1;
  for my $c (values %containers) {
    $timeout = 0.05 if defined $c->{deadline};
  }
  my $n = select(my $rout = $rin, undef, undef, $timeout);
  next if $n <= 0;
  if (vec($rout, fileno($wake_r), 1)) {
    1 while sysread($wake_r, my $b, 64);
  }
  accept_client() if vec($rout, fileno($listener), 1);
  for my $fd (keys %clients) {
    read_client($fd) if $clients{$fd} && vec($rout, $fd, 1);
  }
  for my $fd (keys %streams) {
    read_stream($fd) if $streams{$fd} && vec($rout, $fd, 1);
  }
}
# Idle: give the name back (unless another shim took it meanwhile) and go.
my @now_id = (stat $socket_path)[0, 1];
unlink $socket_path if @now_id && $now_id[0] == $socket_id[0] && $now_id[1] == $socket_id[1];
say_log('idle, exiting');
exit 0;

# ------------------------------------------------------------------------------------ control

sub nonblocking {
  my ($fh) = @_;
  my $flags = fcntl($fh, F_GETFL, 0) or return;
  fcntl($fh, F_SETFL, $flags | O_NONBLOCK);
}

sub accept_client {
  accept(my $fh, $listener) or return;
  nonblocking($fh);
  $clients{fileno $fh} = { fh => $fh, in => '' };
}

sub read_client {
  my ($fd) = @_;
  my $cl = $clients{$fd};
  my $n = sysread($cl->{fh}, my $buf, 65536);
  return if !defined $n && ($!{EAGAIN} || $!{EINTR});
  if (!$n) {
    close $cl->{fh};
    delete $clients{$fd};
    return;
  }
  $cl->{in} .= $buf;
  while (1) {
    if ($cl->{in} =~ s/\Aping\n//) {
      reply($cl, 'pong ' . $$ . ' ' . scalar(keys %containers));
    } elsif ($cl->{in} =~ s/\Astart\n((?:[^\n]*\n)*?)\.\n//) {
      reply($cl, start_container($1));
    } elsif ($cl->{in} =~ /\A(?:ping|start)\n/ || $cl->{in} eq '' || $cl->{in} !~ /\n/) {
      last; # incomplete request: wait for more
    } else {
      $cl->{in} =~ s/\A[^\n]*\n//;
      reply($cl, 'err unknown request');
    }
  }
}

sub reply {
  my ($cl, $line) = @_;
  $line =~ s/\n/ /g;
  my $data = "$line\n";
  # Replies are short; a client that does not read them is not waited for.
  while (length $data) {
    my $w = syswrite($cl->{fh}, $data);
    if (!defined $w) {
      next if $!{EINTR};
      if ($!{EAGAIN}) { select(undef, my $wout = '', undef, 0.01); next }
      return;
    }
    substr($data, 0, $w) = '';
  }
}

sub unescape { my ($v) = @_; $v =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; return $v }

sub start_container {
  my ($body) = @_;
  my %req = (dir => undef, log => '', cwd => '/', cgroup => [], env => [], arg => []);
  for my $line (split /\n/, $body) {
    my ($key, $value) = $line =~ /\A(\w+) ?(.*)\z/s or return 'err malformed line';
    $value = unescape($value);
    if (ref $req{$key}) { push @{ $req{$key} }, $value } elsif (exists $req{$key}) { $req{$key} = $value }
    else { return "err unknown field $key" }
  }
  return 'err dir and arg are required' unless defined $req{dir} && @{ $req{arg} };
  my ($out_r, $out_w, $err_r, $err_w);
  if ($req{log} ne '') {
    pipe($out_r, $out_w) && pipe($err_r, $err_w) or return "err pipe: $!";
  }
  # The reply waits until the child has exec'd (or ended): then its PID names a process group
  # StopContainer can signal. The pipe is close-on-exec, so its EOF is the signal.
  pipe(my $ready_r, my $ready_w) or return "err pipe: $!";
  my $pid = fork();
  return "err fork: $!" unless defined $pid;
  if ($pid == 0) {
    close $ready_r;
    exec_container(\%req, $out_w, $err_w);
  }
  close $ready_w;
  while (1) {
    last if defined sysread($ready_r, my $ignored, 1) || !$!{EINTR};
  }
  close $ready_r;
  my $started = epoch_micros();
  my $c = { dir => $req{dir}, log => $req{log}, streams => 0 };
  if ($req{log} ne '') {
    close $out_w;
    close $err_w;
    for ([$out_r, 'stdout'], [$err_r, 'stderr']) {
      my ($fh, $name) = @$_;
      nonblocking($fh);
      $streams{fileno $fh} = { fh => $fh, name => $name, partial => '', container => $c };
      $c->{streams}++;
    }
  }
  $containers{$pid} = $c;
  write_atomically("$req{dir}/pid", "$pid $started\n");
  return "ok $pid $started";
}

# In the forked child: never returns.
sub exec_container {
  my ($req, $out_w, $err_w) = @_;
  $SIG{$_} = 'DEFAULT' for qw(CHLD PIPE TERM INT HUP);
  POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new());
  setsid();
  open(STDIN, '<', '/dev/null');
  if (defined $out_w) {
    POSIX::dup2(fileno $out_w, 1);
    POSIX::dup2(fileno $err_w, 2);
  } else {
    open(STDOUT, '>', '/dev/null');
    open(STDERR, '>', '/dev/null');
  }
  for my $procs (@{ $req->{cgroup} }) {
    my $ok = open(my $fh, '>', $procs);
    $ok = syswrite($fh, "$$\n") && close($fh) if $ok;
    if (!$ok) {
      print STDERR "vertlet: cannot join cgroup $procs: $!\n";
      POSIX::_exit(126);
    }
  }
  if (!chdir $req->{cwd}) {
    print STDERR "vertlet: cannot enter working dir $req->{cwd}: $!\n";
    POSIX::_exit(126);
  }
  %ENV = ();
  for my $kv (@{ $req->{env} }) {
    my ($k, $v) = split /=/, $kv, 2;
    $ENV{$k} = $v // '';
  }
  my @argv = @{ $req->{arg} };
  { no warnings 'exec'; exec { $argv[0] } @argv; }
  my $code = $!{ENOENT} ? 127 : 126;
  print STDERR "vertlet: exec $argv[0]: $!\n";
  POSIX::_exit($code);
}

# ------------------------------------------------------------------------------------ logs

sub read_stream {
  my ($fd) = @_;
  my $s = $streams{$fd};
  my $n = sysread($s->{fh}, my $buf, 65536);
  return if !defined $n && ($!{EAGAIN} || $!{EINTR});
  if (!$n) {
    close_stream($fd);
    return;
  }
  $s->{partial} .= $buf;
  my ($sec, $ns) = $now->();
  my $prefix = rfc3339nano($sec, $ns) . " $s->{name} ";
  my $out = '';
  while ((my $i = index($s->{partial}, "\n")) >= 0) {
    my $line = substr($s->{partial}, 0, $i + 1, '');
    chop $line;
    while (length($line) > $MAX_LINE) {
      $out .= $prefix . 'P ' . substr($line, 0, $MAX_LINE, '') . "\n";
    }
    $out .= $prefix . 'F ' . $line . "\n";
  }
  while (length($s->{partial}) >= $MAX_LINE) {
    $out .= $prefix . 'P ' . substr($s->{partial}, 0, $MAX_LINE, '') . "\n";
  }
  write_log($s->{container}, $out) if length $out;
}

# End of a stream: an unterminated last line is still a line (as the shell's read loop had it).
sub close_stream {
  my ($fd) = @_;
  my $s = delete $streams{$fd} or return;
  if (length $s->{partial}) {
    my ($sec, $ns) = $now->();
    write_log($s->{container}, rfc3339nano($sec, $ns) . " $s->{name} F $s->{partial}\n");
  }
  close $s->{fh};
  $s->{container}{streams}--;
}

sub write_log {
  my ($c, $data) = @_;
  my @id = (stat $c->{log})[0, 1];
  if (!$c->{logfh} || !@id || $id[0] != $c->{logid}[0] || $id[1] != $c->{logid}[1]) {
    close $c->{logfh} if $c->{logfh};
    delete $c->{logfh};
    if (!open(my $fh, '>>', $c->{log})) {
      say_log("cannot write log $c->{log}: $!") unless $c->{log_failed}++;
      return;
    } else {
      $c->{logfh} = $fh;
      $c->{logid} = [(stat $fh)[0, 1]];
      $c->{log_failed} = 0;
    }
  }
  while (length $data) {
    my $w = syswrite($c->{logfh}, $data);
    if (!defined $w) {
      next if $!{EINTR};
      say_log("cannot write log $c->{log}: $!") unless $c->{log_failed}++;
      return;
    }
    substr($data, 0, $w) = '';
  }
}

# ------------------------------------------------------------------------------------ exits

sub reap {
  while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
    my $status = $?;
    my $c = $containers{$pid} or next;
    next if defined $c->{status};
    $c->{status} = ($status & 127) ? 128 + ($status & 127) : $status >> 8;
    $c->{ended} = epoch_micros();
    kill 'KILL', -$pid;
    $c->{deadline} = seconds() + $DRAIN;
  }
}

sub finish_ended {
  for my $pid (keys %containers) {
    my $c = $containers{$pid};
    next unless defined $c->{status};
    if ($c->{streams} > 0 && seconds() < $c->{deadline}) {
      next;
    }
    for my $fd (keys %streams) {
      close_stream($fd) if $streams{$fd}{container} == $c;
    }
    close $c->{logfh} if $c->{logfh};
    write_atomically("$c->{dir}/exit", "$c->{status} $c->{ended}\n");
    delete $containers{$pid};
  }
}

sub write_atomically {
  my ($path, $content) = @_;
  my $tmp = "$path.tmp";
  if (open(my $fh, '>', $tmp)) {
    print $fh $content;
    if (close($fh) && rename($tmp, $path)) {
      return 1;
    }
  }
  say_log("cannot write $path: $!");
  return 0;
}
