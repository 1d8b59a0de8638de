package io.vertlet.events;

/** Decisions the pod workers take about a pod; the runtime's own observations are RuntimeFacts. */
public sealed interface PodFact extends Fact {

  /** Admission refused the pod (for example {@code OutOfpods}, a host port conflict). */
  record PodRejected(PodRef pod, String reason, String message) implements PodFact {}

  /** The pod's sandbox exists in the runtime. */
  record SandboxCreated(PodRef pod, String sandboxId, String podIp, int attempt) implements PodFact {}

  /** RunPodSandbox failed; the worker retries after {@code retryInMillis}. */
  record SandboxCreationFailed(PodRef pod, String message, long retryInMillis) implements PodFact {}

  /** A container was created in the runtime for the given restart attempt. */
  record ContainerCreated(PodRef pod, String container, String containerId, String image, int attempt)
      implements PodFact {}

  /** A container could not be created or started ({@code reason}: ErrImagePull, CreateContainerError…). */
  record ContainerFailedToStart(PodRef pod, String container, String reason, String message)
      implements PodFact {}

  /** The worker will restart a container after {@code delayMillis} (CrashLoopBackOff when > 0). */
  record RestartScheduled(PodRef pod, String container, long delayMillis, int restartCount, String reason)
      implements PodFact {}

  /** The worker asked the runtime to stop a container, and why. */
  record ContainerKillRequested(PodRef pod, String container, String containerId, long gracePeriodSeconds,
      String reason) implements PodFact {}

  /**
   * The pod's sandbox {@code sandboxId} stopped being ready ({@code sandboxState}: {@code NOTREADY} as PLEG saw
   * it, or {@link #NOT_FOUND} when the runtime no longer has it at all): the worker kills the pod's containers
   * and stops that sandbox (if it still exists); when {@code recreate}, it then creates a new sandbox (attempt + 1)
   * and starts the containers again, as upstream's computePodActions (reason {@code SandboxChanged}, upstream's
   * event). Not recreated: restartPolicy Never once containers ran, or nothing left to start under OnFailure.
   */
  record SandboxLost(PodRef pod, String sandboxId, String sandboxState, boolean recreate, String reason,
      String message) implements PodFact {

    /** The sandbox state of a sandbox removed from the runtime under the pod (no CRI state describes it). */
    public static final String NOT_FOUND = "NOT_FOUND";
  }

  /** All of a pod's containers and its sandbox are gone from the runtime. */
  record PodCleanedUp(PodRef pod) implements PodFact {}
}
