package io.vertlet.runtime;

import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's side of the node-wide shim ({@code shim.pl}): ONE perl process that starts every
 * container, writes their CRI logs and records their exit statuses, and outlives the runtime.
 *
 * <p>Files, named by the first 12 hex digits of the script's SHA-256 (its version):
 * {@code STATE/shim-HASH.pl}, {@code .sock} (control socket), {@code .log} (its own messages).
 * A runtime of another vertlet version uses another name, so an old shim keeps serving the
 * containers it started while a new one serves new containers; a shim with no containers and no
 * runtime connected exits by itself.
 *
 * <p>The runtime keeps one connection open while it runs (that is how the shim knows a runtime is
 * there). Calls block: use from virtual or worker threads.
 */
final class NodeShim implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeShim.class);
  private static final String SCRIPT = "shim.pl";

  /** A started container: its main process and when it started (nanoseconds since the epoch). */
  record Started(long pid, long startedAt) {}

  private final Path script;
  private final Path socket;
  private final Path log;
  private final String perl;
  private SocketChannel channel;
  private InputStream in;
  private long pid = -1;
  private long startTime = -1;
  private boolean closed;

  private NodeShim(Path script, Path socket, Path log, String perl) {
    this.script = script;
    this.socket = socket;
    this.log = log;
    this.perl = perl;
  }

  /**
   * Writes this version's script into {@code stateDir} (unless present) and removes what older
   * versions left behind once they are gone: the bash {@code supervisor.sh}, scripts of shims whose
   * socket no longer exists. Does not start the shim yet ({@link #connect()} does).
   */
  static NodeShim install(Path stateDir) {
    return install(stateDir, builtInScript());
  }

  /** The shim script of this build. */
  static byte[] builtInScript() {
    try (InputStream res = NodeShim.class.getResourceAsStream(SCRIPT)) {
      if (res == null) {
        throw new IllegalStateException(SCRIPT + " missing from the build");
      }
      return res.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** {@link #install(Path)} with a given script (tests stand in another version's). */
  static NodeShim install(Path stateDir, byte[] body) {
    String hash = hash(body);
    Path script = stateDir.resolve("shim-" + hash + ".pl");
    Path socket = socketPath(stateDir, hash);
    try {
      if (!Files.exists(script)) {
        Path tmp = stateDir.resolve(script.getFileName() + ".tmp");
        Files.write(tmp, body);
        Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      removeLeftovers(stateDir, hash);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install the shim in " + stateDir + ": " + e.getMessage(), e);
    }
    return new NodeShim(script, socket, stateDir.resolve("shim-" + hash + ".log"), findPerl());
  }

  /** The shim process (for the PID-reuse guard of the containers it starts). */
  synchronized long pid() {
    return pid;
  }

  /** The shim's {@code /proc} start time. */
  synchronized long startTime() {
    return startTime;
  }

  Path socket() {
    return socket;
  }

  Path script() {
    return script;
  }

  /** Connects to this version's shim, starting it first when none answers. Idempotent. */
  synchronized void connect() throws IOException {
    if (closed) {
      throw new IOException("the runtime is stopping");
    }
    if (channel != null) {
      return;
    }
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        open();
        String[] pong = call("ping\n").split(" ");
        if (pong.length < 2 || !"pong".equals(pong[0])) {
          throw new IOException("unexpected answer from the shim: " + String.join(" ", pong));
        }
        pid = Long.parseLong(pong[1]);
        startTime = HostProcesses.startTime(pid).orElse(-1);
        return;
      } catch (IOException e) {
        // None listening, or an idle shim that was just exiting: start one (it leaves a live one alone).
        last = e;
        disconnect();
        spawn();
      }
    }
    throw new IOException("cannot reach the shim on " + socket + " (see " + log + "): " + last.getMessage(), last);
  }

  /**
   * Starts a container through the shim (see shim.pl for what the shim does). Returns once the
   * command has been exec'd, so its PID leads a process group.
   */
  synchronized Started start(Path dir, String logPath, Path workDir, List<Path> cgroupProcs,
      Map<String, String> env, List<String> argv) {
    StringBuilder req = new StringBuilder("start\n");
    field(req, "dir", dir.toString());
    field(req, "log", logPath);
    field(req, "cwd", workDir.toString());
    cgroupProcs.forEach(p -> field(req, "cgroup", p.toString()));
    env.forEach((k, v) -> field(req, "env", k + "=" + v));
    argv.forEach(a -> field(req, "arg", a));
    req.append(".\n");
    String answer;
    try {
      answer = callConnected(req.toString(), dir);
    } catch (IOException e) {
      throw new StatusException(GrpcStatus.INTERNAL, "StartContainer: the shim failed: " + e.getMessage()
          + " (see " + log + ")");
    }
    String[] f = answer.split(" ", 3);
    if (f.length == 3 && "ok".equals(f[0])) {
      return new Started(Long.parseLong(f[1]), EmbeddedClock.fromEpochRealtime(f[2]));
    }
    throw new StatusException(GrpcStatus.INTERNAL, "StartContainer: the shim refused: " + answer);
  }

  /** Closes the connection: the shim keeps serving its containers and exits once it has none. */
  @Override
  public synchronized void close() {
    closed = true;
    disconnect();
  }

  // ------------------------------------------------------------------------------ internals

  /** One call on the open connection; after a broken one, reconnects and retries once if nothing started. */
  private String callConnected(String request, Path dir) throws IOException {
    try {
      connect();
      return call(request);
    } catch (IOException e) {
      disconnect();
      if (Files.exists(dir.resolve("pid"))) {
        throw e; // the shim started it before the connection broke: do not start it twice
      }
      LOG.warn("embedded runtime: connection to the shim lost ({}); reconnecting", e.getMessage());
      connect();
      return call(request);
    }
  }

  private void open() throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    channel = ch;
    in = java.nio.channels.Channels.newInputStream(ch);
  }

  private String call(String request) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
    while (out.hasRemaining()) {
      channel.write(out);
    }
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("the shim closed the connection");
      }
      line.write(b);
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  private void disconnect() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    channel = null;
    in = null;
  }

  /** Runs the script; it exits 0 once its socket listens (or another shim already answers there). */
  private void spawn() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(perl, script.toString(), script.getParent().toString(), socket.toString())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    Process p = pb.start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("the shim did not start within 10 s; see " + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the shim");
    }
    if (p.exitValue() != 0) {
      throw new IOException("the shim exited with status " + p.exitValue() + "; see " + log);
    }
  }

  private static void field(StringBuilder req, String key, String value) {
    req.append(key).append(' ');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '%' -> req.append("%25");
        case '\n' -> req.append("%0A");
        case '\r' -> req.append("%0D");
        default -> req.append(c);
      }
    }
    req.append('\n');
  }

  private static void removeLeftovers(Path stateDir, String hash) throws IOException {
    Files.deleteIfExists(stateDir.resolve("supervisor.sh")); // running bash supervisors hold it open
    SocketPaths.removeDeadShared();
    try (DirectoryStream<Path> old = Files.newDirectoryStream(stateDir, "shim-*.pl")) {
      for (Path p : old) {
        String name = p.getFileName().toString();
        String base = name.substring(0, name.length() - ".pl".length());
        String itsHash = base.substring("shim-".length());
        if (!itsHash.equals(hash) && !Files.exists(socketPath(stateDir, itsHash))) {
          Files.deleteIfExists(p); // perl read it whole at start
          Files.deleteIfExists(stateDir.resolve(base + ".log"));
        }
      }
    }
  }

  private static String findPerl() {
    for (String p : new String[] {"/usr/bin/perl", "/bin/perl"}) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new IllegalStateException("perl not found (/usr/bin/perl, Debian's Essential package perl-base): the "
        + "embedded runtime's shim needs it");
  }

  /**
   * The control socket of the shim of version {@code hash} serving {@code stateDir}: beside the
   * script, or for a state dir too deep for a unix socket, in a shared dir named by a digest of the
   * state dir and the version ({@link SocketPaths}).
   */
  static Path socketPath(Path stateDir, String hash) {
    return SocketPaths.fitting(stateDir.resolve("shim-" + hash + ".sock"), stateDir, hash + ".sock");
  }

  private static String hash(byte[] body) {
    return SocketPaths.sha256(body).substring(0, 12);
  }
}
