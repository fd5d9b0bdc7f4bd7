package dev.cohort.server.config;

import static dev.cohort.server.config.Setting.Tier.FREQUENT;

import java.util.List;

/**
 * Logging.
 *
 * @param level root log level
 * @param format text lines with key=value fields, or one JSON object per line
 */
public record LoggingConfig(Level level, Format format) {

  /** Root log level. */
  public enum Level {
    ERROR,
    WARN,
    INFO,
    DEBUG,
    TRACE
  }

  /** Log line format. */
  public enum Format {
    TEXT,
    JSON
  }

  static final Setting<Level> LEVEL =
      Setting.choice("logging.level", Level.INFO, Level.class, FREQUENT, "Root log level.");
  static final Setting<Format> FORMAT =
      Setting.choice(
          "logging.format",
          Format.TEXT,
          Format.class,
          FREQUENT,
          "text: one line per event with node=, req= and other key=value fields; json: one"
              + " JSON object per line for log shippers.");

  static final List<Setting<?>> SETTINGS = List.of(LEVEL, FORMAT);

  static LoggingConfig from(Values v) {
    return new LoggingConfig(v.get(LEVEL), v.get(FORMAT));
  }
}
