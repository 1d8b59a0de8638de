package io.vertlet.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.events.Committed;
import io.vertlet.events.FactCodec;
import io.vertlet.events.FactTypes;
import io.vertlet.events.PodRef;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code GET /journal/follow[?type=T1,T2][&pod=NS/NAME]}: committed facts as they are published on
 * {@link Addresses#JOURNAL_COMMITTED}, one JSON object per line ({@code application/x-ndjson}), or as
 * server-sent events when the client sends {@code Accept: text/event-stream}.
 *
 * <p>A client is forgotten as soon as its connection closes. Memory per client is bounded: while
 * the socket cannot take more, up to {@code maxBuffered} records wait; one more and the client is dropped with
 * a last line saying so and where to resume ({@code /journal?since=SEQ}), instead of the agent growing a
 * queue for a reader that does not read.
 */
final class JournalFollowHandler {

  static final int DEFAULT_MAX_BUFFERED = 1024;

  private final Vertx vertx;
  private final int maxBuffered;
  /** Connected clients; touched only on the owning verticle's event loop. */
  private final Set<Follower> followers = new LinkedHashSet<>();
  private final MessageConsumer<Committed> consumer;
  private final Gauge gauge;
  private final MeterRegistry registry;

  /**
   * One consumer per server fans out to every client, so a client leaving is a set removal (no consumer
   * churn, no messages discarded in flight). {@code vertlet_http_journal_followers{server}} counts clients.
   */
  JournalFollowHandler(Vertx vertx, int maxBuffered, MeterRegistry registry, String server) {
    this.vertx = vertx;
    this.maxBuffered = maxBuffered;
    this.registry = registry;
    this.consumer = vertx.eventBus().localConsumer(Addresses.JOURNAL_COMMITTED, msg -> {
      if (followers.isEmpty()) {
        return;
      }
      Encoded encoded = new Encoded(msg.body());
      for (Follower follower : List.copyOf(followers)) {
        follower.onCommitted(encoded);
      }
    });
    this.gauge = Gauge.builder("vertlet.http.journal.followers", followers, Set::size)
        .tag("server", server)
        .description("Clients following the journal over HTTP.")
        .register(registry);
  }

  /** Stops the fan-out; called when the server stops. */
  void close() {
    consumer.unregister();
    registry.remove(gauge);
    List.copyOf(followers).forEach(Follower::stop);
  }

  void handle(RoutingContext ctx) {
    Predicate<Committed> filter;
    try {
      filter = filter(ctx);
    } catch (JournalHandler.BadParameter bad) {
      Routes.text(ctx, 400, bad.getMessage());
      return;
    }
    String accept = ctx.request().getHeader("Accept");
    boolean sse = accept != null && accept.contains("text/event-stream");
    new Follower(ctx.response(), ctx.request().connection(), filter, sse).start();
  }

  private static Predicate<Committed> filter(RoutingContext ctx) {
    Predicate<Committed> filter = c -> true;
    String types = ctx.request().getParam("type");
    if (types != null) {
      Set<String> wanted = Arrays.stream(types.split(",")).map(String::trim).filter(s -> !s.isEmpty())
          .collect(Collectors.toSet());
      for (String t : wanted) {
        if (FactTypes.byName(t) == null) {
          throw new JournalHandler.BadParameter("invalid query parameter 'type': unknown fact type '" + t + "'");
        }
      }
      if (wanted.isEmpty()) {
        throw new JournalHandler.BadParameter("invalid query parameter 'type': empty");
      }
      filter = filter.and(c -> wanted.contains(c.fact().type()));
    }
    String pod = ctx.request().getParam("pod");
    if (pod != null) {
      String[] parts = pod.split("/", -1);
      if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw new JournalHandler.BadParameter(
            "invalid query parameter 'pod': expected NAMESPACE/NAME, got '" + pod + "'");
      }
      filter = filter.and(c -> {
        PodRef ref = c.fact().pod();
        return ref != null && ref.key().equals(pod);
      });
    }
    return filter;
  }

  /** A committed fact with its JSON encoded at most once, however many clients it goes to. */
  private static final class Encoded {
    final Committed committed;
    private String json;

    Encoded(Committed committed) {
      this.committed = committed;
    }

    String json() {
      if (json == null) {
        json = JournalJson.line(committed);
      }
      return json;
    }
  }

  /** A line waiting for a slow client's socket. */
  private record Pending(long seq, String line) {}

  /** One connected client; all its state lives on the verticle's event loop. */
  private final class Follower {
    private final HttpServerResponse response;
    private final HttpConnection connection;
    private final Predicate<Committed> filter;
    private final boolean sse;
    private final ArrayDeque<Pending> backlog = new ArrayDeque<>();
    private long lastSeqSent = -1;
    private boolean closed;

    Follower(HttpServerResponse response, HttpConnection connection, Predicate<Committed> filter, boolean sse) {
      this.response = response;
      this.connection = connection;
      this.filter = filter;
      this.sse = sse;
    }

    void start() {
      response.setChunked(true)
          .putHeader("Content-Type", sse ? "text/event-stream; charset=utf-8" : "application/x-ndjson")
          .putHeader("Cache-Control", "no-cache")
          .putHeader("X-Accel-Buffering", "no");
      response.closeHandler(v -> stop());
      response.exceptionHandler(err -> stop());
      response.drainHandler(v -> drain());
      followers.add(this);
      response.writeHead();
      if (sse) {
        response.write(": following the vertlet journal\n\n");
      }
    }

    private void onCommitted(Encoded encoded) {
      Committed committed = encoded.committed;
      if (closed || !filter.test(committed)) {
        return;
      }
      String line = sse
          ? "id: " + committed.seq() + "\nevent: " + committed.fact().type() + "\ndata: " + encoded.json() + "\n\n"
          : encoded.json() + "\n";
      if (backlog.isEmpty() && !response.writeQueueFull()) {
        send(line, committed.seq());
      } else if (backlog.size() < maxBuffered) {
        backlog.add(new Pending(committed.seq(), line));
      } else {
        dropTooSlow();
      }
    }

    private void drain() {
      while (!closed && !backlog.isEmpty() && !response.writeQueueFull()) {
        Pending next = backlog.poll();
        send(next.line(), next.seq());
      }
    }

    private void send(String line, long seq) {
      response.write(line);
      lastSeqSent = seq;
    }

    private void dropTooSlow() {
      int dropped = backlog.size() + 1;
      backlog.clear();
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("error", "client too slow: " + dropped + " records waiting, more than the " + maxBuffered
          + " allowed; resume with /journal?since=" + (lastSeqSent + 1));
      error.put("lastSeq", lastSeqSent);
      String json = FactCodec.JSON.writeValueAsString(error);
      stop();
      response.end(sse ? "event: error\ndata: " + json + "\n\n" : json + "\n");
      // A client that does not read never lets end() flush; do not keep its connection for ever.
      vertx.setTimer(5_000, t -> connection.close());
    }

    private void stop() {
      if (!closed) {
        closed = true;
        followers.remove(this);
      }
    }
  }
}
