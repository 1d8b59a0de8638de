package io.vertlet.cli;

import io.vertlet.testing.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertlet.events.AgentFact;
import io.vertlet.events.Fact;
import io.vertlet.events.FactCodec;
import io.vertlet.events.PodRef;
import io.vertlet.events.RuntimeFact;
import io.vertlet.events.SourceFact;
import io.vertlet.journal.FsyncPolicy;
import io.vertlet.journal.Journal;
import io.vertlet.journal.JournalConfig;
import io.vertlet.journal.JournalReader;
import io.vertlet.journal.JournalRecord;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** The journal CLI against real journal files, run through the real command line. */
class JournalCliTest {

  @TempDir Path root;
  Path journal;
  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  static final PodRef WEB = new PodRef("default", "web", "uid-web");
  static final PodRef DB = new PodRef("prod", "db", "uid-db");



  static Pod spec(String ns, String name) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
  }

  /** 1 AgentStarted, then per pod: added, started; then a runtime fact with no pod. 10 records. */
  static List<Fact> story() {
    return List.of(
        new AgentFact.AgentStarted("0.1.0", "node-a", "10.0.0.4", "/var/lib/vertlet", "embedded", 42, 0, List.of()),
        new SourceFact.PodAdded(WEB, "file", "/m/web.yaml", spec("default", "web")),
        new SourceFact.PodAdded(DB, "file", "/m/db.yaml", spec("prod", "db")),
        new RuntimeFact.ContainerStarted(WEB, "c", "cid-web-1", T0.plusSeconds(2)),
        new RuntimeFact.ContainerStarted(DB, "c", "cid-db-1", T0.plusSeconds(3)),
        new RuntimeFact.ContainerExited(WEB, "c", "cid-web-1", 1, "Error", T0.plusSeconds(2), T0.plusSeconds(5)),
        new RuntimeFact.ContainerStarted(WEB, "c", "cid-web-2", T0.plusSeconds(6)),
        new RuntimeFact.RuntimeReachabilityChanged("unix:///x.sock", true, "ok"),
        new SourceFact.PodRemoved(DB, "file", "manifest removed"),
        new AgentFact.AgentStopping("SIGTERM"));
  }

  @BeforeEach
  void writeJournal() throws Exception {
    journal = root.resolve("journal");
    try (Journal j = Journal.open(journal, new JournalConfig(FsyncPolicy.BATCH, 1100, 1L << 30, Duration.ZERO))) {
      List<Fact> facts = story();
      for (int i = 0; i < facts.size(); i++) {
        j.append(facts.get(i), T0.plusSeconds(i * 10L));
      }
      j.commit();
    }
  }

  private List<JournalRecord> records() throws Exception {
    List<JournalRecord> all = new ArrayList<>();
    new JournalReader(journal, JournalReader.Mode.STRICT).read(1, Long.MAX_VALUE, r -> true, all::add);
    return all;
  }

  @Test
  void verifySaysSoundOrNamesSegmentAndOffset() throws Exception {
    CliRun ok = CliRun.of("journal", "verify", "--dir", root.toString());
    assertEquals(0, ok.status(), ok.err());
    assertTrue(ok.out().contains("is sound") && ok.out().contains("10 record(s)"), ok.out());

    JournalRecord victim = records().get(4);
    try (RandomAccessFile f = new RandomAccessFile(journal.resolve(victim.segment()).toFile(), "rw")) {
      f.seek(victim.offset() + 20);
      int b = f.read();
      f.seek(victim.offset() + 20);
      f.write(b ^ 1);
    }
    CliRun cat = CliRun.of("journal", "cat", "--dir", root.toString());
    assertEquals(1, cat.status());
    assertEquals(4, cat.lines().size(), "the sound records before the damage, then it stops: " + cat.out());
    assertTrue(cat.err().contains(victim.segment() + " at byte offset " + victim.offset()), cat.err());
    assertFalse(cat.err().contains("\tat "), "no stack trace: " + cat.err());
    CliRun bad = CliRun.of("journal", "verify", "--dir", journal.toString());
    assertEquals(1, bad.status());
    assertTrue(bad.err().contains("segment " + victim.segment() + " at byte offset " + victim.offset()), bad.err());
    assertTrue(bad.err().contains("--truncate-at " + victim.segment() + ":" + victim.offset()), bad.err());

    CliRun repaired = CliRun.of("journal", "repair", "--dir", root.toString(), "--truncate-at",
        victim.segment() + ":" + victim.offset());
    assertEquals(0, repaired.status(), repaired.err());
    assertEquals(0, CliRun.of("journal", "verify", "--dir", root.toString()).status());
    assertEquals(4, records().size());
  }

  @Test
  void verifyCallsATornTailATornTail() throws Exception {
    JournalRecord last = records().getLast();
    try (RandomAccessFile f = new RandomAccessFile(journal.resolve(last.segment()).toFile(), "rw")) {
      f.setLength(last.offset() + 9);
    }
    CliRun torn = CliRun.of("journal", "verify", "--dir", root.toString());
    assertEquals(1, torn.status());
    assertTrue(torn.err().contains("torn tail") && torn.err().contains("byte offset " + last.offset()), torn.err());
  }

  @Test
  void catPrintsJsonLinesAndFilters() throws Exception {
    CliRun all = CliRun.of("journal", "cat", "--dir", root.toString());
    assertEquals(0, all.status(), all.err());
    assertEquals(10, all.lines().size());
    JsonNode first = FactCodec.JSON.readTree(all.lines().get(1));
    assertEquals(2, first.get("seq").asLong());
    assertEquals(T0.plusSeconds(10).toString(), first.get("at").asString());
    assertEquals("PodAdded", first.get("type").asString());
    assertEquals(1, first.get("v").asInt());
    assertEquals("default/web", first.get("pod").asString());
    assertEquals("/m/web.yaml", first.get("fact").get("origin").asString());
    assertTrue(FactCodec.JSON.readTree(all.lines().get(0)).get("pod").isNull());

    CliRun pod = CliRun.of("journal", "cat", "--dir", journal.toString(), "--pod", "default/web");
    assertEquals(List.of(2L, 4L, 6L, 7L), seqs(pod));
    CliRun type = CliRun.of("journal", "cat", "--dir", root.toString(), "--type", "ContainerStarted,PodRemoved");
    assertEquals(List.of(4L, 5L, 7L, 9L), seqs(type));
    CliRun since = CliRun.of("journal", "cat", "--dir", root.toString(), "--since", "8");
    assertEquals(List.of(8L, 9L, 10L), seqs(since));
    CliRun window = CliRun.of("journal", "cat", "--dir", root.toString(), "--since", T0.plusSeconds(30).toString(),
        "--until", T0.plusSeconds(50).toString());
    assertEquals(List.of(4L, 5L, 6L), seqs(window));
    CliRun untilSeq = CliRun.of("journal", "cat", "--dir", root.toString(), "--until", "2");
    assertEquals(List.of(1L, 2L), seqs(untilSeq));
  }

  @Test
  void badArgumentsGetOneLineAndStatusTwo() {
    CliRun missing = CliRun.of("journal", "cat", "--dir", root.resolve("nope").toString());
    assertEquals(2, missing.status());
    assertTrue(missing.err().contains("no journal at"), missing.err());
    CliRun badPod = CliRun.of("journal", "cat", "--dir", root.toString(), "--pod", "web");
    assertEquals(2, badPod.status());
    assertTrue(badPod.err().contains("NAMESPACE/NAME"), badPod.err());
    CliRun badSince = CliRun.of("journal", "cat", "--dir", root.toString(), "--since", "yesterday");
    assertEquals(2, badSince.status());
    assertEquals(2, CliRun.of("journal", "replay", "--dir", root.toString(), "--format", "xml").status());
  }

  @Test
  void tailPrintsTheLastNAndFollowsNewRecords() throws Exception {
    CliRun three = CliRun.of("journal", "tail", "--dir", root.toString(), "-n", "3");
    assertEquals(0, three.status(), three.err());
    assertEquals(List.of(8L, 9L, 10L), seqs(three));

    CommandLine cli = VertletCommand.commandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    Thread follower = new Thread(() -> cli.execute("journal", "tail", "--dir", root.toString(), "-n", "1", "-f",
        "--poll-millis", "20"));
    follower.start();
    try {
      waitFor(() -> out.toString().contains("\"seq\":10,"), "the last record");
      try (Journal j = Journal.open(journal, new JournalConfig(FsyncPolicy.BATCH, 1100, 1L << 30, Duration.ZERO))) {
        for (int i = 0; i < 30; i++) { // crosses into new segments: 4 KiB each
          j.append(new AgentFact.AgentStopping("again " + i + " " + "x".repeat(200)), Instant.now());
          j.commit();
        }
      }
      waitFor(() -> out.toString().contains("\"seq\":40,"), "records appended after tail started");
    } finally {
      follower.interrupt();
      follower.join(TimeUnit.SECONDS.toMillis(20));
    }
    assertFalse(follower.isAlive());
    List<Long> seen = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      seen.add(FactCodec.JSON.readTree(line).get("seq").asLong());
    }
    List<Long> expected = new ArrayList<>();
    for (long s = 10; s <= 40; s++) {
      expected.add(s);
    }
    assertEquals(expected, seen, "each record exactly once, in order");
  }

  @Test
  void replayShowsTheTimelineThenTheStateAtThatPoint() throws Exception {
    CliRun atSix = CliRun.of("journal", "replay", "--dir", root.toString(), "--until-seq", "6");
    assertEquals(0, atSix.status(), atSix.err());
    String[] parts = atSix.out().split("---\n");
    assertEquals(6, parts[0].split("\n").length, atSix.out());
    assertTrue(parts[0].contains("exited with code 1"), parts[0]);
    assertTrue(parts[1].startsWith("state at seq 6"), parts[1]);
    assertTrue(parts[1].contains("pods: 2"), parts[1]);
    assertTrue(parts[1].contains("prod/db"), parts[1]);

    CliRun end = CliRun.of("journal", "replay", "--dir", root.toString(), "--until", T0.plusSeconds(95).toString());
    assertTrue(end.out().contains("state at seq 10"), end.out());
    assertTrue(end.out().split("---\n")[1].contains("stopped cleanly"), end.out());

    CliRun json = CliRun.of("journal", "replay", "--dir", root.toString(), "--until-seq", "7", "--pod", "default/web",
        "--format", "json");
    List<String> lines = json.lines();
    assertEquals(List.of(2L, 4L, 6L, 7L), lines.subList(0, lines.size() - 1).stream()
        .map(l -> FactCodec.JSON.readTree(l).get("seq").asLong()).toList());
    JsonNode state = FactCodec.JSON.readTree(lines.getLast()).get("state");
    assertEquals(7, state.get("seq").asLong());
    assertEquals(1, state.get("pods").size(), "only the asked pod: " + state.get("pods"));
  }

  @Test
  void replayStartsFromASnapshotWhenRetentionDeletedTheStart() throws Exception {
    // Snapshot of the fold at seq 6, then drop the segments it covers: state at 10 must still be right.
    CliRun full = CliRun.of("journal", "replay", "--dir", root.toString(), "--format", "json");
    String fullState = full.lines().getLast();
    var upToSix = io.vertlet.projection.NodeState.EMPTY;
    for (JournalRecord r : records()) {
      if (r.seq() <= 6) {
        upToSix = upToSix.apply(r.toCommitted());
      }
    }
    try (Journal j = Journal.open(journal, new JournalConfig(FsyncPolicy.BATCH, 1100, 1, Duration.ZERO))) {
      j.writeSnapshot(6, io.vertlet.projection.ProjectionSnapshot.encode(upToSix));
      assertTrue(j.applyRetention(Instant.now()).isPresent(), "some segment was covered and deleted");
    }
    CliRun after = CliRun.of("journal", "replay", "--dir", root.toString(), "--format", "json");
    assertEquals(0, after.status(), after.err());
    assertEquals(fullState, after.lines().getLast());
  }

  @Test
  void benchRunsAndReportsEveryPolicy() {
    CliRun bench = CliRun.of("bench", "journal", "--records", "5000", "--always-records", "20", "--batch", "100", "--repeat", "1", "--dir",
        root.resolve("bench").toString());
    assertEquals(0, bench.status(), bench.err());
    for (String expected : new String[] {"append batch", "append none", "append always", "raw write, same cadence",
        "replay frames+CRC32C", "replay + JSON decode", "ratio"}) {
      assertTrue(bench.out().contains(expected), bench.out());
    }
  }

  private static List<Long> seqs(CliRun run) {
    assertEquals(0, run.status(), run.err());
    return run.lines().stream().map(l -> FactCodec.JSON.readTree(l).get("seq").asLong()).toList();
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(10);
    }
  }
}
