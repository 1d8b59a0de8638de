package io.vertlet.events;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Go's duration syntax, as used by every duration in a KubeletConfiguration ({@code 2m0s},
 * {@code 1h30m}, {@code 500ms}, {@code 0s}), parsed into and printed from {@link Duration}.
 */
public final class GoDuration {

  private GoDuration() {}

  /** Parses a Go duration; throws IllegalArgumentException with a short reason when it is not one. */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("is not a duration (empty)");
    }
    boolean negative = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    BigDecimal nanos = BigDecimal.ZERO;
    int i = 0;
    if (s.isEmpty()) {
      throw new IllegalArgumentException("is not a duration");
    }
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(start, i);
      if (number.isEmpty() || number.equals(".")) {
        throw new IllegalArgumentException("is not a duration (expected a number at \"" + s.substring(start) + "\")");
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      long factor = switch (unit) {
        case "ns" -> 1L;
        case "us", "µs", "μs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        case "" -> throw new IllegalArgumentException("is not a duration (missing unit, e.g. \"10s\")");
        default -> throw new IllegalArgumentException("is not a duration (unknown unit \"" + unit + "\")");
      };
      try {
        nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(factor)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("is not a duration (bad number \"" + number + "\")");
      }
    }
    Duration d = Duration.ofNanos(nanos.longValue());
    return negative ? d.negated() : d;
  }

  /** Prints like Go's {@code time.Duration.String()}: {@code 1m0s}, {@code 4h0m0s}, {@code 500ms}, {@code 0s}. */
  public static String format(Duration d) {
    long n = d.toNanos();
    if (n == 0) {
      return "0s";
    }
    String sign = n < 0 ? "-" : "";
    long u = Math.abs(n);
    if (u < 1_000_000_000L) {
      if (u < 1_000L) {
        return sign + u + "ns";
      }
      if (u < 1_000_000L) {
        return sign + fraction(u, 1_000L) + "µs";
      }
      return sign + fraction(u, 1_000_000L) + "ms";
    }
    long hours = u / 3_600_000_000_000L;
    long rest = u % 3_600_000_000_000L;
    long minutes = rest / 60_000_000_000L;
    rest = rest % 60_000_000_000L;
    StringBuilder out = new StringBuilder(sign);
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    out.append(fraction(rest, 1_000_000_000L)).append('s');
    return out.toString();
  }

  private static String fraction(long value, long unit) {
    BigDecimal v = BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit)).stripTrailingZeros();
    return v.scale() < 0 ? v.setScale(0).toPlainString() : v.toPlainString();
  }
}
