package dev.cohort.server.security;

import java.util.Optional;

/** Makes sure a fresh node can be administered: creates the {@code Administrator} user once. */
public final class FirstStart {

  public static final String ADMINISTRATOR = "Administrator";

  private FirstStart() {}

  /**
   * Creates user {@code Administrator} in group {@code Administrators} if no enabled
   * administrator exists, with {@code presetPassword} (from {@code COHORT_ADMIN_PASSWORD}) or a
   * random password.
   *
   * @return the generated password, to be shown once, when one was generated; empty otherwise
   */
  public static Optional<String> ensureAdministrator(
      SecurityStore store, Optional<String> presetPassword) {
    throw new UnsupportedOperationException("TODO");
  }
}
