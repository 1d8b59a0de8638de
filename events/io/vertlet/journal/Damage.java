package io.vertlet.journal;

/**
 * Where a segment stops making sense.
 *
 * @param segment segment file name
 * @param offset byte offset of the first bad frame (everything before it is sound)
 * @param reason what is wrong, for people
 * @param validAfter true when a sound record follows the damage in the same segment: the damage is
 *     in the middle, not a torn tail
 */
public record Damage(String segment, long offset, String reason, boolean validAfter) {

  @Override
  public String toString() {
    return segment + " at byte offset " + offset + ": " + reason;
  }
}
