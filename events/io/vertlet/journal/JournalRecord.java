package io.vertlet.journal;

import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.FactCodec;
import java.time.Instant;

/**
 * One record as framed on disk, payload still JSON bytes: decoding the fact is a separate, optional
 * step so verify/cat/filters by type or time never pay for it.
 *
 * @param segment file name of the segment holding it
 * @param offset byte offset of its frame in that segment
 */
public record JournalRecord(long seq, long atEpochNanos, String type, int version, byte[] payload,
    String segment, long offset) {

  public Instant at() {
    return toInstant(atEpochNanos);
  }

  public Fact decodeFact() {
    return FactCodec.decode(type, version, payload);
  }

  public Committed toCommitted() {
    return new Committed(seq, at(), decodeFact());
  }

  public static Instant toInstant(long epochNanos) {
    return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }

  public static long toEpochNanos(Instant at) {
    return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
  }
}
