package dev.cohort.server.security;

/**
 * Argon2id password hashes (Bouncy Castle) in the standard PHC string format {@code
 * $argon2id$v=19$m=...,t=...,p=1$salt$hash}. Verification reads the cost from the stored
 * string, so raising the cost affects only new hashes.
 */
public final class PasswordHasher {

  /**
   * @param memoryKib Argon2id memory cost for new hashes
   * @param iterations Argon2id iterations for new hashes
   */
  public PasswordHasher(int memoryKib, int iterations) {
    throw new UnsupportedOperationException("TODO");
  }

  /** A new salted hash of {@code password}. */
  public String hash(String password) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Whether {@code password} matches {@code phc}; false (never an exception) for a malformed hash. */
  public boolean verify(String password, String phc) {
    throw new UnsupportedOperationException("TODO");
  }
}
