package io.vertlet.config;

/**
 * An eviction threshold value: either an absolute {@link Quantity} ({@code 100Mi}) or a
 * percentage of capacity ({@code 10%}). Exactly one of the two is non-null.
 */
public record Threshold(Quantity quantity, Double percentage) {

  /** Parses {@code 100Mi} or {@code 10%}; throws IllegalArgumentException with upstream's wording. */
  public static Threshold parse(String text) {
    String s = text.trim();
    if (s.endsWith("%")) {
      double p;
      try {
        p = Double.parseDouble(s.substring(0, s.length() - 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("is neither a quantity nor a percentage");
      }
      if (p < 0 || p > 100) {
        throw new IllegalArgumentException("must be a percentage between 0% and 100%");
      }
      return new Threshold(null, p);
    }
    if (!Quantity.isQuantity(s)) {
      throw new IllegalArgumentException("is neither a quantity nor a percentage");
    }
    Quantity q = Quantity.parse(s);
    if (q.isNegative()) {
      throw new IllegalArgumentException("must not be negative");
    }
    return new Threshold(q, null);
  }

  public boolean isPercentage() {
    return percentage != null;
  }

  /** The threshold in base units against a capacity (bytes, inodes, pids). */
  public long resolve(long capacity) {
    return isPercentage() ? (long) Math.ceil(capacity * percentage / 100.0) : quantity.longValue();
  }

  @Override
  public String toString() {
    return isPercentage() ? stripZeros(percentage) + "%" : quantity.text();
  }

  private static String stripZeros(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
