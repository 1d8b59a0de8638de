package io.vertlet.runtime;

import io.vertlet.cli.VersionCommand;
import io.vertlet.cri.CriEndpoint;
import io.vertlet.cri.v1.ImageServiceGrpcService;
import io.vertlet.cri.v1.RuntimeCondition;
import io.vertlet.cri.v1.RuntimeServiceGrpcService;
import io.vertlet.cri.v1.RuntimeStatus;
import io.vertlet.cri.v1.StatusRequest;
import io.vertlet.cri.v1.StatusResponse;
import io.vertlet.cri.v1.VersionRequest;
import io.vertlet.cri.v1.VersionResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.server.GrpcServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vertlet's own container runtime: a CRI {@code runtime.v1} gRPC server on a unix socket whose
 * containers are host processes (see docs/runtime.md). The agent starts one under its root dir
 * when no {@code --container-runtime-endpoint} is given; {@code vertlet runtime serve} runs one alone.
 *
 * <p>Stopping the runtime leaves containers running: the node-wide shim that started them
 * ({@link NodeShim}) keeps logging and records their exit statuses, and the next start on the same
 * state dir adopts them.
 */
public final class EmbeddedRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRuntime.class);

  /** The runtime name reported by Version. */
  public static final String RUNTIME_NAME = "vertlet-embedded";

  /**
   * The conventional socket under the agent's root dir; for a root dir too deep for a unix socket, one
   * in a shared dir named by a digest of the root dir ({@link SocketPaths}).
   */
  public static Path defaultSocket(Path rootDir) {
    return SocketPaths.fitting(rootDir.resolve("runtime").resolve("vertlet-cri.sock"), rootDir, "cri.sock");
  }

  /** The conventional state dir under the agent's root dir. */
  public static Path defaultStateDir(Path rootDir) {
    return rootDir.resolve("runtime").resolve("state");
  }

  private final Path socket;
  private final Path stateDir;
  private Path cgroupRoot = Path.of("/sys/fs/cgroup");
  private Blocking blocking;
  private HttpServer server;
  private ContainerEngine engine;
  private NodeShim shim;
  private byte[] shimScript;

  public EmbeddedRuntime(Path socket, Path stateDir) {
    this.socket = socket.toAbsolutePath();
    this.stateDir = stateDir.toAbsolutePath();
  }

  /** Where cgroup v1 controllers are mounted; a path without them turns enforcement off (tests). */
  public EmbeddedRuntime cgroupRoot(Path root) {
    this.cgroupRoot = root;
    return this;
  }

  /** Installs {@code script} as the shim instead of the built-in one (tests: another vertlet version). */
  EmbeddedRuntime shimScript(byte[] script) {
    this.shimScript = script.clone();
    return this;
  }

  public Path socket() {
    return socket;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** The endpoint a {@link io.vertlet.cri.CriClient} dials: {@code unix:///...sock}. */
  public String endpoint() {
    return CriEndpoint.of(socket).text();
  }

  /** Loads the state dir (adopting running containers) and listens on the socket. */
  public synchronized Future<Void> start(Vertx vertx) {
    if (server != null) {
      return Future.failedFuture(new IllegalStateException("embedded runtime already started on " + socket));
    }
    blocking = new Blocking();
    return blocking.call(() -> {
      prepare();
      return null;
    }).compose(v -> {
      GrpcServer grpc = GrpcServer.server(vertx);
      grpc.addService(RuntimeServiceGrpcService.of(new EmbeddedRuntimeService(engine, new Owner(), blocking)));
      grpc.addService(ImageServiceGrpcService.of(new EmbeddedImageService(imagesOf(), blocking)));
      HttpServer http = vertx.createHttpServer(new HttpServerOptions()).requestHandler(grpc);
      return http.listen(SocketAddress.domainSocketAddress(socket.toString())).map(s -> {
        synchronized (this) {
          server = s;
        }
        LOG.info("embedded runtime listening on {} (state {})", endpoint(), stateDir);
        return (Void) null;
      });
    }).onFailure(err -> {
      blocking.close();
    }).recover(err -> Future.failedFuture(new IllegalStateException("embedded runtime on " + socket + ": "
        + err.getMessage(), err)));
  }

  /** Stops answering and removes the socket; containers keep running (see class comment). */
  public synchronized Future<Void> stop() {
    HttpServer s = server;
    server = null;
    if (s == null) {
      return Future.succeededFuture();
    }
    // Calls in flight get one second to finish; clients reconnect to the next runtime on this socket.
    return s.shutdown(1, TimeUnit.SECONDS).andThen(ar -> {
      blocking.close();
      try {
        Files.deleteIfExists(socket);
      } catch (IOException e) {
        LOG.warn("embedded runtime: cannot remove socket {}: {}", socket, e.getMessage());
      }
    }).transform(ar -> closeShim().transform(v -> ar.succeeded() ? Future.<Void>succeededFuture()
        : Future.<Void>failedFuture(ar.cause())));
  }

  /**
   * Disconnects from the shim off the event loop (it waits for a call or a start-up connect in
   * flight). The shim keeps serving its containers; without them and without us it exits.
   */
  private Future<Void> closeShim() {
    Promise<Void> closed = Promise.promise();
    Thread.ofVirtual().name("vertlet-shim-close").start(() -> {
      shim.close();
      closed.complete();
    });
    return closed.future();
  }

  private ImageStore images;

  private ImageStore imagesOf() {
    return images;
  }

  private void prepare() {
    RuntimeStore store = new RuntimeStore(stateDir);
    store.init();
    try {
      Files.createDirectories(socket.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
    shim = shimScript == null ? NodeShim.install(stateDir) : NodeShim.install(stateDir, shimScript);
    images = new ImageStore(store);
    engine = new ContainerEngine(store, images, shim, Cgroups.detect(cgroupRoot));
    engine.recover();
    clearStaleSocket();
    // Reach (or start) the shim off the start-up path; the first StartContainer waits for it if needed.
    Thread.ofVirtual().name("vertlet-shim-connect").start(() -> {
      try {
        shim.connect();
      } catch (IOException | RuntimeException e) {
        LOG.warn("embedded runtime: {}", e.getMessage());
      }
    });
  }

  /** A socket file nobody answers on is a leftover of a crash; one that answers belongs to someone else. */
  private void clearStaleSocket() {
    if (!Files.exists(socket)) {
      return;
    }
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      throw new IllegalStateException("socket " + socket + " is in use by another process");
    } catch (IOException refused) {
      try {
        Files.deleteIfExists(socket);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove stale socket " + socket + ": " + e.getMessage(), e);
      }
    }
  }

  private final class Owner implements EmbeddedRuntimeService.Owner {
    @Override
    public VersionResponse version(VersionRequest req) {
      return VersionResponse.newBuilder().setVersion("0.1.0").setRuntimeName(RUNTIME_NAME)
          .setRuntimeVersion(VersionCommand.VERSION).setRuntimeApiVersion("v1").build();
    }

    @Override
    public StatusResponse status(StatusRequest req) {
      StatusResponse.Builder out = StatusResponse.newBuilder().setStatus(RuntimeStatus.newBuilder()
          .addConditions(RuntimeCondition.newBuilder().setType("RuntimeReady").setStatus(true))
          .addConditions(RuntimeCondition.newBuilder().setType("NetworkReady").setStatus(true)
              .setReason("HostNetworkOnly").setMessage("containers share the host network")));
      if (req.getVerbose()) {
        out.putInfo("config", "{\"stateDir\":\"" + stateDir + "\",\"containers\":" + engine.containerCount()
            + ",\"enforcesLimits\":" + engine.enforcesLimits() + "}");
      }
      return out.build();
    }
  }
}
