package dev.cohort.server.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * User names and passwords that recently passed the password hash, so that HTTP Basic on every
 * request need not run it again. Entries are keyed by an HMAC-SHA256 of user and password under a
 * random key made for this instance: no password is held, and the keys mean nothing elsewhere. An
 * entry counts only while it is younger than the TTL and the user's password hash is still the one
 * it was verified against. A TTL of zero keeps nothing.
 */
final class CredentialCache {

  private static final String HMAC = "HmacSHA256";

  private final Duration ttl;
  private final InstantSource clock;
  private final int maxEntries;
  /** Initialised once; each digest works on a clone, which is far cheaper than a new Mac. */
  private final Mac prototype;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /** What was verified, and when. */
  private record Entry(String user, String passwordHash, Instant verifiedAt) {}

  CredentialCache(Duration ttl, InstantSource clock, int maxEntries) {
    this.ttl = ttl;
    this.clock = clock;
    this.maxEntries = maxEntries;
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    try {
      this.prototype = Mac.getInstance(HMAC);
      prototype.init(new SecretKeySpec(secret, HMAC));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
    }
  }

  /**
   * Whether {@code user} and {@code password} were verified within the TTL against {@code
   * passwordHash}, the user's hash now. A stale entry is dropped.
   */
  boolean verified(String user, String password, String passwordHash) {
    if (ttl.isZero()) {
      return false;
    }
    String digest = digest(user, password);
    Entry entry = entries.get(digest);
    if (entry == null) {
      return false;
    }
    if (entry.user().equals(user)
        && entry.passwordHash().equals(passwordHash)
        && fresh(entry, clock.instant())) {
      return true;
    }
    entries.remove(digest, entry);
    return false;
  }

  /** Records that {@code user} and {@code password} matched {@code passwordHash} just now. */
  void remember(String user, String password, String passwordHash) {
    if (ttl.isZero()) {
      return;
    }
    Instant now = clock.instant();
    if (entries.size() >= maxEntries) {
      entries.values().removeIf(e -> !fresh(e, now));
      if (entries.size() >= maxEntries) {
        entries.clear(); // rare: more distinct fresh logins than fit; all pay the hash once again
      }
    }
    entries.put(digest(user, password), new Entry(user, passwordHash, now));
  }

  int size() {
    return entries.size();
  }

  /** Fresh from the moment of verification until the TTL ends; a clock set back ends it too. */
  private boolean fresh(Entry entry, Instant now) {
    return !now.isBefore(entry.verifiedAt()) && now.isBefore(entry.verifiedAt().plus(ttl));
  }

  private String digest(String user, String password) {
    try {
      Mac mac = (Mac) prototype.clone();
      mac.update(user.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the HmacSHA256 provider cannot clone", e);
    }
  }
}
