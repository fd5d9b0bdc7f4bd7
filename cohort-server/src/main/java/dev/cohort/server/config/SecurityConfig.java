package dev.cohort.server.config;

import static dev.cohort.server.config.Setting.Tier.FREQUENT;
import static dev.cohort.server.config.Setting.Tier.RARE;

import java.time.Duration;
import java.util.List;

/**
 * Authentication.
 *
 * @param credentialCacheTtl how long a verified user name and password are remembered
 * @param hashMemoryKib Argon2id memory cost for new password hashes
 * @param hashIterations Argon2id iterations for new password hashes
 */
public record SecurityConfig(
    Duration credentialCacheTtl, int hashMemoryKib, int hashIterations) {

  static final Setting<Duration> CREDENTIAL_CACHE_TTL =
      Setting.duration(
          "security.credential-cache-ttl",
          "5m",
          "s",
          Duration.ZERO,
          FREQUENT,
          "How long a user name and password that passed the (deliberately slow) password hash"
              + " are remembered, so that HTTP Basic on every request stays fast. Only a keyed"
              + " digest is kept, in memory; a password change or user removal forgets it at"
              + " once. 0 turns the cache off.");
  static final Setting<Integer> HASH_MEMORY_KIB =
      Setting.integer(
          "security.password-hash.memory-kib",
          19_456,
          8_192,
          4_194_304,
          RARE,
          "Argon2id memory cost (KiB) for new password hashes. The default is OWASP's"
              + " minimum recommendation (19 MiB); existing hashes keep their own cost.");
  static final Setting<Integer> HASH_ITERATIONS =
      Setting.integer(
          "security.password-hash.iterations",
          2,
          1,
          100,
          RARE,
          "Argon2id iterations for new password hashes.");

  static final List<Setting<?>> SETTINGS =
      List.of(CREDENTIAL_CACHE_TTL, HASH_MEMORY_KIB, HASH_ITERATIONS);

  static SecurityConfig from(Values v) {
    return new SecurityConfig(
        v.get(CREDENTIAL_CACHE_TTL), v.get(HASH_MEMORY_KIB), v.get(HASH_ITERATIONS));
  }
}
