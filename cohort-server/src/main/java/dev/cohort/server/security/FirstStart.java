package dev.cohort.server.security;

import java.security.SecureRandom;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes sure a fresh node can be administered: creates the {@code Administrator} user once. */
public final class FirstStart {

  public static final String ADMINISTRATOR = "Administrator";

  /** Letters and digits without look-alikes (0 O o, 1 l I): 55 symbols, 24 of them ≈ 138 bits. */
  static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

  static final int PASSWORD_LENGTH = 24;

  private static final Logger LOG = LoggerFactory.getLogger(FirstStart.class);

  private FirstStart() {}

  /**
   * Creates user {@code Administrator} in group {@code Administrators} if no enabled administrator
   * exists, with {@code presetPassword} (from {@code COHORT_ADMIN_PASSWORD}) or a random password.
   * If user {@code Administrator} exists (disabled, or no longer in {@code Administrators}), it is
   * enabled, put back in {@code Administrators} and given that password. An empty preset counts as
   * none. The password is never logged.
   *
   * @return the generated password, to be shown once, when one was generated; empty otherwise
   */
  public static Optional<String> ensureAdministrator(
      SecurityStore store, Optional<String> presetPassword) {
    if (store.hasAdministrator()) {
      return Optional.empty();
    }
    Optional<String> preset = presetPassword.filter(p -> !p.isEmpty());
    String password = preset.orElseGet(FirstStart::generatePassword);
    boolean existed = store.user(ADMINISTRATOR).isPresent();
    if (!store.ensureAdministrator(ADMINISTRATOR, password)) {
      return Optional.empty(); // another node got there first
    }
    if (existed) {
      LOG.warn(
          "COH.0400.0003W no enabled administrator was left: user {} was enabled, put in {} and"
              + " given a {} password",
          ADMINISTRATOR,
          Realm.ADMINISTRATORS,
          preset.isPresent() ? "preset" : "new");
    } else {
      LOG.info("created user {} in group {}", ADMINISTRATOR, Realm.ADMINISTRATORS);
    }
    return preset.isPresent() ? Optional.empty() : Optional.of(password);
  }

  static String generatePassword() {
    SecureRandom random = new SecureRandom();
    StringBuilder password = new StringBuilder(PASSWORD_LENGTH);
    for (int i = 0; i < PASSWORD_LENGTH; i++) {
      password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return password.toString();
  }
}
