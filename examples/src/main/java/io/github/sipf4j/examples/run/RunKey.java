package io.github.sipf4j.examples.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One setting of a run file: its name, type, default and the rule its value must keep. {@link RunSchema} holds them
 * all; {@code examples/run-files/reference.yaml} documents them.
 *
 * @param name the key's name inside its section, such as {@code learning_rate}
 * @param type the value's type
 * @param defaultValue the default (an {@code Integer}, {@code Long}, {@code Double}, {@code Boolean}, {@code String}
 *     or {@code List<String>}), or null where the key has no default
 * @param required whether the key must be given
 * @param choices the allowed values of a {@link Type#CHOICE}, lower case
 * @param rule the rule a given value must keep, or null
 */
public record RunKey(String name, Type type, Object defaultValue, boolean required, List<String> choices,
    Rule rule) {

  /** The types of values. */
  public enum Type {
    /** A whole number that fits an {@code int}. */
    INT,
    /** A whole number that fits a {@code long}. */
    LONG,
    /** A decimal number ({@code 1e-4}, {@code 0.1}); finite. */
    DOUBLE,
    /** {@code true} or {@code false}. */
    BOOL,
    /** Any text. */
    STRING,
    /** A file or folder, relative to the working directory unless absolute. */
    PATH,
    /** One of a fixed set of names. */
    CHOICE,
    /** A list of texts ({@code [a, b]}); a single text is a list of one. */
    STRING_LIST
  }

  /** A rule on a value that has the right type. */
  @FunctionalInterface
  public interface Rule {
    /**
     * Checks a value.
     *
     * @param value the converted value
     * @return what is wrong ({@code must be > 0}), or null when the value is fine
     */
    String problem(Object value);
  }

  /**
   * Copies the choices.
   *
   * @param name the {@code name} component
   * @param type the {@code type} component
   * @param defaultValue the {@code defaultValue} component
   * @param required the {@code required} component
   * @param choices the {@code choices} component
   * @param rule the {@code rule} component
   */
  public RunKey {
    choices = List.copyOf(choices);
  }

  /** A number above a bound. */
  static Rule above(double bound) {
    return v -> ((Number) v).doubleValue() > bound ? null : "must be > " + fmt(bound);
  }

  /** A number at or above a bound. */
  static Rule atLeast(double bound) {
    return v -> ((Number) v).doubleValue() >= bound ? null : "must be >= " + fmt(bound);
  }

  /** A number in a closed range. */
  static Rule within(double lo, double hi) {
    return v -> {
      double d = ((Number) v).doubleValue();
      return d >= lo && d <= hi ? null : "must be in [" + fmt(lo) + ", " + fmt(hi) + "]";
    };
  }

  /** A number in a half-open range [lo, hi). */
  static Rule withinOpen(double lo, double hi) {
    return v -> {
      double d = ((Number) v).doubleValue();
      return d >= lo && d < hi ? null : "must be in [" + fmt(lo) + ", " + fmt(hi) + ")";
    };
  }

  /** A number in a range open at the bottom: (lo, hi]. */
  static Rule aboveUpTo(double lo, double hi) {
    return v -> {
      double d = ((Number) v).doubleValue();
      return d > lo && d <= hi ? null : "must be in (" + fmt(lo) + ", " + fmt(hi) + "]";
    };
  }

  /** Not empty. */
  static Rule nonEmpty() {
    return v -> v instanceof List<?> l ? (l.isEmpty() ? "must not be empty" : null)
        : ((String) v).isBlank() ? "must not be empty" : null;
  }

  static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  /**
   * Formats a value the way a run file writes it.
   *
   * @param v a converted value
   * @return its text
   */
  static String show(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e6 ? String.format(Locale.ROOT, "%.1f", d)
          : Double.toString(d);
    }
    if (v instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      l.forEach(x -> parts.add(String.valueOf(x)));
      return "[" + String.join(", ", parts) + "]";
    }
    return v.toString();
  }
}
