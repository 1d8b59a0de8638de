package io.vertlet.pods;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.cri.CriClient;
import io.vertlet.cri.v1.ContainerState;
import io.vertlet.cri.v1.PodSandbox;
import io.vertlet.cri.v1.PodSandboxState;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.PodFact.ContainerKillRequested;
import io.vertlet.events.PodFact.PodRejected;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.PodRef;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.events.RuntimeFact.SandboxChanged;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.events.SourceFact.PodUpdated;
import io.vertlet.projection.ContainerView;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.PodStatusRenderer;
import io.vertlet.projection.PodView;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pod workers: makes the pods the journal says the node should run actually run, keeps them
 * running per their restart policy, and stops and removes them when they leave their source.
 *
 * <ul>
 *   <li>Input: every fact published on {@link Addresses#JOURNAL_COMMITTED}, folded into its own
 *       {@link NodeState} with the same pure {@code apply} as the projection (started from the
 *       projection's state, {@link Addresses#PROJECTION_NODE}).</li>
 *   <li>Output: facts sent to {@link Addresses#JOURNAL_APPEND} (PodRejected, SandboxCreated,
 *       ContainerCreated, ContainerStarted, ContainerFailedToStart, RestartScheduled,
 *       ContainerKillRequested, ContainerExited, ContainerRemoved, PodCleanedUp …), and CRI calls.</li>
 *   <li>One {@link PodWorker} per pod, all on this verticle's event loop: pods progress concurrently,
 *       each pod's steps strictly in order. Admission (maxPods, host ports) is decided here, in the
 *       order pods arrive.</li>
 *   <li>At start, before any worker acts, the runtime is relisted: running containers of known pods
 *       are adopted (never restarted), exits missed while the agent was down are journaled, and the
 *       sandboxes and containers of pods the journal no longer has are stopped and removed.</li>
 * </ul>
 */
public final class PodManagerVerticle extends AbstractVerticle {

  private static final Logger log = LoggerFactory.getLogger(PodManagerVerticle.class);

  private final CriClient cri;
  private final MeterRegistry registry;
  private final PodManagerOptions options;

  private volatile NodeState state = NodeState.EMPTY;
  private List<Committed> arrivedWhileLoading = new ArrayList<>();
  private boolean ready;
  private final Map<String, PodWorker> workers = new HashMap<>();
  private volatile Set<String> workingUids = Set.of();
  private final Set<String> decided = new HashSet<>();
  private final Set<String> admitted = new HashSet<>();
  private final Set<String> startRecorded = new HashSet<>();
  private final Set<String> seenNames = new HashSet<>();
  private final Set<String> orphansInProgress = new HashSet<>();
  private final TreeMap<Long, List<Promise<Void>>> seqWaiters = new TreeMap<>();
  private PodRuntime runtime;
  private PodMetrics metrics;
  private PreStopHook preStop;
  private long resyncTimer = -1;
  private boolean stopped;

  /**
   * @param cri the runtime client (shared; not closed by this verticle)
   * @param registry where the kubelet pod metrics are registered
   * @param options node name, directories, maxPods, syncFrequency, backoff
   */
  public PodManagerVerticle(CriClient cri, MeterRegistry registry, PodManagerOptions options) {
    this.cri = cri;
    this.registry = registry;
    this.options = options;
  }

  @Override
  public void start(Promise<Void> started) {
    LocalCodec.registerAll(vertx, NodeState.class);
    runtime = new PodRuntime(vertx, cri, options);
    preStop = new PreStopHook(vertx, cri);
    metrics = new PodMetrics(registry, () -> state, this::lifecycles);
    // Subscribe first, then take the projection's state: a fact committed in between is in the
    // buffer, in the state, or both (apply ignores what it already folded).
    MessageConsumer<Committed> committed = vertx.eventBus().consumer(Addresses.JOURNAL_COMMITTED,
        m -> onCommitted(m.body()));
    committed.completion()
        .compose(v -> vertx.eventBus().<NodeState>request(Addresses.PROJECTION_NODE, "pod-manager"))
        .map(Message::body)
        .onSuccess(s -> {
          state = s;
          for (Committed c : arrivedWhileLoading) {
            state = state.apply(c);
          }
          arrivedWhileLoading = null;
          for (PodView p : state.pods().values()) {
            seenNames.add(p.ref().key());
            if (allRunning(p)) {
              startRecorded.add(p.ref().uid());
            }
          }
          started.complete();
          recoverThenRun();
        })
        .onFailure(err -> started.fail("pod manager: cannot read the node state from the projection: "
            + err.getMessage()));
  }

  @Override
  public void stop() {
    // Containers keep running when the agent stops, as the kubelet's do; the next start adopts them.
    stopped = true;
    workers.values().forEach(PodWorker::halt);
    if (resyncTimer >= 0) {
      vertx.cancelTimer(resyncTimer);
    }
    preStop.close();
  }

  // ------------------------------------------------------------------------------ for the workers

  NodeState state() {
    return state;
  }

  /** True once the verticle is stopping: workers start nothing new. */
  boolean stopped() {
    return stopped;
  }

  Vertx vertx() {
    return vertx;
  }

  PodManagerOptions options() {
    return options;
  }

  PodRuntime runtime() {
    return runtime;
  }

  PodMetrics metrics() {
    return metrics;
  }

  PreStopHook preStop() {
    return preStop;
  }

  String nodeIp() {
    return options.nodeIp() != null ? options.nodeIp() : state.agent().nodeIp();
  }

  /** Sends a fact to the journal; completes with it as committed. */
  Future<Committed> append(Fact fact) {
    return vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND, fact).map(Message::body);
  }

  /** Completes once this verticle's state has folded the fact with sequence number {@code seq}. */
  Future<Void> awaitSeq(long seq) {
    if (state.seq() >= seq) {
      return Future.succeededFuture();
    }
    Promise<Void> folded = Promise.promise();
    seqWaiters.computeIfAbsent(seq, k -> new ArrayList<>()).add(folded);
    long timer = vertx.setTimer(10_000, id -> folded.tryFail("the journal did not publish seq " + seq
        + " within 10 s"));
    return folded.future().andThen(ar -> vertx.cancelTimer(timer));
  }

  void workerGone(String uid) {
    workers.remove(uid);
    workingUids = Set.copyOf(workers.keySet());
  }

  private Map<String, String> lifecycles() {
    NodeState s = state;
    Map<String, String> out = new HashMap<>();
    for (String uid : workingUids) {
      PodView p = s.pod(uid);
      out.put(uid, p != null && p.terminating() ? "terminating" : "sync");
    }
    return out;
  }

  // ------------------------------------------------------------------------------ facts in

  private void onCommitted(Committed c) {
    if (arrivedWhileLoading != null) {
      arrivedWhileLoading.add(c);
      return;
    }
    NodeState before = state;
    state = state.apply(c);
    if (state == before) {
      return;
    }
    while (!seqWaiters.isEmpty() && seqWaiters.firstKey() <= state.seq()) {
      seqWaiters.pollFirstEntry().getValue().forEach(Promise::tryComplete);
    }
    PodRef ref = c.fact().pod();
    if (ref == null) {
      return;
    }
    PodView view = state.pod(ref.uid());
    if (view == null) {
      decided.remove(ref.uid());
      admitted.remove(ref.uid());
      startRecorded.remove(ref.uid());
    } else if (!startRecorded.contains(ref.uid()) && allRunning(view)) {
      startRecorded.add(ref.uid());
      metrics.podStartDuration(Duration.between(view.addedAt(), Instant.now()));
    }
    if (c.fact() instanceof PodAdded && view != null) {
      if (!seenNames.add(ref.key())) {
        metrics.podRestarted();
      }
    }
    if (!ready) {
      return;
    }
    if (c.fact() instanceof PodAdded) {
      decide(ref.uid());
    }
    poke(ref.uid(), c.fact() instanceof PodUpdated ? "update" : "sync");
  }

  private static boolean allRunning(PodView p) {
    List<ContainerView> regular = p.containers().values().stream().filter(c -> !c.init()).toList();
    return !regular.isEmpty() && regular.stream().allMatch(c -> c.state() == ContainerView.State.RUNNING);
  }

  private void poke(String uid, String operation) {
    if (stopped) {
      return;
    }
    PodWorker w = workers.get(uid);
    if (w == null) {
      if (state.pod(uid) == null || !admitted.contains(uid)) {
        return;
      }
      w = new PodWorker(this, uid);
      workers.put(uid, w);
      workingUids = Set.copyOf(workers.keySet());
      operation = "create";
    }
    w.poke(operation);
  }

  /** Admission, once per pod, in arrival order. */
  private void decide(String uid) {
    PodView p = state.pod(uid);
    if (p == null || !decided.add(uid)) {
      return;
    }
    if (p.failedReason() != null) {
      return; // rejected before (the journal says so); never re-admitted
    }
    boolean ranBefore = p.sandboxId() != null
        || p.containers().values().stream().anyMatch(c -> c.containerId() != null);
    if (ranBefore) {
      admitted.add(uid);
      return;
    }
    List<PodView> active = new ArrayList<>();
    for (String other : admitted) {
      PodView o = state.pod(other);
      if (o != null) {
        String phase = PodStatusRenderer.phase(o);
        if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
          active.add(o);
        }
      }
    }
    Admission.Verdict verdict = Admission.admit(p.spec(), active, options.maxPods());
    if (verdict.admitted()) {
      admitted.add(uid);
      return;
    }
    log.warn("pod {} rejected ({}): {}", p.ref().key(), verdict.reason(), verdict.message());
    append(new PodRejected(p.ref(), verdict.reason(), verdict.message())).onFailure(err ->
        log.error("pod {}: could not journal its rejection: {}", p.ref().key(), err.getMessage()));
  }

  // ------------------------------------------------------------------------------ recovery

  private void recoverThenRun() {
    recover().onComplete(ar -> {
      if (ar.failed()) {
        log.warn("pod manager: runtime relist at start failed, syncing pods from the journal alone: {}",
            ar.cause().getMessage());
      }
      ready = true;
      for (PodView p : List.copyOf(state.pods().values())) {
        decide(p.ref().uid());
      }
      for (PodView p : List.copyOf(state.pods().values())) {
        poke(p.ref().uid(), "create");
      }
      resyncTimer = vertx.setPeriodic(options.syncFrequency().toMillis(), id -> resync());
    });
  }

  /**
   * Reconciles the journal's view with the runtime once, before any worker acts: adopts running
   * instances the view does not know as running, journals exits that happened while the agent was
   * away, notes sandboxes that vanished, and starts removing the objects of pods no longer known.
   */
  private Future<Void> recover() {
    return Future.all(runtime.ownSandboxes(), runtime.ownContainers()).compose(lists -> {
      List<PodSandbox> sandboxes = lists.resultAt(0);
      List<io.vertlet.cri.v1.Container> containers = lists.resultAt(1);
      List<Future<Committed>> facts = new ArrayList<>();
      for (PodView pod : state.pods().values()) {
        reconcilePod(pod, sandboxes, containers, facts);
      }
      removeOrphans(sandboxes, containers);
      return Future.all(facts).compose(all -> {
        long last = 0;
        for (int i = 0; i < all.size(); i++) {
          last = Math.max(last, all.<Committed>resultAt(i).seq());
        }
        log.info("pod manager: relisted {} sandboxes and {} containers, {} facts journaled to match",
            sandboxes.size(), containers.size(), facts.size());
        return awaitSeq(last);
      });
    });
  }

  private void reconcilePod(PodView pod, List<PodSandbox> sandboxes, List<io.vertlet.cri.v1.Container> containers,
      List<Future<Committed>> facts) {
    String uid = pod.ref().uid();
    List<io.vertlet.cri.v1.Container> mine = containers.stream()
        .filter(c -> uid.equals(c.getLabelsMap().get(CriRequests.POD_UID))).toList();
    for (ContainerView cv : pod.containers().values()) {
      List<io.vertlet.cri.v1.Container> instances = mine.stream()
          .filter(c -> cv.name().equals(c.getLabelsMap().get(CriRequests.CONTAINER_NAME))).toList();
      io.vertlet.cri.v1.Container running = instances.stream()
          .filter(c -> c.getState() == ContainerState.CONTAINER_RUNNING)
          .max(Comparator.comparingLong(io.vertlet.cri.v1.Container::getCreatedAt)).orElse(null);
      if (running != null) {
        if (cv.state() != ContainerView.State.RUNNING || !running.getId().equals(cv.containerId())) {
          log.info("pod {}: adopting running container {} {}", pod.ref().key(), cv.name(), running.getId());
          facts.add(runtime.containerStatus(running.getId()).compose(st -> append(new ContainerStarted(pod.ref(),
              cv.name(), running.getId(), PodWorker.instant(st.getStartedAt())))));
        }
      } else if (cv.state() == ContainerView.State.RUNNING) {
        io.vertlet.cri.v1.Container current = instances.stream()
            .filter(c -> c.getId().equals(cv.containerId())).findFirst().orElse(null);
        if (current == null) {
          facts.add(append(new ContainerExited(pod.ref(), cv.name(), cv.containerId(), 137,
              "ContainerStatusUnknown", cv.startedAt(), Instant.now())));
        } else {
          facts.add(runtime.containerStatus(current.getId())
              .compose(st -> append(PodWorker.exitedFact(pod.ref(), cv.name(), st))));
        }
      }
    }
    List<PodSandbox> sbs = sandboxes.stream().filter(s -> uid.equals(s.getLabelsMap().get(CriRequests.POD_UID)))
        .toList();
    if (pod.sandboxId() == null) {
      sbs.stream().filter(s -> s.getState() == PodSandboxState.SANDBOX_READY).findFirst().ifPresent(sb ->
          facts.add(runtime.sandboxIp(new CriRequests.PodContext(pod.ref(), pod.spec(), options.nodeName(), nodeIp(),
                  null, options.rootDir(), options.podLogsDir()), sb.getId())
              .compose(ip -> append(new SandboxCreated(pod.ref(), sb.getId(), ip, sb.getMetadata().getAttempt())))));
    } else if (sbs.stream().noneMatch(s -> s.getId().equals(pod.sandboxId()))) {
      facts.add(append(new SandboxChanged(pod.ref(), pod.sandboxId(), "REMOVED")));
    }
  }

  /** Every {@link PodManagerOptions#syncFrequency}: each worker syncs, and orphans are looked for. */
  private void resync() {
    for (String uid : List.copyOf(workers.keySet())) {
      poke(uid, "sync");
    }
    Future.all(runtime.ownSandboxes(), runtime.ownContainers())
        .onSuccess(lists -> removeOrphans(lists.resultAt(0), lists.resultAt(1)))
        .onFailure(err -> log.debug("orphan scan failed: {}", err.getMessage()));
  }

  /** Stops and removes, in the background, what belongs to pods neither the view nor a worker knows. */
  private void removeOrphans(List<PodSandbox> sandboxes, List<io.vertlet.cri.v1.Container> containers) {
    Map<String, PodRef> orphans = new LinkedHashMap<>();
    for (PodSandbox sb : sandboxes) {
      noteOrphan(sb.getLabelsMap(), orphans);
    }
    for (io.vertlet.cri.v1.Container c : containers) {
      noteOrphan(c.getLabelsMap(), orphans);
    }
    for (PodRef ref : orphans.values()) {
      if (!orphansInProgress.add(ref.uid())) {
        continue;
      }
      List<io.vertlet.cri.v1.Container> theirs = containers.stream()
          .filter(c -> ref.uid().equals(c.getLabelsMap().get(CriRequests.POD_UID))).toList();
      log.info("pod {}: not known any more, removing its {} containers and sandbox", ref.key(), theirs.size());
      Future.all(theirs.stream().filter(c -> c.getState() == ContainerState.CONTAINER_RUNNING).map(c -> {
        long grace = parseLong(c.getAnnotationsMap().get(CriRequests.GRACE), 30);
        String name = c.getLabelsMap().getOrDefault(CriRequests.CONTAINER_NAME, c.getMetadata().getName());
        return append(new ContainerKillRequested(ref, name, c.getId(), grace, "orphan: its pod is no longer known"))
            .compose(x -> runtime.stopContainer(c.getId(), grace));
      }).toList())
          .compose(v -> new PodWorker(this, ref.uid()).cleanUp(ref, options.podLogsDir()
              .resolve(ref.namespace() + "_" + ref.name() + "_" + ref.uid())))
          .onComplete(ar -> {
            orphansInProgress.remove(ref.uid());
            if (ar.failed()) {
              log.warn("pod {}: orphan clean-up failed: {}", ref.key(), ar.cause().getMessage());
            }
          });
    }
  }

  private void noteOrphan(Map<String, String> labels, Map<String, PodRef> orphans) {
    String uid = labels.get(CriRequests.POD_UID);
    if (uid == null || state.pod(uid) != null || workers.containsKey(uid)) {
      return;
    }
    orphans.putIfAbsent(uid, new PodRef(labels.getOrDefault(CriRequests.POD_NAMESPACE, ""),
        labels.getOrDefault(CriRequests.POD_NAME, ""), uid));
  }

  private static long parseLong(String s, long fallback) {
    try {
      return s == null ? fallback : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
