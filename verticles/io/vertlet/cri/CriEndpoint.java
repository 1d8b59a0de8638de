package io.vertlet.cri;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a CRI runtime listens: a unix socket, written as the kubelet's
 * {@code --container-runtime-endpoint} ({@code unix:///run/containerd/containerd.sock}) or as a bare path.
 *
 * @param text the endpoint as the user wrote it, quoted back in every error
 * @param socket the socket file
 */
public record CriEndpoint(String text, Path socket) {

  /** Parses an endpoint; anything but a unix socket is a usage error naming the endpoint. */
  public static CriEndpoint parse(String endpoint) {
    if (endpoint == null || endpoint.isBlank()) {
      throw new IllegalArgumentException("container runtime endpoint is empty");
    }
    String e = endpoint.strip();
    String path;
    if (e.startsWith("unix://")) {
      path = e.substring("unix://".length());
    } else if (e.startsWith("unix:")) {
      path = e.substring("unix:".length());
    } else if (e.contains("://")) {
      throw new IllegalArgumentException("container runtime endpoint " + e
          + ": only unix sockets are supported (unix:///path/to.sock or /path/to.sock)");
    } else {
      path = e;
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("container runtime endpoint " + e + ": socket path must be absolute");
    }
    return new CriEndpoint(e.contains(":") ? e : "unix://" + path, Path.of(path));
  }

  /** The endpoint for a socket path, in the canonical {@code unix://} form. */
  public static CriEndpoint of(Path socket) {
    return new CriEndpoint("unix://" + socket.toAbsolutePath(), socket.toAbsolutePath());
  }

  boolean socketExists() {
    return Files.exists(socket);
  }

  @Override
  public String toString() {
    return text;
  }
}
