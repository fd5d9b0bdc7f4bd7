package dev.cohort.server.config;

/**
 * A value that must never reach a log or an error message. {@link #toString()} hides it; only
 * {@link #reveal()} returns it.
 */
public record Secret(String value) {

  public static final Secret NONE = new Secret("");

  public boolean isEmpty() {
    return value.isEmpty();
  }

  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "(none)" : "****";
  }
}
