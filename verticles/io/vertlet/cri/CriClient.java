package io.vertlet.cri;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertlet.cri.v1.*;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's only way to the container runtime: CRI {@code runtime.v1} over gRPC on a unix socket,
 * shaped like the kubelet's remote runtime and image services.
 *
 * <ul>
 *   <li>Every call carries a deadline of {@code runtimeRequestTimeout} (kubelet default 2 minutes);
 *       StopContainer and ExecSync add their own timeout to it, PullImage has none (as upstream).</li>
 *   <li>Every call is counted in {@code kubelet_runtime_operations_total},
 *       {@code kubelet_runtime_operations_errors_total} and
 *       {@code kubelet_runtime_operations_duration_seconds} by upstream's {@code operation_type}.</li>
 *   <li>Connections come from a pool: when the runtime restarts, the dead connection is dropped and
 *       the next call dials again. Read-only calls that fail because the connection broke are retried
 *       once on a fresh connection.</li>
 *   <li>Failures are {@link CriException}s; a missing socket reads
 *       {@code container runtime endpoint unix:///x.sock: no such socket}.</li>
 * </ul>
 *
 * Safe to use from any thread; results complete on a Vert.x context. Needs only a {@link Vertx}.
 */
public final class CriClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CriClient.class);

  /** The kubelet's default {@code runtimeRequestTimeout}. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(2);

  /** The CRI API version the client asks for in Version. */
  public static final String API_VERSION = "v1";

  private final Vertx vertx;
  private final CriEndpoint endpoint;
  private final Duration requestTimeout;
  private final GrpcClient grpc;
  private final SocketAddress address;
  private final RuntimeOperationMetrics metrics;

  private CriClient(Vertx vertx, CriEndpoint endpoint, Duration requestTimeout, MeterRegistry registry) {
    this.vertx = vertx;
    this.endpoint = endpoint;
    this.requestTimeout = requestTimeout;
    this.address = SocketAddress.domainSocketAddress(endpoint.socket().toString());
    this.metrics = new RuntimeOperationMetrics(registry);
    this.grpc = GrpcClient.client(vertx,
        new GrpcClientOptions().setScheduleDeadlineAutomatically(true),
        new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2)
            .setHttp2ClearTextUpgrade(false)
            .setDefaultHost("localhost")
            .setConnectTimeout(5_000));
  }

  /**
   * A client for {@code endpoint} ({@code unix:///path} or {@code /path}); nothing is dialled until
   * the first call. {@code requestTimeout} is the kubelet's {@code runtimeRequestTimeout}.
   */
  public static CriClient create(Vertx vertx, String endpoint, Duration requestTimeout, MeterRegistry registry) {
    return new CriClient(vertx, CriEndpoint.parse(endpoint), requestTimeout, registry);
  }

  public CriEndpoint endpoint() {
    return endpoint;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  @Override
  public void close() {
    grpc.close();
  }

  // ------------------------------------------------------------------------------ RuntimeService

  public Future<VersionResponse> version() {
    return read("version", RuntimeServiceGrpcClient.Version,
        VersionRequest.newBuilder().setVersion(API_VERSION).build());
  }

  public Future<StatusResponse> status(boolean verbose) {
    return read("status", RuntimeServiceGrpcClient.Status, StatusRequest.newBuilder().setVerbose(verbose).build());
  }

  /** Tells the runtime the pod CIDR; {@code false} when the runtime does not implement it (containerd 1.6). */
  public Future<Boolean> updateRuntimeConfig(String podCidr) {
    UpdateRuntimeConfigRequest req = UpdateRuntimeConfigRequest.newBuilder()
        .setRuntimeConfig(RuntimeConfig.newBuilder().setNetworkConfig(NetworkConfig.newBuilder().setPodCidr(podCidr)))
        .build();
    return tolerateUnimplemented(write("update_runtime_config", RuntimeServiceGrpcClient.UpdateRuntimeConfig, req));
  }

  /** Creates and starts a sandbox; the result is its ID. */
  public Future<String> runPodSandbox(PodSandboxConfig config, String runtimeHandler) {
    RunPodSandboxRequest req = RunPodSandboxRequest.newBuilder().setConfig(config)
        .setRuntimeHandler(runtimeHandler == null ? "" : runtimeHandler).build();
    return write("run_podsandbox", RuntimeServiceGrpcClient.RunPodSandbox, req)
        .map(RunPodSandboxResponse::getPodSandboxId);
  }

  public Future<Void> stopPodSandbox(String podSandboxId) {
    return write("stop_podsandbox", RuntimeServiceGrpcClient.StopPodSandbox,
        StopPodSandboxRequest.newBuilder().setPodSandboxId(podSandboxId).build()).mapEmpty();
  }

  public Future<Void> removePodSandbox(String podSandboxId) {
    return write("remove_podsandbox", RuntimeServiceGrpcClient.RemovePodSandbox,
        RemovePodSandboxRequest.newBuilder().setPodSandboxId(podSandboxId).build()).mapEmpty();
  }

  public Future<PodSandboxStatusResponse> podSandboxStatus(String podSandboxId, boolean verbose) {
    return read("podsandbox_status", RuntimeServiceGrpcClient.PodSandboxStatus,
        PodSandboxStatusRequest.newBuilder().setPodSandboxId(podSandboxId).setVerbose(verbose).build());
  }

  /** Sandboxes matching {@code filter} (null: all). */
  public Future<List<PodSandbox>> listPodSandbox(PodSandboxFilter filter) {
    ListPodSandboxRequest.Builder req = ListPodSandboxRequest.newBuilder();
    if (filter != null) {
      req.setFilter(filter);
    }
    return read("list_podsandbox", RuntimeServiceGrpcClient.ListPodSandbox, req.build())
        .map(ListPodSandboxResponse::getItemsList);
  }

  /** Creates a container in a sandbox; the result is its ID. */
  public Future<String> createContainer(String podSandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig) {
    CreateContainerRequest.Builder req = CreateContainerRequest.newBuilder().setPodSandboxId(podSandboxId)
        .setConfig(config);
    if (sandboxConfig != null) {
      req.setSandboxConfig(sandboxConfig);
    }
    return write("create_container", RuntimeServiceGrpcClient.CreateContainer, req.build())
        .map(CreateContainerResponse::getContainerId);
  }

  public Future<Void> startContainer(String containerId) {
    return write("start_container", RuntimeServiceGrpcClient.StartContainer,
        StartContainerRequest.newBuilder().setContainerId(containerId).build()).mapEmpty();
  }

  /**
   * Stops a container: the stop signal, then SIGKILL after {@code timeoutSeconds} (0 kills at once).
   * The call's deadline is runtimeRequestTimeout plus that grace period, as upstream.
   */
  public Future<Void> stopContainer(String containerId, long timeoutSeconds) {
    StopContainerRequest req = StopContainerRequest.newBuilder().setContainerId(containerId)
        .setTimeout(timeoutSeconds).build();
    return call("stop_container", RuntimeServiceGrpcClient.StopContainer, req,
        requestTimeout.plusSeconds(Math.max(0, timeoutSeconds)), false).mapEmpty();
  }

  public Future<Void> removeContainer(String containerId) {
    return write("remove_container", RuntimeServiceGrpcClient.RemoveContainer,
        RemoveContainerRequest.newBuilder().setContainerId(containerId).build()).mapEmpty();
  }

  /** Containers matching {@code filter} (null: all). */
  public Future<List<Container>> listContainers(ContainerFilter filter) {
    ListContainersRequest.Builder req = ListContainersRequest.newBuilder();
    if (filter != null) {
      req.setFilter(filter);
    }
    return read("list_containers", RuntimeServiceGrpcClient.ListContainers, req.build())
        .map(ListContainersResponse::getContainersList);
  }

  public Future<ContainerStatusResponse> containerStatus(String containerId, boolean verbose) {
    return read("container_status", RuntimeServiceGrpcClient.ContainerStatus,
        ContainerStatusRequest.newBuilder().setContainerId(containerId).setVerbose(verbose).build());
  }

  public Future<Void> updateContainerResources(String containerId, LinuxContainerResources resources) {
    return write("update_container", RuntimeServiceGrpcClient.UpdateContainerResources,
        UpdateContainerResourcesRequest.newBuilder().setContainerId(containerId).setLinux(resources).build())
        .mapEmpty();
  }

  /** Asks the runtime to reopen a container's log after rotation; {@code false} if unimplemented. */
  public Future<Boolean> reopenContainerLog(String containerId) {
    return tolerateUnimplemented(write("reopen_container_log", RuntimeServiceGrpcClient.ReopenContainerLog,
        ReopenContainerLogRequest.newBuilder().setContainerId(containerId).build()));
  }

  /**
   * Runs {@code cmd} in a container and waits for it. {@code timeout} (zero: none) is the command's
   * own limit; the call's deadline is that plus runtimeRequestTimeout, or none with no timeout, as upstream.
   */
  public Future<ExecSyncResponse> execSync(String containerId, List<String> cmd, Duration timeout) {
    ExecSyncRequest req = ExecSyncRequest.newBuilder().setContainerId(containerId).addAllCmd(cmd)
        .setTimeout(timeout.toSeconds()).build();
    Duration deadline = timeout.isZero() ? Duration.ZERO : requestTimeout.plus(timeout);
    return call("exec_sync", RuntimeServiceGrpcClient.ExecSync, req, deadline, false);
  }

  public Future<ContainerStats> containerStats(String containerId) {
    return read("container_stats", RuntimeServiceGrpcClient.ContainerStats,
        ContainerStatsRequest.newBuilder().setContainerId(containerId).build())
        .map(ContainerStatsResponse::getStats);
  }

  /** Stats of containers matching {@code filter} (null: all). */
  public Future<List<ContainerStats>> listContainerStats(ContainerStatsFilter filter) {
    ListContainerStatsRequest.Builder req = ListContainerStatsRequest.newBuilder();
    if (filter != null) {
      req.setFilter(filter);
    }
    return read("list_container_stats", RuntimeServiceGrpcClient.ListContainerStats, req.build())
        .map(ListContainerStatsResponse::getStatsList);
  }

  // ------------------------------------------------------------------------------ ImageService

  /** Images matching {@code filter} (null: all). */
  public Future<List<Image>> listImages(ImageFilter filter) {
    ListImagesRequest.Builder req = ListImagesRequest.newBuilder();
    if (filter != null) {
      req.setFilter(filter);
    }
    return read("list_images", ImageServiceGrpcClient.ListImages, req.build()).map(ListImagesResponse::getImagesList);
  }

  /** The image's status; {@code hasImage()} is false on the response when it is not present. */
  public Future<ImageStatusResponse> imageStatus(ImageSpec image, boolean verbose) {
    return read("image_status", ImageServiceGrpcClient.ImageStatus,
        ImageStatusRequest.newBuilder().setImage(image).setVerbose(verbose).build());
  }

  /** Pulls an image; the result is its reference. No deadline, as upstream (pulls may be long). */
  public Future<String> pullImage(ImageSpec image, AuthConfig auth, PodSandboxConfig sandboxConfig) {
    PullImageRequest.Builder req = PullImageRequest.newBuilder().setImage(image);
    if (auth != null) {
      req.setAuth(auth);
    }
    if (sandboxConfig != null) {
      req.setSandboxConfig(sandboxConfig);
    }
    return call("pull_image", ImageServiceGrpcClient.PullImage, req.build(), Duration.ZERO, false)
        .map(PullImageResponse::getImageRef);
  }

  public Future<Void> removeImage(ImageSpec image) {
    return write("remove_image", ImageServiceGrpcClient.RemoveImage,
        RemoveImageRequest.newBuilder().setImage(image).build()).mapEmpty();
  }

  public Future<ImageFsInfoResponse> imageFsInfo() {
    return read("image_fs_info", ImageServiceGrpcClient.ImageFsInfo, ImageFsInfoRequest.getDefaultInstance());
  }

  /** Shorthand for an image reference as an {@link ImageSpec}. */
  public static ImageSpec image(String ref) {
    return ImageSpec.newBuilder().setImage(ref).build();
  }

  // ------------------------------------------------------------------------------ plumbing

  private <Req, Resp> Future<Resp> read(String op, ServiceMethod<Resp, Req> method, Req req) {
    return call(op, method, req, requestTimeout, true);
  }

  private <Req, Resp> Future<Resp> write(String op, ServiceMethod<Resp, Req> method, Req req) {
    return call(op, method, req, requestTimeout, false);
  }

  private static Future<Boolean> tolerateUnimplemented(Future<?> call) {
    return call.map(r -> true).recover(err -> err instanceof CriException c && c.isUnimplemented()
        ? Future.succeededFuture(false) : Future.failedFuture(err));
  }

  /**
   * One instrumented call. {@code deadline} zero means none. {@code idempotent} calls that fail
   * before any answer because the connection broke are retried once on a new connection.
   */
  private <Req, Resp> Future<Resp> call(String op, ServiceMethod<Resp, Req> method, Req req, Duration deadline,
      boolean idempotent) {
    long start = System.nanoTime();
    Future<Resp> attempt = invoke(op, method, req, deadline);
    if (idempotent) {
      attempt = attempt.recover(err -> {
        if (err instanceof CriException c && c.isUnavailable() && endpoint.socketExists()) {
          LOG.debug("CRI {}: connection to {} lost, retrying once", op, endpoint);
          return invoke(op, method, req, deadline);
        }
        return Future.failedFuture(err);
      });
    }
    return attempt.andThen(ar -> metrics.record(op, start, ar.failed()));
  }

  private <Req, Resp> Future<Resp> invoke(String op, ServiceMethod<Resp, Req> method, Req req, Duration deadline) {
    long start = System.nanoTime();
    Promise<Resp> result = Promise.promise();
    AtomicReference<GrpcClientRequest<Req, Resp>> inFlight = new AtomicReference<>();
    long timer = -1;
    if (!deadline.isZero()) {
      // Our own timer, not only the gRPC one: a runtime that accepts the connection but never
      // completes the HTTP/2 handshake would otherwise hold the call forever.
      timer = vertx.setTimer(Math.max(1, deadline.toMillis()), t -> {
        GrpcClientRequest<Req, Resp> r = inFlight.get();
        if (r != null) {
          r.cancel();
        }
        result.tryFail(new CriException(op, GrpcStatus.DEADLINE_EXCEEDED, "CRI " + op + " on " + endpoint
            + ": no answer within " + deadline.toMillis() + " ms (runtimeRequestTimeout)"));
      });
    }
    long timerId = timer;
    grpc.request(address, method)
        .compose(request -> {
          inFlight.set(request);
          if (!deadline.isZero()) {
            request.timeout(deadline.toMillis(), TimeUnit.MILLISECONDS);
          }
          return request.send(req).compose(response -> response.last()
              .recover(err -> Future.failedFuture(fromStatus(op, response, err))));
        })
        .onComplete(ar -> {
          if (timerId >= 0) {
            vertx.cancelTimer(timerId);
          }
          if (ar.succeeded()) {
            result.tryComplete(ar.result());
          } else {
            result.tryFail(translate(op, ar.cause(), deadline, start));
          }
        });
    return result.future();
  }

  private <Req, Resp> Throwable fromStatus(String op, GrpcClientResponse<Req, Resp> response, Throwable err) {
    GrpcStatus status = response.status();
    if (status == null || status == GrpcStatus.OK) {
      return err;
    }
    String message = response.statusMessage();
    return new CriException(op, status, "CRI " + op + " on " + endpoint + ": " + status
        + (message == null || message.isEmpty() ? "" : ": " + message));
  }

  /** Turns transport failures into one clear {@link CriException} naming the endpoint. */
  private Throwable translate(String op, Throwable err, Duration deadline, long startNanos) {
    if (err instanceof CriException c && c.status() != GrpcStatus.CANCELLED
        && c.status() != GrpcStatus.DEADLINE_EXCEEDED) {
      return err;
    }
    long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
    if (!deadline.isZero() && elapsedMillis >= deadline.toMillis() - 5) {
      return new CriException(op, GrpcStatus.DEADLINE_EXCEEDED, "CRI " + op + " on " + endpoint
          + ": no answer within " + deadline.toMillis() + " ms (runtimeRequestTimeout)", err);
    }
    if (!endpoint.socketExists()) {
      return new CriException(op, GrpcStatus.UNAVAILABLE, "container runtime endpoint " + endpoint
          + ": no such socket", err);
    }
    if (err instanceof ConnectException || err instanceof FileNotFoundException
        || String.valueOf(err.getMessage()).contains("Connection refused")) {
      return new CriException(op, GrpcStatus.UNAVAILABLE, "container runtime endpoint " + endpoint
          + ": connection refused (is the runtime running?)", err);
    }
    return new CriException(op, GrpcStatus.UNAVAILABLE, "container runtime endpoint " + endpoint
        + ": " + op + " failed: " + err, err);
  }
}
