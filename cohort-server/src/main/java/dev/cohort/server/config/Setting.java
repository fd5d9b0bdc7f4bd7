package dev.cohort.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration key: its name, type, default and documentation. All settings are declared
 * as constants next to the config record that uses them, and listed in {@link Settings}.
 *
 * @param key dotted name as written in {@code cohort.yaml}, e.g. {@code http.port}
 * @param defaultValue the value when nothing sets the key, as a user would write it
 * @param type how a user writes the value (shown in docs and errors)
 * @param doc what the key does
 * @param tier how often users need it, for the documentation
 */
public record Setting<T>(
    String key,
    String defaultValue,
    String type,
    String doc,
    Tier tier,
    Function<String, T> parser) {

  /** How often users need a setting (HikariCP-style documentation order). */
  public enum Tier {
    ESSENTIAL,
    FREQUENT,
    RARE
  }

  private static final Pattern DURATION =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?", Pattern.CASE_INSENSITIVE);

  public Setting {
    Objects.requireNonNull(key);
    Objects.requireNonNull(defaultValue);
  }

  /** Parses {@code raw}; throws {@link IllegalArgumentException} with a user-facing message. */
  public T parse(String raw) {
    return parser.apply(raw.trim());
  }

  /** The environment variable that overrides this key: {@code http.max-body-size} → {@code COHORT_HTTP_MAX_BODY_SIZE}. */
  public String envName() {
    return "COHORT_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public static Setting<String> string(String key, String def, Tier tier, String doc) {
    return new Setting<>(key, def, "string", doc, tier, s -> s);
  }

  public static Setting<Secret> secret(String key, Tier tier, String doc) {
    return new Setting<>(key, "", "secret", doc, tier, Secret::new);
  }

  public static Setting<Integer> integer(
      String key, int def, int min, int max, Tier tier, String doc) {
    return new Setting<>(
        key,
        Integer.toString(def),
        "integer " + min + ".." + max,
        doc,
        tier,
        s -> {
          int value;
          try {
            value = Integer.parseInt(s);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a whole number");
          }
          if (value < min || value > max) {
            throw new IllegalArgumentException(
                value + " is out of range; must be between " + min + " and " + max);
          }
          return value;
        });
  }

  public static Setting<Integer> port(String key, int def, Tier tier, String doc) {
    return integer(key, def, 0, 65535, tier, doc + " 0 picks a free port.");
  }

  public static Setting<Boolean> bool(String key, boolean def, Tier tier, String doc) {
    return new Setting<>(
        key,
        Boolean.toString(def),
        "boolean",
        doc,
        tier,
        s ->
            switch (s.toLowerCase(Locale.ROOT)) {
              case "true", "yes", "on" -> true;
              case "false", "no", "off" -> false;
              default -> throw new IllegalArgumentException("'" + s + "' is not true or false");
            });
  }

  /**
   * A duration written as a number and a unit ({@code 500ms}, {@code 30s}, {@code 5m}, {@code
   * 1h}, {@code 1d}); a bare number is in {@code bareUnit}.
   */
  public static Setting<Duration> duration(
      String key, String def, String bareUnit, Duration min, Tier tier, String doc) {
    return new Setting<>(
        key,
        def,
        "duration (500ms, 30s, 5m, 1h; a bare number is in " + unitName(bareUnit) + ")",
        doc,
        tier,
        s -> {
          Matcher m = DURATION.matcher(s);
          if (!m.matches()) {
            throw new IllegalArgumentException(
                "'" + s + "' is not a duration; write e.g. 500ms, 30s, 5m or 1h");
          }
          long n = Long.parseLong(m.group(1));
          String unit = m.group(2) == null ? bareUnit : m.group(2).toLowerCase(Locale.ROOT);
          Duration d =
              switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              };
          if (d.compareTo(min) < 0) {
            throw new IllegalArgumentException(s + " is too short; the minimum is " + min);
          }
          return d;
        });
  }

  /** A size in bytes written as a number and a unit ({@code 512KB}, {@code 10MB}). */
  public static Setting<Long> size(String key, String def, long min, Tier tier, String doc) {
    return new Setting<>(
        key,
        def,
        "size (bytes, or with KB, MB, GB)",
        doc,
        tier,
        s -> {
          Matcher m = SIZE.matcher(s.replace("_", ""));
          if (!m.matches()) {
            throw new IllegalArgumentException("'" + s + "' is not a size; write e.g. 512KB or 10MB");
          }
          long n = Long.parseLong(m.group(1));
          String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
          long bytes =
              switch (unit) {
                case "kb", "kib" -> n * 1024;
                case "mb", "mib" -> n * 1024 * 1024;
                case "gb", "gib" -> n * 1024 * 1024 * 1024;
                default -> n;
              };
          if (bytes < min) {
            throw new IllegalArgumentException(s + " is too small; the minimum is " + min + " bytes");
          }
          return bytes;
        });
  }

  public static Setting<Path> path(String key, String def, Tier tier, String doc) {
    return new Setting<>(key, def, "path", doc, tier, Path::of);
  }

  public static <E extends Enum<E>> Setting<E> choice(
      String key, E def, Class<E> type, Tier tier, String doc) {
    List<String> names =
        Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
    return new Setting<>(
        key,
        def.name().toLowerCase(Locale.ROOT),
        String.join(" | ", names),
        doc,
        tier,
        s -> {
          try {
            return Enum.valueOf(type, s.toUpperCase(Locale.ROOT).replace('-', '_'));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "'" + s + "' is not one of " + String.join(", ", names));
          }
        });
  }

  private static String unitName(String unit) {
    return switch (unit) {
      case "ms" -> "milliseconds";
      case "s" -> "seconds";
      case "m" -> "minutes";
      case "h" -> "hours";
      default -> "days";
    };
  }
}
