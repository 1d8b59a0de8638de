package io.vertlet.runtime;

import io.vertlet.cri.v1.*;
import io.vertx.core.Future;

/** The CRI RuntimeService of the embedded runtime: each call runs on a virtual thread against the engine. */
final class EmbeddedRuntimeService extends RuntimeServiceService {

  /** Answers the two calls that describe the runtime itself. */
  interface Owner {
    VersionResponse version(VersionRequest req);

    StatusResponse status(StatusRequest req);
  }

  private final ContainerEngine engine;
  private final Owner engineOwner;
  private final Blocking blocking;

  EmbeddedRuntimeService(ContainerEngine engine, Owner owner, Blocking blocking) {
    this.engine = engine;
    this.engineOwner = owner;
    this.blocking = blocking;
  }

  private static <T> T run(Runnable action, T answer) {
    action.run();
    return answer;
  }

  @Override
  public Future<VersionResponse> version(VersionRequest req) {
    return Future.succeededFuture(engineOwner.version(req)); // nothing blocking: answer on the event loop
  }

  @Override
  public Future<RunPodSandboxResponse> runPodSandbox(RunPodSandboxRequest req) {
    return blocking.call(() -> RunPodSandboxResponse.newBuilder().setPodSandboxId(engine.runPodSandbox(req)).build());
  }

  @Override
  public Future<StopPodSandboxResponse> stopPodSandbox(StopPodSandboxRequest req) {
    return blocking.call(() -> run(() -> engine.stopPodSandbox(req.getPodSandboxId()), StopPodSandboxResponse.getDefaultInstance()));
  }

  @Override
  public Future<RemovePodSandboxResponse> removePodSandbox(RemovePodSandboxRequest req) {
    return blocking.call(() -> run(() -> engine.removePodSandbox(req.getPodSandboxId()), RemovePodSandboxResponse.getDefaultInstance()));
  }

  @Override
  public Future<PodSandboxStatusResponse> podSandboxStatus(PodSandboxStatusRequest req) {
    return blocking.call(() -> engine.podSandboxStatus(req.getPodSandboxId()));
  }

  @Override
  public Future<ListPodSandboxResponse> listPodSandbox(ListPodSandboxRequest req) {
    return blocking.call(() -> ListPodSandboxResponse.newBuilder().addAllItems(engine.listPodSandbox(req.hasFilter() ? req.getFilter() : null)).build());
  }

  @Override
  public Future<CreateContainerResponse> createContainer(CreateContainerRequest req) {
    return blocking.call(() -> CreateContainerResponse.newBuilder().setContainerId(engine.createContainer(req)).build());
  }

  @Override
  public Future<StartContainerResponse> startContainer(StartContainerRequest req) {
    return blocking.call(() -> run(() -> engine.startContainer(req.getContainerId()), StartContainerResponse.getDefaultInstance()));
  }

  @Override
  public Future<StopContainerResponse> stopContainer(StopContainerRequest req) {
    return blocking.call(() -> run(() -> engine.stopContainer(req.getContainerId(), req.getTimeout()), StopContainerResponse.getDefaultInstance()));
  }

  @Override
  public Future<RemoveContainerResponse> removeContainer(RemoveContainerRequest req) {
    return blocking.call(() -> run(() -> engine.removeContainer(req.getContainerId()), RemoveContainerResponse.getDefaultInstance()));
  }

  @Override
  public Future<ListContainersResponse> listContainers(ListContainersRequest req) {
    return blocking.call(() -> ListContainersResponse.newBuilder().addAllContainers(engine.listContainers(req.hasFilter() ? req.getFilter() : null)).build());
  }

  @Override
  public Future<ContainerStatusResponse> containerStatus(ContainerStatusRequest req) {
    return blocking.call(() -> engine.containerStatus(req.getContainerId(), req.getVerbose()));
  }

  @Override
  public Future<UpdateContainerResourcesResponse> updateContainerResources(UpdateContainerResourcesRequest req) {
    return blocking.call(() -> run(() -> engine.updateContainerResources(req.getContainerId(), req.getLinux()), UpdateContainerResourcesResponse.getDefaultInstance()));
  }

  @Override
  public Future<ReopenContainerLogResponse> reopenContainerLog(ReopenContainerLogRequest req) {
    return blocking.call(() -> run(() -> engine.reopenContainerLog(req.getContainerId()), ReopenContainerLogResponse.getDefaultInstance()));
  }

  @Override
  public Future<ExecSyncResponse> execSync(ExecSyncRequest req) {
    return blocking.call(() -> engine.execSync(req));
  }

  @Override
  public Future<ContainerStatsResponse> containerStats(ContainerStatsRequest req) {
    return blocking.call(() -> ContainerStatsResponse.newBuilder().setStats(engine.containerStats(req.getContainerId())).build());
  }

  @Override
  public Future<ListContainerStatsResponse> listContainerStats(ListContainerStatsRequest req) {
    return blocking.call(() -> ListContainerStatsResponse.newBuilder().addAllStats(engine.listContainerStats(req.hasFilter() ? req.getFilter() : null)).build());
  }

  @Override
  public Future<UpdateRuntimeConfigResponse> updateRuntimeConfig(UpdateRuntimeConfigRequest req) {
    return blocking.call(() -> UpdateRuntimeConfigResponse.getDefaultInstance());
  }

  @Override
  public Future<StatusResponse> status(StatusRequest req) {
    return blocking.call(() -> engineOwner.status(req));
  }
}
