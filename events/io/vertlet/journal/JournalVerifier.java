package io.vertlet.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads every segment and snapshot end to end and reports the first bad record. */
public final class JournalVerifier {

  /** One segment's outcome. */
  public record SegmentReport(String segment, long firstSeq, long lastSeq, long records, long bytes, Damage damage) {}

  /**
   * The verdict.
   *
   * @param firstDamage the first bad record (segment + offset), null when sound
   * @param tornTail true when that damage is a torn tail that start-up repairs by itself
   * @param snapshotProblems damaged snapshot files (start-up skips them and uses an older one)
   */
  public record Report(Path journalDir, List<SegmentReport> segments, Damage firstDamage, boolean tornTail,
      List<String> snapshotProblems, long snapshotCount) {

    public boolean sound() {
      return firstDamage == null;
    }

    public long records() {
      return segments.stream().mapToLong(SegmentReport::records).sum();
    }
  }

  private JournalVerifier() {}

  public static Report verify(Path journalDir) throws IOException {
    if (!Files.isDirectory(journalDir)) {
      throw new java.nio.file.NoSuchFileException(journalDir.toString(), null, "no journal folder here");
    }
    List<Path> segments = Segments.list(journalDir);
    List<SegmentReport> reports = new ArrayList<>();
    Damage first = null;
    boolean torn = false;
    long prevLast = -1;
    for (int i = 0; i < segments.size(); i++) {
      Path seg = segments.get(i);
      String name = seg.getFileName().toString();
      long firstSeq = JournalFormat.firstSeqOf(seg);
      boolean isLast = i == segments.size() - 1;
      SegmentScanner.Result r;
      try (SegmentScanner s = new SegmentScanner(seg)) {
        r = s.scan(firstSeq, rec -> true);
      }
      Damage damage = r.damage();
      if (damage == null && prevLast >= 0 && firstSeq != prevLast + 1) {
        damage = new Damage(name, 0, "segment starts at sequence " + firstSeq + " but the previous one ends at "
            + prevLast, false);
      }
      reports.add(new SegmentReport(name, firstSeq, r.lastSeq(), Math.max(0, r.lastSeq() - firstSeq + 1),
          r.size(), damage));
      if (damage != null && first == null) {
        first = damage;
        torn = isLast && !damage.validAfter();
      }
      prevLast = r.lastSeq();
    }
    List<String> snapshotProblems = new ArrayList<>();
    List<Path> snaps = Snapshots.list(journalDir);
    for (Path snap : snaps) {
      String problem = Snapshots.check(snap, Files.readAllBytes(snap));
      if (problem != null) {
        snapshotProblems.add(problem);
      }
    }
    return new Report(journalDir, reports, first, torn, snapshotProblems, snaps.size());
  }
}
