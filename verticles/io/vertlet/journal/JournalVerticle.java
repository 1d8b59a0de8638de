package io.vertlet.journal;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.FactCodec;
import io.vertlet.events.FactTypes;
import io.vertlet.events.JournalFact.JournalRepaired;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of the journal. Appends arrive on {@link Addresses#JOURNAL_APPEND} and are
 * answered with their {@link Committed} only once durable under the fsync policy, then published on
 * {@link Addresses#JOURNAL_COMMITTED} in sequence order.
 *
 * <p>Group commit: at most one write is in flight, on a one-thread worker; appends arriving meanwhile
 * queue up (in arrival order, which is sequence order) and go together in the next write with one
 * fsync. The event loop never touches the disk. Snapshots and retention run on the same worker, in
 * order with the writes.
 */
public final class JournalVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(JournalVerticle.class);

  /** One append waiting to be durable: answered through its message, or its promise for our own facts. */
  private record Pending(Fact fact, Message<?> message, Promise<Committed> internal, Instant arrived) {}

  private record Written(List<Pending> batch, List<Object> outcomes, long bytes, long lastSeq, int segments) {}

  private final JournalOptions options;
  private final MeterRegistry registry;
  private JournalMetrics metrics;
  private WorkerExecutor worker;
  private Journal journal;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private List<Pending> inFlight = List.of();
  private long writeStartedNanos;
  private boolean delayTimerSet;
  private long lastSeq;
  private Instant lastFsyncAt;
  private Throwable failure;
  private boolean stopping;
  private Promise<Void> drained;

  public JournalVerticle(JournalOptions options, MeterRegistry registry) {
    this.options = options;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx, JournalSnapshotRequest.class, JournalHealth.class, JournalReadRequest.class,
        JournalPage.class);
    metrics = new JournalMetrics(registry);
    worker = vertx.createSharedWorkerExecutor("vertlet-journal-writer", 1);
    return worker.executeBlocking(() -> {
      Journal j = Journal.open(options.journalDir(), options.storeConfig());
      j.onFsync(metrics::fsync);
      return j;
    }, true).compose(j -> {
      journal = j;
      lastSeq = j.lastSeq();
      metrics.lastSeq.set(lastSeq);
      metrics.segments.set(j.segmentCount());
      var bus = vertx.eventBus();
      bus.<Fact>consumer(Addresses.JOURNAL_APPEND, this::onAppend);
      bus.<JournalSnapshotRequest>consumer(Addresses.JOURNAL_SNAPSHOT, this::onSnapshot);
      bus.consumer(Addresses.JOURNAL_HEALTH, m -> m.reply(health()));
      bus.<JournalReadRequest>consumer(Addresses.JOURNAL_READ, this::onRead);
      log.info("journal open at {} (last seq {}, {} segment(s), fsync {})", options.journalDir(), lastSeq,
          j.segmentCount(), options.fsync().lowerName());
      List<Future<?>> repaired = new ArrayList<>();
      for (JournalRepaired r : j.repairs()) {
        log.warn("journal tail repaired: {} cut at byte {} ({} bytes, {}), copy kept as {}", r.segment(),
            r.offset(), r.bytesCut(), r.reason(), r.brokenCopy());
        metrics.repairs.increment();
        repaired.add(appendInternal(r));
      }
      return Future.all(repaired);
    }).onFailure(e -> {
      log.error("journal cannot start: {}", e.getMessage());
      closeWorker();
    });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (journal == null) {
      return closeWorker();
    }
    Future<Void> idle;
    if (inFlight.isEmpty() && queue.isEmpty()) {
      idle = Future.succeededFuture();
    } else {
      drained = Promise.promise();
      idle = drained.future();
    }
    return idle.compose(v -> worker.executeBlocking(() -> {
      journal.close();
      return null;
    }, true)).eventually(this::closeWorker);
  }

  private Future<Void> closeWorker() {
    if (metrics != null) {
      metrics.close();
    }
    return worker == null ? Future.succeededFuture() : worker.close();
  }

  /** The fact is journaled like any other; the returned future completes once it is durable. */
  private Future<Committed> appendInternal(Fact fact) {
    Promise<Committed> done = Promise.promise();
    queue.add(new Pending(fact, null, done, Instant.now()));
    scheduleWrite();
    return done.future();
  }

  private void onAppend(Message<Fact> message) {
    if (failure != null) {
      message.fail(500, "journal writer stopped after a failed write: " + failure.getMessage());
      return;
    }
    if (stopping) {
      message.fail(503, "journal writer is stopping");
      return;
    }
    if (!(message.body() instanceof Fact)) {
      message.fail(400, "journal append needs a Fact, got " + message.body());
      return;
    }
    queue.add(new Pending(message.body(), message, null, Instant.now()));
    scheduleWrite();
  }

  private void scheduleWrite() {
    if (!inFlight.isEmpty() || queue.isEmpty() || delayTimerSet) {
      return;
    }
    Duration delay = options.groupCommitDelay();
    if (!delay.isZero() && queue.size() < options.groupCommitMaxBatch()) {
      delayTimerSet = true;
      vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
        delayTimerSet = false;
        writeNext();
      });
      return;
    }
    writeNext();
  }

  private void writeNext() {
    if (!inFlight.isEmpty() || queue.isEmpty()) {
      return;
    }
    List<Pending> batch = new ArrayList<>(Math.min(queue.size(), options.groupCommitMaxBatch()));
    while (!queue.isEmpty() && batch.size() < options.groupCommitMaxBatch()) {
      batch.add(queue.poll());
    }
    inFlight = batch;
    writeStartedNanos = System.nanoTime();
    worker.executeBlocking(() -> write(batch), true).onComplete(ar -> {
      inFlight = List.of();
      if (ar.succeeded()) {
        delivered(ar.result());
      } else {
        failed(batch, ar.cause());
      }
      if (queue.isEmpty() && drained != null) {
        drained.tryComplete();
      }
      scheduleWrite();
    });
  }

  /** On the worker: encode, append, one commit. A fact that cannot be encoded fails alone. */
  private Written write(List<Pending> batch) throws IOException {
    List<Object> outcomes = new ArrayList<>(batch.size());
    long bytes = 0;
    for (Pending p : batch) {
      byte[] payload;
      try {
        payload = FactCodec.encode(p.fact());
      } catch (RuntimeException e) {
        outcomes.add(new IllegalArgumentException("fact " + p.fact().type() + " cannot be encoded: " + e.getMessage(), e));
        continue;
      }
      Instant at = Instant.now();
      String type = p.fact().type();
      long seq = journal.append(type, FactTypes.version(p.fact().getClass()), JournalRecord.toEpochNanos(at), payload);
      bytes += JournalFormat.FRAME_HEADER_BYTES + JournalFormat.BODY_FIXED_BYTES
          + type.getBytes(StandardCharsets.US_ASCII).length + payload.length;
      outcomes.add(new Committed(seq, at, p.fact()));
    }
    journal.commit();
    return new Written(batch, outcomes, bytes, journal.lastSeq(), journal.segmentCount());
  }

  private void delivered(Written w) {
    lastFsyncAt = Instant.now();
    lastSeq = w.lastSeq();
    metrics.lastSeq.set(lastSeq);
    metrics.segments.set(w.segments());
    metrics.bytes.increment(w.bytes());
    var bus = vertx.eventBus();
    for (int i = 0; i < w.batch().size(); i++) {
      Pending p = w.batch().get(i);
      Object outcome = w.outcomes().get(i);
      if (outcome instanceof Committed c) {
        metrics.records.increment();
        reply(p, c);
        bus.publish(Addresses.JOURNAL_COMMITTED, c);
      } else {
        fail(p, (Throwable) outcome);
      }
    }
  }

  private void failed(List<Pending> batch, Throwable cause) {
    failure = cause;
    log.error("journal write failed, refusing further appends until restart: {}", cause.toString());
    for (Pending p : batch) {
      fail(p, cause);
    }
    while (!queue.isEmpty()) {
      fail(queue.poll(), cause);
    }
  }

  private void reply(Pending p, Committed c) {
    if (p.message() != null) {
      p.message().reply(c);
    } else {
      p.internal().complete(c);
    }
  }

  private void fail(Pending p, Throwable cause) {
    if (p.message() != null) {
      p.message().fail(500, "journal append failed: " + cause.getMessage());
    } else {
      p.internal().fail(cause);
    }
  }

  private void onSnapshot(Message<JournalSnapshotRequest> message) {
    JournalSnapshotRequest req = message.body();
    if (req.seq() > lastSeq) {
      message.fail(400, "snapshot at seq " + req.seq() + " is past the last committed seq " + lastSeq);
      return;
    }
    worker.executeBlocking(() -> {
      journal.writeSnapshot(req.seq(), req.payload());
      var retention = journal.applyRetention(Instant.now());
      return new Object[] {retention, journal.segmentCount()};
    }, true).onComplete(ar -> {
      if (ar.failed()) {
        log.warn("snapshot at seq {} failed: {}", req.seq(), ar.cause().toString());
        message.fail(500, "snapshot at seq " + req.seq() + " failed: " + ar.cause().getMessage());
        return;
      }
      metrics.snapshots.increment();
      metrics.segments.set((Integer) ar.result()[1]);
      message.reply(req.seq());
      @SuppressWarnings("unchecked")
      var retention = (java.util.Optional<io.vertlet.events.JournalFact.JournalRetentionApplied>) ar.result()[0];
      retention.ifPresent(r -> {
        log.info("journal retention deleted {} segment(s), {} bytes, all covered by the snapshot at seq {}",
            r.segments().size(), r.bytesFreed(), r.snapshotSeq());
        if (!stopping && failure == null) {
          appendInternal(r);
        }
      });
    });
  }

  private void onRead(Message<JournalReadRequest> message) {
    JournalReadRequest req = message.body();
    long upTo = lastSeq; // only what is durable
    int limit = Math.max(1, Math.min(req.limit(), JournalReadRequest.MAX_LIMIT));
    long since = Math.max(1, req.sinceSeq());
    vertx.executeBlocking(() -> {
      List<Committed> out = new ArrayList<>();
      new JournalReader(options.journalDir(), JournalReader.Mode.LIVE).read(since, upTo, r -> true, r -> {
        out.add(r.toCommitted());
        return out.size() < limit;
      });
      return new JournalPage(List.copyOf(out), out.isEmpty() ? since : out.getLast().seq() + 1);
    }, false).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        message.fail(500, "journal read failed: " + ar.cause().getMessage());
      }
    });
  }

  private JournalHealth health() {
    int pending = queue.size() + inFlight.size();
    Instant oldest = !inFlight.isEmpty() ? inFlight.getFirst().arrived()
        : queue.isEmpty() ? null : queue.peek().arrived();
    String reason = null;
    if (failure != null) {
      reason = "journal writer stopped after a failed write: " + failure.getMessage();
    } else if (!inFlight.isEmpty()) {
      Duration pendingFor = Duration.ofNanos(System.nanoTime() - writeStartedNanos);
      if (pendingFor.compareTo(options.stuckAfter()) > 0) {
        reason = "journal write of " + inFlight.size() + " record(s) pending for " + pendingFor.toMillis()
            + " ms (threshold " + options.stuckAfter().toMillis() + " ms)";
      }
    }
    return new JournalHealth(lastSeq, pending, oldest, lastFsyncAt, reason != null, reason);
  }
}
