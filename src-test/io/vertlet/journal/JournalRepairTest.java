package io.vertlet.journal;

import static io.vertlet.journal.JournalFixtures.config;
import static io.vertlet.journal.JournalFixtures.fill;
import static io.vertlet.journal.JournalFixtures.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.events.Committed;
import io.vertlet.events.JournalFact.JournalRepaired;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalRepairTest {

  @TempDir Path tmp;

  private List<Committed> build(Path dir, int n, long segmentBytes) throws IOException {
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH).withSegmentBytes(segmentBytes))) {
      return fill(j, 0, n, 10);
    }
  }

  @Test
  void tornTailAtEveryByteOffsetOfTheLastRecordLosesExactlyThatRecord() throws Exception {
    Path original = tmp.resolve("original");
    List<Committed> written = build(original, 40, 4096);
    List<JournalRecord> records = JournalFixtures.records(original);
    JournalRecord last = records.getLast();
    Path segment = original.resolve(last.segment());
    long end = Files.size(segment);
    assertTrue(end - last.offset() > 40, "record is " + (end - last.offset()) + " bytes");
    for (long cut = last.offset() + 1; cut < end; cut++) {
      Path dir = tmp.resolve("cut-" + cut);
      JournalFixtures.copyDir(original, dir);
      Path seg = dir.resolve(last.segment());
      try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
        f.setLength(cut);
      }
      byte[] tornBytes = Files.readAllBytes(seg);
      assertFalse(JournalVerifier.verify(dir).sound());
      assertTrue(JournalVerifier.verify(dir).tornTail());
      try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH))) {
        String at = "cut at " + cut;
        assertEquals(1, j.repairs().size(), at);
        JournalRepaired r = j.repairs().getFirst();
        assertEquals(last.segment(), r.segment(), at);
        assertEquals(last.offset(), r.offset(), at);
        assertEquals(cut - last.offset(), r.bytesCut(), at);
        assertEquals(last.segment() + ".broken", r.brokenCopy(), at);
        assertArrayEquals(tornBytes, Files.readAllBytes(dir.resolve(r.brokenCopy())), at);
        assertEquals(last.offset(), Files.size(seg), at);
        assertEquals(written.size() - 1, j.lastSeq(), at);
        // The sequence continues where the sound records end.
        assertEquals(written.size(), j.append(JournalFixtures.fact(999), Instant.now()).seq(), at);
      }
      List<Committed> after = readAll(dir);
      assertEquals(written.subList(0, written.size() - 1), after.subList(0, written.size() - 1));
      assertTrue(JournalVerifier.verify(dir).sound());
      deleteTree(dir);
    }
  }

  @Test
  void aCorruptLastRecordAndAZeroFilledTailAreRepairedToo() throws Exception {
    Path dir = tmp.resolve("crc");
    List<Committed> written = build(dir, 20, 1 << 20);
    JournalRecord last = JournalFixtures.records(dir).getLast();
    Path seg = dir.resolve(last.segment());
    flipBit(seg, last.offset() + 40);
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH))) {
      assertEquals(1, j.repairs().size());
      assertTrue(j.repairs().getFirst().reason().contains("CRC32C"), j.repairs().getFirst().reason());
      assertEquals(19, j.lastSeq());
    }
    assertEquals(written.subList(0, 19), readAll(dir));

    // A file system may leave zeros after a crash: a run of zeros at the end is a torn tail as well.
    long size = Files.size(seg);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(size + 512);
    }
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH))) {
      assertEquals(512, j.repairs().getFirst().bytesCut());
      assertEquals(size, j.repairs().getFirst().offset());
      assertEquals(last.segment() + ".broken.1", j.repairs().getFirst().brokenCopy(), "earlier copy kept");
    }
  }

  @Test
  void aFlippedBitMidJournalIsNamedByVerifyAndStopsStartUp() throws Exception {
    Path dir = tmp.resolve("mid");
    List<Committed> written = build(dir, 60, 1 << 20);
    JournalRecord victim = JournalFixtures.records(dir).get(29);
    Path seg = dir.resolve(victim.segment());
    long sizeBefore = Files.size(seg);
    flipBit(seg, victim.offset() + 30);

    var report = JournalVerifier.verify(dir);
    assertFalse(report.sound());
    assertFalse(report.tornTail());
    assertEquals(victim.segment(), report.firstDamage().segment());
    assertEquals(victim.offset(), report.firstDamage().offset());
    assertTrue(report.firstDamage().validAfter());

    var refused = assertThrows(JournalCorruptException.class, () -> Journal.open(dir, config(FsyncPolicy.BATCH)));
    assertTrue(refused.getMessage().contains(victim.segment() + " at byte offset " + victim.offset()),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("--truncate-at " + victim.segment() + ":" + victim.offset()),
        refused.getMessage());
    assertEquals(sizeBefore, Files.size(seg), "nothing was cut without the operator");
    assertFalse(Files.exists(dir.resolve(victim.segment() + ".broken")));
    assertThrows(JournalCorruptException.class, () -> readAll(dir), "replay refuses too");

    // The documented recovery: cut at the named offset, keeping a copy.
    List<String> done = Repair.truncateAt(dir, victim.segment(), victim.offset());
    assertFalse(done.isEmpty());
    assertTrue(Files.exists(dir.resolve(victim.segment() + ".broken")));
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH))) {
      assertTrue(j.repairs().isEmpty());
      assertEquals(29, j.lastSeq());
    }
    assertEquals(written.subList(0, 29), readAll(dir));
  }

  @Test
  void damageInAnOlderSegmentStopsStartUpEvenWhenItIsAtThatSegmentsEnd() throws Exception {
    Path dir = tmp.resolve("older");
    build(dir, 200, 4096);
    List<Path> segments = Segments.list(dir);
    assertTrue(segments.size() > 3);
    Path second = segments.get(1);
    long size = Files.size(second);
    try (RandomAccessFile f = new RandomAccessFile(second.toFile(), "rw")) {
      f.setLength(size - 3);
    }
    var refused = assertThrows(JournalCorruptException.class, () -> Journal.open(dir, config(FsyncPolicy.BATCH)));
    assertEquals(second.getFileName().toString(), refused.damage().segment());
    var report = JournalVerifier.verify(dir);
    assertEquals(second.getFileName().toString(), report.firstDamage().segment());
    assertFalse(report.tornTail());
  }

  @Test
  void aSegmentTornWhileBeingCreatedGetsItsHeaderBack() throws Exception {
    Path dir = tmp.resolve("header");
    List<Committed> written = build(dir, 50, 4096);
    long next = written.getLast().seq() + 1;
    Path fresh = dir.resolve(JournalFormat.segmentName(next));
    Files.write(fresh, new byte[] {0x56, 0x54, 0x4A});
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH))) {
      assertEquals(1, j.repairs().size());
      assertEquals(0, j.repairs().getFirst().offset());
      assertEquals(next, j.append(JournalFixtures.fact(1), Instant.now()).seq());
    }
    assertEquals(written, readAll(dir).subList(0, written.size()));
  }

  @Test
  void snapshotsPastARepairedTailAreSetAside() throws Exception {
    Path dir = tmp.resolve("snap");
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH))) {
      fill(j, 0, 10, 10);
      j.writeSnapshot(10, new byte[] {10});
    }
    JournalRecord last = JournalFixtures.records(dir).getLast();
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(last.segment()).toFile(), "rw")) {
      f.setLength(last.offset() + 5);
    }
    try (Journal j = Journal.open(dir, config(FsyncPolicy.BATCH))) {
      assertEquals(9, j.lastSeq());
      assertTrue(Snapshots.list(dir).isEmpty(), "snapshot 10 describes a record that is gone");
      assertTrue(Files.exists(Snapshots.dir(dir).resolve(Snapshots.fileName(10) + ".broken")));
    }
  }

  static void flipBit(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x10);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
