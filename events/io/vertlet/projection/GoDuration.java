package io.vertlet.projection;

import java.time.Duration;

/** Formats durations the way Go's time.Duration prints them ({@code 10s}, {@code 5m0s}), as kubelet messages do. */
public final class GoDuration {

  private GoDuration() {}

  public static String format(Duration d) {
    long totalMillis = d.toMillis();
    if (totalMillis < 1000) {
      return totalMillis + "ms";
    }
    long h = d.toHours();
    long m = d.toMinutesPart();
    double s = d.toSecondsPart() + d.toMillisPart() / 1000.0;
    String secs = s == Math.floor(s) ? Long.toString((long) s) : Double.toString(s);
    if (h > 0) {
      return h + "h" + m + "m" + secs + "s";
    }
    if (m > 0) {
      return m + "m" + secs + "s";
    }
    return secs + "s";
  }
}
