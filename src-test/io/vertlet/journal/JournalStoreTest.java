package io.vertlet.journal;

import static io.vertlet.journal.JournalFixtures.config;
import static io.vertlet.journal.JournalFixtures.fill;
import static io.vertlet.journal.JournalFixtures.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.events.Committed;
import io.vertlet.events.FactCodec;
import io.vertlet.events.PodRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JournalStoreTest {

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(FsyncPolicy.class)
  void appendedFactsReadBackEqualUnderEveryPolicy(FsyncPolicy policy) throws Exception {
    List<Committed> written;
    try (Journal j = Journal.open(dir, config(policy))) {
      assertEquals(0, j.lastSeq());
      written = fill(j, 0, 300, 37);
      assertEquals(300, j.lastSeq());
    }
    assertEquals(written, readAll(dir));
    assertEquals(1, written.getFirst().seq());
    try (Journal again = Journal.open(dir, config(policy))) {
      assertTrue(again.repairs().isEmpty());
      assertEquals(301, again.append(JournalFixtures.fact(300), Instant.now()).seq());
    }
  }

  @Test
  void segmentsRotateBySizeAreNamedByFirstSequenceAndReadAcross() throws Exception {
    List<Committed> written;
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH).withSegmentBytes(4096))) {
      written = fill(j, 0, 500, 50);
      assertTrue(j.segmentCount() > 10, "segments: " + j.segmentCount());
    }
    List<Path> segments = Segments.list(dir);
    assertEquals("00000000000000000001.seg", segments.getFirst().getFileName().toString());
    for (Path seg : segments) {
      assertTrue(Files.size(seg) <= 4096, seg + " is " + Files.size(seg));
    }
    List<JournalRecord> records = JournalFixtures.records(dir);
    for (int i = 1; i < segments.size(); i++) {
      long first = JournalFormat.firstSeqOf(segments.get(i));
      JournalRecord firstRecord = records.stream().filter(r -> r.seq() == first).findFirst().orElseThrow();
      assertEquals(segments.get(i).getFileName().toString(), firstRecord.segment());
      assertEquals(JournalFormat.SEGMENT_HEADER_BYTES, firstRecord.offset());
    }
    assertEquals(written, readAll(dir));
    // Reading from the middle starts in the right segment and skips nothing.
    List<Long> fromMiddle = new ArrayList<>();
    new JournalReader(dir, JournalReader.Mode.STRICT).read(250, 260, r -> true, r -> fromMiddle.add(r.seq()));
    assertEquals(List.of(250L, 251L, 252L, 253L, 254L, 255L, 256L, 257L, 258L, 259L, 260L), fromMiddle);
  }

  @Test
  void recordsCarryTypeSchemaVersionTimestampAndJsonPayload() throws Exception {
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH))) {
      fill(j, 0, 3, 10);
    }
    JournalRecord r = JournalFixtures.records(dir).getFirst();
    assertEquals("SandboxCreated", r.type());
    assertEquals(1, r.version());
    assertEquals(JournalFixtures.at(0), r.at());
    String json = new String(r.payload(), StandardCharsets.UTF_8);
    assertTrue(json.startsWith("{") && json.contains("\"sandboxId\":\"sb-0\""), json);
    assertEquals(JournalFixtures.fact(0), FactCodec.decode(r.type(), r.version(), r.payload()));
  }

  /** A fold that does not care about vertlet's projections: order-sensitive digest + counts. */
  record Digest(long count, long lastSeq, long hash) {
    Digest apply(Committed c) {
      return new Digest(count + 1, c.seq(), hash * 31 + c.hashCode());
    }

    byte[] encode() {
      return (count + "," + lastSeq + "," + hash).getBytes(StandardCharsets.US_ASCII);
    }

    static Digest decode(byte[] b) {
      String[] p = new String(b, StandardCharsets.US_ASCII).split(",");
      return new Digest(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
    }
  }

  @Test
  void snapshotPlusTailEqualsEverythingAcrossRotationAndRetention() throws Exception {
    JournalConfig small = config(FsyncPolicy.NONE).withSegmentBytes(4096).withRetention(12_000, Duration.ZERO);
    Digest full = new Digest(0, 0, 0);
    Digest atSnapshot = null;
    long snapshotSeq;
    List<String> deleted;
    try (Journal j = Journal.open(dir, small)) {
      for (Committed c : fill(j, 0, 400, 25)) {
        full = full.apply(c);
      }
      snapshotSeq = j.lastSeq();
      atSnapshot = full;
      j.writeSnapshot(snapshotSeq, atSnapshot.encode());
      for (Committed c : fill(j, 400, 300, 25)) {
        full = full.apply(c);
      }
      int before = j.segmentCount();
      deleted = j.applyRetention(Instant.now()).orElseThrow().segments();
      assertFalse(deleted.isEmpty());
      assertEquals(before - deleted.size(), j.segmentCount());
      // A second snapshot, then more tail: recovery must use the newest.
      for (Committed c : fill(j, 700, 50, 25)) {
        full = full.apply(c);
      }
    }
    List<Path> left = Segments.list(dir);
    assertTrue(JournalFormat.firstSeqOf(left.getFirst()) <= snapshotSeq + 1,
        "retention deleted records the snapshot does not cover: first left " + left.getFirst());
    long leftBytes = 0;
    for (Path p : left) {
      leftBytes += Files.size(p);
    }
    assertTrue(leftBytes > 12_000, "it only deleted what the snapshot covered, so more may remain: " + leftBytes);

    Recovery rec = Recovery.load(dir);
    assertEquals(snapshotSeq, rec.snapshotSeq());
    Digest[] folded = {Digest.decode(rec.snapshot().orElseThrow().payload())};
    assertEquals(atSnapshot, folded[0]);
    rec.forEachAfterSnapshot(c -> folded[0] = folded[0].apply(c));
    assertEquals(full, folded[0]);
    // The iterator form gives the same tail.
    Digest iterated = Digest.decode(rec.snapshot().orElseThrow().payload());
    try (Recovery.Tail tail = rec.tail()) {
      while (tail.hasNext()) {
        iterated = iterated.apply(tail.next());
      }
    }
    assertEquals(full, iterated);
    // And a cursor from any point across the rotated segments yields exactly the records from there on.
    List<Long> fromCursor = new ArrayList<>();
    try (JournalCursor cursor = new JournalCursor(dir, snapshotSeq + 37)) {
      cursor.forEachRemaining(r -> fromCursor.add(r.seq()));
    }
    assertEquals(snapshotSeq + 37, fromCursor.getFirst());
    assertEquals(750L, fromCursor.getLast());
    assertEquals(750 - (snapshotSeq + 37) + 1, fromCursor.size());
    // The root dir (holding journal/) works as well as the journal folder.
    Path root = dir.getParent().resolve(dir.getFileName() + "-root");
    Files.createDirectories(root);
    JournalFixtures.copyDir(dir, root.resolve("journal"));
    assertEquals(snapshotSeq, Recovery.load(root).snapshotSeq());
  }

  @Test
  void retentionKeepsEverythingWithoutASnapshotAndAgeAloneDeletesCoveredSegments() throws Exception {
    JournalConfig cfg = config(FsyncPolicy.NONE).withSegmentBytes(4096).withRetention(1, Duration.ofDays(7));
    try (Journal j = Journal.open(dir, cfg)) {
      fill(j, 0, 200, 50);
      assertTrue(j.applyRetention(Instant.now()).isEmpty(), "no snapshot: nothing is covered");
      j.writeSnapshot(100, new byte[] {1});
      int before = j.segmentCount();
      var applied = j.applyRetention(Instant.now()).orElseThrow();
      assertEquals(100, applied.snapshotSeq());
      assertEquals(before - applied.segments().size(), j.segmentCount());
      assertTrue(JournalFormat.firstSeqOf(Segments.list(dir).getFirst()) <= 101);
    }
    Path other = dir.resolve("aged");
    JournalConfig byAge = config(FsyncPolicy.NONE).withSegmentBytes(4096).withRetention(1L << 40, Duration.ofDays(7));
    try (Journal j = Journal.open(other, byAge)) {
      fill(j, 0, 200, 50);
      j.writeSnapshot(200, new byte[] {1});
      assertTrue(j.applyRetention(Instant.now()).isEmpty(), "young and small: kept");
      var applied = j.applyRetention(Instant.now().plus(Duration.ofDays(8))).orElseThrow();
      assertEquals(j.segmentCount(), 1, "all closed segments are covered and old: " + applied);
    }
  }

  @Test
  void newestValidSnapshotSkipsDamagedOnesAndOldOnesArePruned() throws Exception {
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH))) {
      fill(j, 0, 30, 10);
      j.writeSnapshot(10, "ten".getBytes());
      j.writeSnapshot(20, "twenty".getBytes());
      j.writeSnapshot(30, "thirty".getBytes());
    }
    assertEquals(2, Snapshots.list(dir).size(), "keeps the newest two");
    Path newest = Snapshots.dir(dir).resolve(Snapshots.fileName(30));
    byte[] b = Files.readAllBytes(newest);
    b[b.length - 1] ^= 1;
    Files.write(newest, b);
    var found = Snapshots.newestValid(dir, Long.MAX_VALUE).orElseThrow();
    assertEquals(20, found.seq());
    assertEquals("twenty", new String(found.payload()));
    assertEquals(1, JournalVerifier.verify(dir).snapshotProblems().size());
  }

  @Test
  void snapshotsBeyondTheCommittedEndAreRefused() throws Exception {
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH))) {
      fill(j, 0, 5, 10);
      assertThrows(IllegalArgumentException.class, () -> j.writeSnapshot(6, new byte[0]));
    }
  }

  @Test
  void readerFiltersByTypeAndPod() throws Exception {
    try (Journal j = Journal.open(dir, config(FsyncPolicy.NONE))) {
      fill(j, 0, 100, 100);
    }
    PodRef wanted = JournalFixtures.pod(5);
    List<Long> seqs = new ArrayList<>();
    new JournalReader(dir, JournalReader.Mode.STRICT).read(1, Long.MAX_VALUE,
        RecordFilters.type(List.of("ContainerCreated")).and(RecordFilters.pod(wanted.namespace(), wanted.name()))
            .and(RecordFilters.atOrAfter(JournalFixtures.at(50))).and(RecordFilters.atOrBefore(JournalFixtures.at(95))),
        r -> seqs.add(r.seq()));
    // pod(i) == pod(5) for i = 5, 26, 47, 68, 89; ContainerCreated for i % 4 == 1: 5 and 89; in the window: 89.
    assertEquals(List.of(90L), seqs);
    for (long s : seqs) {
      int i = (int) s - 1;
      assertEquals(1, i % 4);
      assertEquals(wanted, JournalFixtures.pod(i));
    }
  }

  @Test
  void aFreshJournalVerifiesSound() throws Exception {
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH).withSegmentBytes(4096))) {
      fill(j, 0, 100, 10);
    }
    var report = JournalVerifier.verify(dir);
    assertTrue(report.sound());
    assertNull(report.firstDamage());
    assertEquals(100, report.records());
  }
}
