package dev.cohort.server.security;

import dev.cohort.server.testing.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CredentialCacheTest {

  private final MutableClock clock = new MutableClock(java.time.Instant.parse("2025-01-01T00:00:00Z"));

  @Test
  void remembersAUserAndPasswordForTheHashItWasVerifiedAgainst() {
    CredentialCache cache = new CredentialCache(Duration.ofMinutes(1), clock, 10);

    cache.remember("bob", "pw", "hash-1");

    assertThat(cache.verified("bob", "pw", "hash-1")).isTrue();
    assertThat(cache.verified("bob", "pw", "hash-2")).isFalse();
    assertThat(cache.verified("bob", "pw", "hash-1")).as("dropped once stale").isFalse();
  }

  @Test
  void userAndPasswordAreSeparated() {
    CredentialCache cache = new CredentialCache(Duration.ofMinutes(1), clock, 10);

    cache.remember("bo", "bpw", "hash");

    assertThat(cache.verified("bob", "pw", "hash")).isFalse();
    assertThat(cache.verified("bo", "bpw", "hash")).isTrue();
  }

  @Test
  void aClockSetBackEndsAnEntry() {
    CredentialCache cache = new CredentialCache(Duration.ofMinutes(1), clock, 10);
    clock.advance(Duration.ofSeconds(10));
    cache.remember("bob", "pw", "hash");

    clock.advance(Duration.ofSeconds(-1));

    assertThat(cache.verified("bob", "pw", "hash")).isFalse();
  }

  @Test
  void staysWithinItsBoundDroppingExpiredEntriesFirst() {
    CredentialCache cache = new CredentialCache(Duration.ofMinutes(1), clock, 100);
    cache.remember("old", "pw", "hash");
    clock.advance(Duration.ofSeconds(61));

    for (int i = 0; i < 99; i++) {
      cache.remember("user" + i, "pw", "hash");
    }
    assertThat(cache.size()).isEqualTo(100);

    cache.remember("one-more", "pw", "hash");
    assertThat(cache.size()).isEqualTo(100);
    assertThat(cache.verified("user0", "pw", "hash")).isTrue();

    for (int i = 0; i < 1_000; i++) {
      cache.remember("flood" + i, "pw", "hash");
      assertThat(cache.size()).isLessThanOrEqualTo(100);
    }
    assertThat(cache.verified("flood999", "pw", "hash")).isTrue();
  }

  @Test
  void aZeroTtlRemembersNothing() {
    CredentialCache cache = new CredentialCache(Duration.ZERO, clock, 10);

    cache.remember("bob", "pw", "hash");

    assertThat(cache.size()).isZero();
    assertThat(cache.verified("bob", "pw", "hash")).isFalse();
  }
}
