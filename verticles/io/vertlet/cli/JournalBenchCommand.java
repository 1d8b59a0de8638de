package io.vertlet.cli;

import io.vertlet.events.FactCodec;
import io.vertlet.events.FactTypes;
import io.vertlet.events.PodRef;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.journal.FsyncPolicy;
import io.vertlet.journal.Journal;
import io.vertlet.journal.JournalConfig;
import io.vertlet.journal.JournalFormat;
import io.vertlet.journal.JournalReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vertlet bench journal}: append throughput per fsync policy against the raw sequential write
 * of the same bytes with the same fsync cadence on the same disk, and replay throughput.
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
    description = "Measure journal append (per fsync policy) and replay throughput against a raw sequential "
        + "write of the same bytes with the same fsync cadence.")
public final class JournalBenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--records", defaultValue = "1000000", description = "Records for batch and none (default 1000000).")
  int records;

  @Option(names = "--always-records", defaultValue = "2000",
      description = "Records for fsync always, one fsync each (default 2000).")
  int alwaysRecords;

  @Option(names = "--batch", defaultValue = "1000", description = "Records per group commit under batch (default 1000).")
  int batch;

  @Option(names = "--payload", defaultValue = "200", description = "Payload bytes per record (default 200).")
  int payloadBytes;

  @Option(names = "--repeat", defaultValue = "2",
      description = "Runs per measurement, journal and raw interleaved in alternating order; the best is shown "
          + "(default 2: a shared virtual disk is noisy).")
  int repeat;

  @Option(names = "--dir", description = "Scratch folder on the disk to measure (default: the temp dir). "
      + "It is emptied afterwards.")
  Path dir;

  private PrintWriter out;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    Path base = dir == null ? Files.createTempDirectory("vertlet-bench") : Files.createDirectories(dir);
    Path scratch = Files.createTempDirectory(base, "journal-bench");
    try {
      byte[] payload = payload(payloadBytes);
      String type = "ContainerStarted";
      int version = FactTypes.version(ContainerStarted.class);
      int frame = JournalFormat.FRAME_HEADER_BYTES + JournalFormat.BODY_FIXED_BYTES + type.length() + payload.length;
      out.printf("journal bench: %d-byte JSON payloads (%d-byte frames), batch of %d per fsync, best of %d, in %s%n",
          payload.length, frame, batch, Math.max(1, repeat), scratch);
      // Warm the JIT on a small run so the first measured policy is not penalised.
      append(scratch.resolve("warmup"), FsyncPolicy.NONE, Math.min(records, 200_000), payload, type, version);
      clean(scratch.resolve("warmup"));

      double batchRate = 0;
      double batchRaw = 0;
      for (FsyncPolicy policy : new FsyncPolicy[] {FsyncPolicy.BATCH, FsyncPolicy.NONE, FsyncPolicy.ALWAYS}) {
        int n = policy == FsyncPolicy.ALWAYS ? alwaysRecords : records;
        Path jdir = scratch.resolve("journal-" + policy.lowerName());
        Path raw = scratch.resolve("raw-" + policy.lowerName());
        double rate = 0;
        double rawRate = 0;
        for (int round = 0; round < Math.max(1, repeat); round++) {
          clean(jdir);
          Files.deleteIfExists(raw);
          if (round % 2 == 0) {
            rate = Math.max(rate, append(jdir, policy, n, payload, type, version));
            rawRate = Math.max(rawRate, raw(raw, policy, n, frame));
          } else {
            rawRate = Math.max(rawRate, raw(raw, policy, n, frame));
            rate = Math.max(rate, append(jdir, policy, n, payload, type, version));
          }
        }
        out.printf("append %-6s %,12.0f records/s %8.1f MB/s | raw write, same cadence %,12.0f records/s %8.1f MB/s"
            + " | ratio %5.1f%%%n", policy.lowerName(), rate, rate * frame / 1e6, rawRate, rawRate * frame / 1e6,
            100 * rate / rawRate);
        if (policy == FsyncPolicy.BATCH) {
          batchRate = rate;
          batchRaw = rawRate;
        } else {
          clean(jdir);
        }
        Files.deleteIfExists(raw);
      }
      Path replayDir = scratch.resolve("journal-batch");
      replay(replayDir, false); // warm-up
      double frames = 0;
      double decoded = 0;
      for (int round = 0; round < Math.max(1, repeat); round++) {
        frames = Math.max(frames, replay(replayDir, false));
        decoded = Math.max(decoded, replay(replayDir, true));
      }
      out.printf("replay frames+CRC32C   %,12.0f records/s %8.1f MB/s%n", frames, frames * frame / 1e6);
      out.printf("replay + JSON decode   %,12.0f records/s%n", decoded);
      out.printf("targets: batch append >= 200,000/s: %s; replay >= 1,000,000/s: %s; batch >= 50%% of raw: %s%n",
          batchRate >= 200_000 ? "met" : "MISSED", frames >= 1_000_000 ? "met" : "MISSED",
          batchRate >= 0.5 * batchRaw ? "met" : "MISSED");
      out.flush();
      return 0;
    } finally {
      clean(scratch);
      if (dir == null) {
        Files.deleteIfExists(base);
      }
    }
  }

  /** A real fact's JSON padded to {@code size} bytes, so the payload is what the agent writes. */
  static byte[] payload(int size) {
    PodRef pod = new PodRef("default", "web-7d9c4b", "0b7c2f6e-1f9a-4c55-9a0e-2f1c1d3e4a5b");
    Instant at = Instant.parse("2026-11-23T10:15:30.123456789Z");
    int base = FactCodec.encode(new ContainerStarted(pod, "app", "", at)).length;
    String id = "c".repeat(Math.max(1, size - base));
    return FactCodec.encode(new ContainerStarted(pod, "app", id, at));
  }

  private double append(Path jdir, FsyncPolicy policy, int n, byte[] payload, String type, int version)
      throws IOException {
    JournalConfig cfg = new JournalConfig(policy, JournalConfig.DEFAULT_SEGMENT_BYTES, Long.MAX_VALUE, Duration.ZERO);
    long t0 = System.nanoTime();
    try (Journal j = Journal.open(jdir, cfg)) {
      long now = System.currentTimeMillis() * 1_000_000L;
      for (int i = 1; i <= n; i++) {
        j.append(type, version, now + i, payload);
        if (policy == FsyncPolicy.BATCH && i % batch == 0) {
          j.commit();
        }
      }
      j.commit();
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  /** Writes n frames of zeros-and-ones with the policy's cadence: the disk's own speed for these bytes. */
  private double raw(Path file, FsyncPolicy policy, int n, int frame) throws IOException {
    // The journal hands the file one write per commit (batch), per record (always), or per full 1 MiB
    // buffer (none); the reference does the same.
    int perWrite = switch (policy) {
      case ALWAYS -> 1;
      case BATCH -> Math.max(1, Math.min(batch, (1 << 20) / frame));
      case NONE -> Math.max(1, (1 << 20) / frame);
    };
    ByteBuffer buf = ByteBuffer.allocateDirect(perWrite * frame);
    while (buf.hasRemaining()) {
      buf.put((byte) (buf.position() * 31));
    }
    long t0 = System.nanoTime();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      int sinceSync = 0;
      for (int written = 0; written < n; written += perWrite) {
        int count = Math.min(perWrite, n - written);
        buf.clear().limit(count * frame);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        sinceSync += count;
        if (policy == FsyncPolicy.ALWAYS || (policy == FsyncPolicy.BATCH && sinceSync >= batch)) {
          ch.force(false);
          sinceSync = 0;
        }
      }
      if (policy != FsyncPolicy.NONE) {
        ch.force(false);
      }
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  private double replay(Path jdir, boolean decode) throws IOException {
    long[] count = {0};
    long[] sink = {0};
    long t0 = System.nanoTime();
    new JournalReader(jdir, JournalReader.Mode.STRICT).read(1, Long.MAX_VALUE, r -> true, r -> {
      count[0]++;
      sink[0] += decode ? r.decodeFact().hashCode() : r.payload().length;
      return true;
    });
    double rate = count[0] / ((System.nanoTime() - t0) / 1e9);
    if (sink[0] == 42) {
      out.print("");
    }
    return rate;
  }

  private static void clean(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
