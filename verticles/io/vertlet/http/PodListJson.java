package io.vertlet.http;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.PodStatusRenderer;
import io.vertlet.projection.PodView;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The node projection's pods as the JSON of a v1 {@code PodList}, re-rendering only the pods whose view
 * changed since the last request.
 *
 * <p>Why: {@code /pods} is polled (every 50 ms by the pod benchmark, every few seconds by tools), and
 * building and serializing every pod through fabric8 for each request cost 10–150 ms of CPU at 100
 * pods on two cores: work that competed with the pod workers during a burst and delayed the very
 * answer being polled for. A {@link PodView} is immutable and a fold replaces only the view of the pod
 * a fact is about, so a view that is the same object renders to the same JSON (the renderer depends on
 * the view and the host IP alone, never on the clock): its JSON is reused, and a request after one
 * fact re-renders one pod. The same {@link NodeState} object is answered with the same string.
 *
 * <p>Thread-safe: renders run one at a time. {@link #renderIfCheap} is for the event loop: it answers
 * only when at most {@link #CHEAP_PODS} pods need rendering and no other render is running, so it never
 * waits and never does more than a millisecond or two of work; otherwise the caller renders on a worker.
 */
final class PodListJson {

  /** Pods an event-loop render may serialize (≈ 0.2 ms each once fabric8 is warm). */
  static final int CHEAP_PODS = 4;

  /** What fabric8 writes for a PodList with empty metadata (it leaves out an empty items list). */
  private static final String EMPTY = "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{}}";
  private static final String HEAD = "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{},\"items\":[";
  private static final String TAIL = "]}";

  private final ReentrantLock lock = new ReentrantLock();
  private NodeState lastState;
  private String lastJson;
  private String hostIp;
  private Map<PodView, String> items = new IdentityHashMap<>();
  /** fabric8's model is initialized (its first use takes seconds): only then may the event loop render. */
  private boolean warm;
  /** Pods serialized since this object was made (tests check that unchanged pods are not). */
  private long podsRendered;

  /** The JSON for {@code state}; may take long (a first render, many changed pods): not on an event loop. */
  String render(NodeState state) {
    lock.lock();
    try {
      return renderLocked(state);
    } finally {
      lock.unlock();
    }
  }

  /** The JSON for {@code state} if it is cheap to make right now, else null (render it on a worker). */
  String renderIfCheap(NodeState state) {
    if (!lock.tryLock()) {
      return null;
    }
    try {
      if (state == lastState) {
        return lastJson;
      }
      if (!warm || !Objects.equals(state.agent().nodeIp(), hostIp)) {
        return null;
      }
      int missing = 0;
      for (PodView view : state.pods().values()) {
        if (!items.containsKey(view) && ++missing > CHEAP_PODS) {
          return null;
        }
      }
      return renderLocked(state);
    } finally {
      lock.unlock();
    }
  }

  private String renderLocked(NodeState state) {
    if (state == lastState) {
      return lastJson;
    }
    String ip = state.agent().nodeIp();
    Map<PodView, String> previous = Objects.equals(ip, hostIp) ? items : Map.of();
    Map<PodView, String> next = new IdentityHashMap<>(state.pods().size() * 2);
    StringBuilder out = new StringBuilder(HEAD);
    boolean first = true;
    for (PodView view : state.pods().values()) {
      String json = previous.get(view);
      if (json == null) {
        json = Serialization.asJson(PodStatusRenderer.render(view, ip));
        podsRendered++;
        warm = true;
      }
      next.put(view, json);
      if (!first) {
        out.append(',');
      }
      out.append(json);
      first = false;
    }
    out.append(TAIL);
    hostIp = ip;
    items = next;
    lastState = state;
    lastJson = next.isEmpty() ? EMPTY : out.toString();
    return lastJson;
  }

  long podsRendered() {
    lock.lock();
    try {
      return podsRendered;
    } finally {
      lock.unlock();
    }
  }
}
