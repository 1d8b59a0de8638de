package io.vertlet.pleg;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.cri.CriClient;
import io.vertlet.cri.CriException;
import io.vertlet.cri.v1.ContainerState;
import io.vertlet.cri.v1.ContainerStatus;
import io.vertlet.cri.v1.PodSandboxState;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.PodFact;
import io.vertlet.events.RuntimeFact;
import io.vertlet.pleg.RelistDiff.Change;
import io.vertlet.pleg.RelistDiff.ContainerGone;
import io.vertlet.pleg.RelistDiff.ContainerTransition;
import io.vertlet.pleg.RelistDiff.Quiet;
import io.vertlet.pleg.RelistDiff.SandboxTransition;
import io.vertlet.pleg.RuntimeView.ContainerEntry;
import io.vertlet.pleg.RuntimeView.SandboxEntry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pod lifecycle event generator: relists the runtime every {@code period} (ListPodSandbox and
 * ListContainers, never two relists at once), compares with what it reported before and appends
 * the differences to the journal as {@link RuntimeFact}s, one at a time and in order, each only
 * after the previous one is committed. A change whose fact could not be journaled stays unreported
 * and is found again by the next relist, so nothing is lost and nothing is reported twice.
 *
 * <p>Facts: {@code SandboxChanged} (READY, NOTREADY, REMOVED), {@code ContainerStarted},
 * {@code ContainerExited} (exit code, reason and times from ContainerStatus), {@code ContainerRemoved},
 * and {@code RuntimeReachabilityChanged} when the runtime stops or starts answering (it is assumed
 * reachable at start, so a healthy start journals nothing). A container that vanishes while running
 * is reported exited with 137 / {@code ContainerStatusUnknown}, as the kubelet reports a container it
 * can no longer find, then removed.
 *
 * <p>The seeds say what was already known before this PLEG started (from the journal): a seeded
 * container or sandbox in the same state is not reported again.
 *
 * <p>Answers {@link Addresses#PLEG_HEALTH} with a {@link PlegHealth}. Metrics:
 * {@code kubelet_pleg_relist_duration_seconds}, {@code kubelet_pleg_relist_interval_seconds}
 * (histograms) and {@code kubelet_pleg_last_seen_seconds} (unix time of the last completed relist).
 */
public final class PlegVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PlegVerticle.class);

  /** Exit code and reason for a running container that disappeared without a status, as upstream. */
  static final int LOST_EXIT_CODE = 137;
  static final String LOST_REASON = "ContainerStatusUnknown";

  /** Upstream's PLEG histograms use Prometheus' default buckets, 5 ms to 10 s. */
  private static final Duration[] BUCKETS = java.util.stream.DoubleStream
      .of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);

  private final CriClient client;
  private final Duration period;
  private final Duration healthThreshold;
  private final Clock clock;
  private final Timer relistDuration;
  private final Timer relistInterval;

  // Confined to this verticle's event loop: what has been journaled so far.
  private final Map<String, ContainerEntry> reportedContainers = new HashMap<>();
  private final Map<String, SandboxEntry> reportedSandboxes = new HashMap<>();
  private boolean reachable = true;
  private String lastFailure;
  private String lastJournalFailure;
  private volatile Instant lastRelist;
  private volatile Instant startedAt;
  private long lastStartNanos;
  private long timerId = -1;
  private boolean stopped;

  public PlegVerticle(CriClient client, Duration period, MeterRegistry registry) {
    this(client, period, registry, Map.of(), Map.of());
  }

  /**
   * @param containerSeed state of containers already reported before this start (by container ID)
   * @param sandboxSeed state of sandboxes already reported before this start (by sandbox ID)
   */
  public PlegVerticle(CriClient client, Duration period, MeterRegistry registry,
      Map<String, ContainerState> containerSeed, Map<String, PodSandboxState> sandboxSeed) {
    this(client, period, registry, containerSeed, sandboxSeed, PlegHealth.DEFAULT_THRESHOLD, Clock.systemUTC());
  }

  PlegVerticle(CriClient client, Duration period, MeterRegistry registry, Map<String, ContainerState> containerSeed,
      Map<String, PodSandboxState> sandboxSeed, Duration healthThreshold, Clock clock) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("PLEG relist period must be positive, was " + period);
    }
    this.client = client;
    this.period = period;
    this.healthThreshold = healthThreshold;
    this.clock = clock;
    containerSeed.forEach((id, state) -> reportedContainers.put(id, new ContainerEntry(id, "", null, null, state, 0)));
    sandboxSeed.forEach((id, state) -> reportedSandboxes.put(id, new SandboxEntry(id, null, state)));
    this.relistDuration = Timer.builder("kubelet_pleg_relist_duration")
        .description("Duration in seconds for relisting pods in PLEG.")
        .serviceLevelObjectives(BUCKETS).register(registry);
    this.relistInterval = Timer.builder("kubelet_pleg_relist_interval")
        .description("Interval in seconds between relisting in PLEG.")
        .serviceLevelObjectives(BUCKETS).register(registry);
    Gauge.builder("kubelet_pleg_last_seen", this, PlegVerticle::lastSeenSeconds)
        .description("Timestamp in seconds when PLEG was last seen active.")
        .baseUnit("seconds").register(registry);
  }

  @Override
  public Future<?> start() {
    startedAt = clock.instant();
    LocalCodec.registerAll(vertx, PlegHealth.class);
    MessageConsumer<Object> health = vertx.eventBus().consumer(Addresses.PLEG_HEALTH,
        msg -> msg.reply(health()));
    MessageConsumer<Committed> committed = vertx.eventBus().consumer(Addresses.JOURNAL_COMMITTED,
        msg -> learn(msg.body().fact()));
    return health.completion().compose(v -> committed.completion())
        .onSuccess(v -> context.runOnContext(x -> relist()));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return Future.succeededFuture();
  }

  /** Health now; safe from any thread. */
  public PlegHealth health() {
    return PlegHealth.at(clock.instant(), startedAt, lastRelist, healthThreshold);
  }

  private double lastSeenSeconds() {
    Instant last = lastRelist;
    return last == null ? 0 : last.toEpochMilli() / 1000.0;
  }

  private void relist() {
    if (stopped) {
      return;
    }
    long start = System.nanoTime();
    if (lastStartNanos != 0) {
      relistInterval.record(Duration.ofNanos(start - lastStartNanos));
    }
    lastStartNanos = start;
    Future.all(client.listPodSandbox(null), client.listContainers(null))
        .compose(lists -> {
          lastRelist = clock.instant();
          RuntimeView view = RuntimeView.of(lists.resultAt(0), lists.resultAt(1));
          return runtimeAnswered().compose(v -> report(view));
        }, this::runtimeFailed)
        .onComplete(ar -> {
          relistDuration.record(Duration.ofNanos(System.nanoTime() - start));
          if (ar.failed()) {
            String message = String.valueOf(ar.cause().getMessage());
            if (!message.equals(lastJournalFailure)) {
              LOG.warn("PLEG could not report what it saw (ContainerStatus or journal append failed); retrying at every relist: {}", message);
              lastJournalFailure = message;
            }
          } else if (lastJournalFailure != null) {
            LOG.info("PLEG reports again");
            lastJournalFailure = null;
          }
          scheduleNext(start);
        });
  }

  private void scheduleNext(long startNanos) {
    if (stopped) {
      return;
    }
    long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
    timerId = vertx.setTimer(Math.max(1, period.toMillis() - elapsedMillis), id -> relist());
  }

  private Future<Void> runtimeAnswered() {
    lastFailure = null;
    if (reachable) {
      return Future.succeededFuture();
    }
    return append(new RuntimeFact.RuntimeReachabilityChanged(client.endpoint().text(), true, ""))
        .onSuccess(v -> {
          reachable = true;
          LOG.info("container runtime {} answers again", client.endpoint());
        });
  }

  private Future<Void> runtimeFailed(Throwable err) {
    GrpcStatus status = CriException.statusOf(err);
    boolean unreachable = status == GrpcStatus.UNAVAILABLE || status == GrpcStatus.DEADLINE_EXCEEDED;
    if (!unreachable) {
      warnOnce("PLEG relist failed: " + err);
      return Future.succeededFuture();
    }
    if (!reachable) {
      return Future.succeededFuture();
    }
    lastFailure = null;
    String message = String.valueOf(err.getMessage());
    return append(new RuntimeFact.RuntimeReachabilityChanged(client.endpoint().text(), false, message))
        .onSuccess(v -> {
          reachable = false;
          LOG.warn("container runtime unreachable: {}", message);
        });
  }

  private void warnOnce(String message) {
    if (!message.equals(lastFailure)) {
      LOG.warn(message);
      lastFailure = message;
    }
  }

  /** Journals the changes one after the other; stops at the first that cannot be journaled. */
  private Future<Void> report(RuntimeView view) {
    List<Change> changes = RelistDiff.between(reportedContainers, reportedSandboxes, view);
    Future<Void> chain = Future.succeededFuture();
    for (Change change : changes) {
      chain = chain.compose(v -> apply(change));
    }
    return chain;
  }

  /**
   * What the pod workers journal about the runtime (a sandbox they created, a container they started,
   * one they stopped, a sandbox they removed) counts as reported: PLEG does not say it a second time.
   * Its own facts come back here too, which changes nothing. A sandbox is known from its creation, so one
   * removed before PLEG ever listed it is still reported REMOVED.
   */
  private void learn(Fact fact) {
    switch (fact) {
      case PodFact.SandboxCreated c -> reportedSandboxes.putIfAbsent(c.sandboxId(),
          new SandboxEntry(c.sandboxId(), c.pod(), PodSandboxState.SANDBOX_READY));
      case RuntimeFact.ContainerStarted s -> reportedContainers.merge(s.containerId(),
          new ContainerEntry(s.containerId(), "", s.pod(), s.container(), ContainerState.CONTAINER_RUNNING, 0),
          (known, started) -> withState(known, ContainerState.CONTAINER_RUNNING));
      case RuntimeFact.ContainerExited e -> reportedContainers.merge(e.containerId(),
          new ContainerEntry(e.containerId(), "", e.pod(), e.container(), ContainerState.CONTAINER_EXITED, 0),
          (known, exited) -> withState(known, ContainerState.CONTAINER_EXITED));
      case RuntimeFact.ContainerRemoved r -> reportedContainers.remove(r.containerId());
      case RuntimeFact.SandboxChanged s -> {
        switch (s.state()) {
          case "REMOVED" -> reportedSandboxes.remove(s.sandboxId());
          case "READY" -> reportedSandboxes.put(s.sandboxId(),
              new SandboxEntry(s.sandboxId(), s.pod(), PodSandboxState.SANDBOX_READY));
          default -> reportedSandboxes.put(s.sandboxId(),
              new SandboxEntry(s.sandboxId(), s.pod(), PodSandboxState.SANDBOX_NOTREADY));
        }
      }
      default -> { }
    }
  }

  private Future<Void> apply(Change change) {
    return switch (change) {
      case Quiet q -> {
        // Details only; a list taken before a learned start or exit must not move the state back.
        reportedContainers.merge(q.now().id(), q.now(), (known, seen) ->
            progress(seen.state()) >= progress(known.state()) ? seen : withState(seen, known.state()));
        yield Future.succeededFuture();
      }
      case SandboxTransition t -> {
        SandboxEntry known = t.now() != null ? t.now() : t.before();
        String state = t.now() == null ? "REMOVED"
            : t.now().state() == PodSandboxState.SANDBOX_READY ? "READY" : "NOTREADY";
        yield append(new RuntimeFact.SandboxChanged(known.pod(), t.id(), state)).onSuccess(v -> {
          if (t.now() == null) {
            reportedSandboxes.remove(t.id());
          } else {
            reportedSandboxes.put(t.id(), t.now());
          }
        });
      }
      case ContainerGone g -> containerGone(g.before());
      case ContainerTransition t -> containerTransition(t.now());
    };
  }

  private Future<Void> containerGone(ContainerEntry before) {
    Future<Void> exited = before.state() != ContainerState.CONTAINER_RUNNING ? Future.succeededFuture()
        : append(new RuntimeFact.ContainerExited(before.pod(), before.name(), before.id(), LOST_EXIT_CODE,
            LOST_REASON, null, clock.instant()))
            .onSuccess(v -> reportedContainers.put(before.id(),
                withState(before, ContainerState.CONTAINER_EXITED)));
    return exited
        .compose(v -> append(new RuntimeFact.ContainerRemoved(before.pod(), before.name(), before.id())))
        .onSuccess(v -> reportedContainers.remove(before.id()));
  }

  /** A container that now runs or has exited: its status gives the times, exit code and reason. */
  private Future<Void> containerTransition(ContainerEntry listed) {
    return client.containerStatus(listed.id(), false).compose(response -> {
      ContainerStatus status = response.getStatus();
      // The status is newer than the list: a container listed running may have exited since.
      ContainerState state = status.getState() == ContainerState.CONTAINER_EXITED
          || status.getState() == ContainerState.CONTAINER_RUNNING ? status.getState() : listed.state();
      ContainerEntry now = withState(listed, state);
      // What is reported by now, facts the pod workers journaled meanwhile included, not the list's view.
      ContainerEntry known = reportedContainers.get(listed.id());
      if (known != null && known.state() == ContainerState.CONTAINER_EXITED) {
        return Future.succeededFuture();
      }
      boolean wasRunning = known != null && known.state() == ContainerState.CONTAINER_RUNNING;
      Instant startedAt = instant(status.getStartedAt());
      Future<Void> started = wasRunning || startedAt == null ? Future.succeededFuture()
          : append(new RuntimeFact.ContainerStarted(now.pod(), now.name(), now.id(), startedAt))
              .onSuccess(v -> reportedContainers.put(now.id(), withState(now, ContainerState.CONTAINER_RUNNING)));
      if (state != ContainerState.CONTAINER_EXITED) {
        return started;
      }
      String reason = status.getReason().isEmpty() ? (status.getExitCode() == 0 ? "Completed" : "Error")
          : status.getReason();
      return started.compose(v -> append(new RuntimeFact.ContainerExited(now.pod(), now.name(), now.id(),
              status.getExitCode(), reason, startedAt, instant(status.getFinishedAt()))))
          .onSuccess(v -> reportedContainers.put(now.id(), now));
    }, err -> {
      if (err instanceof CriException c && c.isNotFound()) {
        // Removed between the list and the status call: the next relist reports it gone.
        return Future.succeededFuture();
      }
      return Future.failedFuture(err);
    });
  }

  private Future<Void> append(Fact fact) {
    return vertx.eventBus().request(Addresses.JOURNAL_APPEND, fact).mapEmpty();
  }

  /** Containers only move forward: created, running, exited. */
  private static int progress(ContainerState state) {
    return switch (state) {
      case CONTAINER_CREATED -> 1;
      case CONTAINER_RUNNING -> 2;
      case CONTAINER_EXITED -> 3;
      default -> 0;
    };
  }

  private static ContainerEntry withState(ContainerEntry e, ContainerState state) {
    return new ContainerEntry(e.id(), e.sandboxId(), e.pod(), e.name(), state, e.createdAt());
  }

  /** CRI times are unix nanoseconds; 0 means "not set". */
  private static Instant instant(long unixNanos) {
    return unixNanos == 0 ? null : Instant.ofEpochSecond(0, unixNanos);
  }
}
