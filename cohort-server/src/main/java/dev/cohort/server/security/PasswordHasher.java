package dev.cohort.server.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (Bouncy Castle) in the standard PHC string format {@code
 * $argon2id$v=19$m=...,t=...,p=1$salt$hash}. Verification reads the cost from the stored string, so
 * raising the cost affects only new hashes.
 */
public final class PasswordHasher {

  /** Largest memory cost accepted, in new hashes and in stored strings: 4 GiB. */
  static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;

  /** Largest iteration count accepted in stored strings. */
  static final int MAX_ITERATIONS = 1_000;

  /** Largest parallelism accepted in stored strings (new hashes always use 1). */
  static final int MAX_PARALLELISM = 16;

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Pattern PHC =
      Pattern.compile(
          "\\$argon2id\\$v=19\\$m=([0-9]{1,10}),t=([0-9]{1,10}),p=([0-9]{1,3})"
              + "\\$([A-Za-z0-9+/]{11,86})\\$([A-Za-z0-9+/]{22,86})");
  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  private final int memoryKib;
  private final int iterations;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param memoryKib Argon2id memory cost for new hashes
   * @param iterations Argon2id iterations for new hashes
   * @throws IllegalArgumentException if the memory cost is not within 8 KiB..4 GiB or the
   *     iterations not within 1..1000
   */
  public PasswordHasher(int memoryKib, int iterations) {
    if (memoryKib < 8 || memoryKib > MAX_MEMORY_KIB) {
      throw new IllegalArgumentException(
          "Argon2id memory cost must be 8.." + MAX_MEMORY_KIB + " KiB, not " + memoryKib);
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          "Argon2id iterations must be 1.." + MAX_ITERATIONS + ", not " + iterations);
    }
    this.memoryKib = memoryKib;
    this.iterations = iterations;
  }

  /** A new salted hash of {@code password}. */
  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] hash = argon2id(password, salt, memoryKib, iterations, 1, HASH_BYTES);
    return "$argon2id$v=19$m="
        + memoryKib
        + ",t="
        + iterations
        + ",p=1$"
        + ENCODER.encodeToString(salt)
        + "$"
        + ENCODER.encodeToString(hash);
  }

  /**
   * Whether {@code password} matches {@code phc}; false (never an exception) for a malformed hash.
   */
  public boolean verify(String password, String phc) {
    if (password == null || phc == null) {
      return false;
    }
    Matcher m = PHC.matcher(phc);
    if (!m.matches()) {
      return false;
    }
    long memory = Long.parseLong(m.group(1));
    long iterations = Long.parseLong(m.group(2));
    long parallelism = Long.parseLong(m.group(3));
    if (parallelism < 1
        || parallelism > MAX_PARALLELISM
        || memory < 8 * parallelism
        || memory > MAX_MEMORY_KIB
        || iterations < 1
        || iterations > MAX_ITERATIONS) {
      return false;
    }
    byte[] salt;
    byte[] expected;
    try {
      salt = DECODER.decode(m.group(4));
      expected = DECODER.decode(m.group(5));
    } catch (IllegalArgumentException e) {
      return false; // a length that no byte count encodes to
    }
    byte[] actual =
        argon2id(
            password, salt, (int) memory, (int) iterations, (int) parallelism, expected.length);
    return MessageDigest.isEqual(actual, expected);
  }

  private static byte[] argon2id(
      String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memoryKib)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .build());
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
