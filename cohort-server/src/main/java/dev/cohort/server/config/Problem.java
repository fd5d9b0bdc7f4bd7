package dev.cohort.server.config;

/**
 * One thing wrong with the configuration.
 *
 * @param key the dotted key it concerns
 * @param source where the value came from: the file, an environment variable or {@code --set}
 * @param message what is wrong and what to write instead
 */
public record Problem(String key, String source, String message) {

  @Override
  public String toString() {
    return key + ": " + message + " (from " + source + ")";
  }
}
