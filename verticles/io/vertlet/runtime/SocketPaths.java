package io.vertlet.runtime;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the embedded runtime's unix sockets (its CRI endpoint, the node shim's control socket) live.
 * A socket path may not exceed {@value #SUN_PATH_MAX} bytes, and a root dir is the operator's choice:
 * a socket that would not fit under it goes to a shared dir instead, named by a digest of what owns
 * it, as containerd does for its shims. Deterministic, so a restarted agent finds it again.
 */
final class SocketPaths {

  private static final Logger LOG = LoggerFactory.getLogger(SocketPaths.class);

  static final int SUN_PATH_MAX = 107;

  /** Where sockets too deep for their owner's dir go, in order of preference. */
  static final List<Path> SHARED_DIRS =
      List.of(Path.of("/run/vertlet/s"), Path.of(System.getProperty("java.io.tmpdir"), "vertlet-s"));

  private SocketPaths() {}

  /**
   * {@code preferred} when it fits; otherwise {@code <shared dir>/<digest of owner>-<suffix>} in the
   * first shared dir that is writable.
   */
  static Path fitting(Path preferred, Path owner, String suffix) {
    if (fits(preferred)) {
      return preferred;
    }
    String name = sha256(owner.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8))
        .substring(0, 16) + "-" + suffix;
    for (Path dir : SHARED_DIRS) {
      try {
        Files.createDirectories(dir);
        if (Files.isWritable(dir) && fits(dir.resolve(name))) {
          return dir.resolve(name);
        }
      } catch (IOException | SecurityException e) {
        // not usable here: try the next place
      }
    }
    throw new IllegalStateException("no place for the socket " + preferred + ": it is longer than the "
        + SUN_PATH_MAX + " bytes a unix socket allows, and neither /run/vertlet/s nor the temp dir is writable");
  }

  /**
   * A process killed with SIGKILL cannot unlink its socket; in the shared dirs nobody else would (a
   * socket under its owner's dir goes with that dir). A socket nobody answers on is dead.
   */
  static void removeDeadShared() {
    for (Path dir : SHARED_DIRS) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> sockets = Files.newDirectoryStream(dir, "*.sock")) {
        for (Path socket : sockets) {
          try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
          } catch (IOException refused) {
            Files.deleteIfExists(socket);
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot sweep {}: {}", dir, e.toString());
      }
    }
  }

  static String sha256(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean fits(Path socket) {
    return socket.toString().getBytes(StandardCharsets.UTF_8).length <= SUN_PATH_MAX;
  }
}
