package io.vertlet.config;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes resource quantity ({@code 100Mi}, {@code 1Gi}, {@code "0"}, {@code 500m},
 * {@code 1e3}): the text as written, and its value in base units (bytes, cores, …).
 */
public record Quantity(String text, BigDecimal value) {

  private static final Pattern SYNTAX =
      Pattern.compile("^([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?$");

  private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
      Map.entry("", BigDecimal.ONE),
      Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
      Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
      Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
      Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
      Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
      Map.entry("Ei", BigDecimal.valueOf(1L << 60)),
      Map.entry("n", new BigDecimal("1e-9")),
      Map.entry("u", new BigDecimal("1e-6")),
      Map.entry("m", new BigDecimal("1e-3")),
      Map.entry("k", new BigDecimal("1e3")),
      Map.entry("M", new BigDecimal("1e6")),
      Map.entry("G", new BigDecimal("1e9")),
      Map.entry("T", new BigDecimal("1e12")),
      Map.entry("P", new BigDecimal("1e15")),
      Map.entry("E", new BigDecimal("1e18")));

  /** Parses a quantity; throws IllegalArgumentException when the text is not one. */
  public static Quantity parse(String text) {
    String s = text.trim();
    Matcher m = SYNTAX.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("is not a quantity");
    }
    BigDecimal number = new BigDecimal(m.group(1));
    String suffix = m.group(2) == null ? "" : m.group(2);
    BigDecimal factor = suffix.startsWith("e") || suffix.startsWith("E")
        ? BigDecimal.ONE.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)))
        : SUFFIXES.get(suffix);
    return new Quantity(s, number.multiply(factor));
  }

  /** Whether {@code text} parses as a quantity. */
  public static boolean isQuantity(String text) {
    return SYNTAX.matcher(text.trim()).matches();
  }

  /** The value in base units rounded up to a whole number (bytes for memory and storage). */
  public long longValue() {
    return value.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
  }

  public boolean isNegative() {
    return value.signum() < 0;
  }

  @Override
  public String toString() {
    return text;
  }
}
