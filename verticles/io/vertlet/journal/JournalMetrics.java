package io.vertlet.journal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The journal's meters; Prometheus names are in the comments. */
final class JournalMetrics {

  /** vertlet_journal_records_appended_total */
  final Counter records;
  /** vertlet_journal_bytes_appended_total (framed bytes, headers included) */
  final Counter bytes;
  /** vertlet_journal_fsync_duration_seconds (histogram) */
  final Timer fsync;
  /** vertlet_journal_snapshots_written_total */
  final Counter snapshots;
  /** vertlet_journal_repairs_total */
  final Counter repairs;
  /** vertlet_journal_segments */
  final AtomicLong segments = new AtomicLong();
  /** vertlet_journal_last_sequence */
  final AtomicLong lastSeq = new AtomicLong();

  private final MeterRegistry registry;
  private final Gauge segmentsGauge;
  private final Gauge lastSeqGauge;

  JournalMetrics(MeterRegistry registry) {
    this.registry = registry;
    records = Counter.builder("vertlet.journal.records.appended")
        .description("Facts appended to the journal and made durable").register(registry);
    bytes = Counter.builder("vertlet.journal.bytes.appended")
        .description("Bytes appended to the journal, framing included").register(registry);
    fsync = Timer.builder("vertlet.journal.fsync.duration")
        .description("Time to force a journal segment to stable storage")
        .serviceLevelObjectives(ms(0.1), ms(0.25), ms(0.5), ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100),
            ms(250), ms(500), ms(1000), ms(2500), ms(5000), ms(10000))
        .register(registry);
    snapshots = Counter.builder("vertlet.journal.snapshots.written")
        .description("Projection snapshots written").register(registry);
    repairs = Counter.builder("vertlet.journal.repairs")
        .description("Torn or corrupt journal tails cut at start-up").register(registry);
    segmentsGauge = Gauge.builder("vertlet.journal.segments", segments, AtomicLong::get)
        .description("Journal segment files on disk").register(registry);
    lastSeqGauge = Gauge.builder("vertlet.journal.last.sequence", lastSeq, AtomicLong::get)
        .description("Sequence number of the last durable fact").register(registry);
  }

  /**
   * Removes the gauges: they read this instance's fields, and a writer deployed again on the same
   * registry would otherwise get them back still bound to these (Micrometer returns the existing
   * meter). Counters stay: they are cumulative across deployments.
   */
  void close() {
    registry.remove(segmentsGauge);
    registry.remove(lastSeqGauge);
  }

  void fsync(long nanos) {
    fsync.record(nanos, TimeUnit.NANOSECONDS);
  }

  private static Duration ms(double millis) {
    return Duration.ofNanos((long) (millis * 1_000_000));
  }
}
