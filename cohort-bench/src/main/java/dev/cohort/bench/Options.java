package dev.cohort.bench;

import java.time.Duration;
import java.util.Iterator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of command-line option values shared by every benchmark's options. */
final class Options {

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})(s|m)?");

  private Options() {}

  /** The value following {@code option}. */
  static String value(String option, Iterator<String> it) {
    if (!it.hasNext()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return it.next();
  }

  /** Whole seconds ({@code 15}, {@code 15s}) or minutes ({@code 2m}). */
  static Duration duration(String option, String value) {
    Matcher m = DURATION.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          option + " takes whole seconds or minutes like 15s or 2m, not '" + value + "'");
    }
    long amount = Long.parseLong(m.group(1));
    return "m".equals(m.group(2)) ? Duration.ofMinutes(amount) : Duration.ofSeconds(amount);
  }

  static int integer(String option, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " takes a whole number, not '" + value + "'");
    }
  }

  static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
