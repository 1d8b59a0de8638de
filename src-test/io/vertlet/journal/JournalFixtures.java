package io.vertlet.journal;

import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.PodFact;
import io.vertlet.events.PodRef;
import io.vertlet.events.RuntimeFact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Facts and journals for the journal tests. */
final class JournalFixtures {

  static final Instant T0 = Instant.parse("2026-11-23T10:00:00.123456789Z");

  private JournalFixtures() {}

  static PodRef pod(int i) {
    return new PodRef("ns" + (i % 3), "pod-" + (i % 7), "uid-" + (i % 7));
  }

  /** A varied fact for index i: several types, several pods. */
  static Fact fact(int i) {
    return switch (i % 4) {
      case 0 -> new PodFact.SandboxCreated(pod(i), "sb-" + i, "10.0.0." + (i % 250), i % 5);
      case 1 -> new PodFact.ContainerCreated(pod(i), "c" + (i % 2), "cid-" + i, "busybox:1.36", i % 3);
      case 2 -> new RuntimeFact.ContainerStarted(pod(i), "c" + (i % 2), "cid-" + i, T0.plusSeconds(i));
      default -> new RuntimeFact.RuntimeReachabilityChanged("unix:///run/x.sock", i % 2 == 0, "attempt " + i);
    };
  }

  static Instant at(int i) {
    return T0.plusMillis(i);
  }

  /** Appends facts 0..n-1 in batches of {@code batch}, committing after each batch; returns them. */
  static List<Committed> fill(Journal j, int from, int n, int batch) throws IOException {
    List<Committed> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(j.append(fact(i), at(i)));
      if ((i - from + 1) % batch == 0) {
        j.commit();
      }
    }
    j.commit();
    return out;
  }

  static List<Committed> readAll(Path dir) throws IOException {
    List<Committed> all = new ArrayList<>();
    new JournalReader(dir, JournalReader.Mode.STRICT).read(1, Long.MAX_VALUE, r -> true, r -> {
      all.add(r.toCommitted());
      return true;
    });
    return all;
  }

  static List<JournalRecord> records(Path dir) throws IOException {
    List<JournalRecord> all = new ArrayList<>();
    new JournalReader(dir, JournalReader.Mode.STRICT).read(1, Long.MAX_VALUE, r -> true, r -> {
      all.add(r);
      return true;
    });
    return all;
  }

  static JournalConfig config(FsyncPolicy policy) {
    return new JournalConfig(policy, JournalConfig.DEFAULT_SEGMENT_BYTES, JournalConfig.DEFAULT_RETENTION_BYTES,
        Duration.ZERO);
  }

  static void copyDir(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
