package dev.cohort.server.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A session as stored: attributes travel as serialized bytes, so a store never needs the
 * application's classes.
 *
 * @param id the session id (unguessable, URL-safe)
 * @param user the user the session belongs to ({@code Anonymous} for an anonymous caller)
 * @param createdAt when it was created
 * @param lastAccessedAt when a call last used it
 * @param maxIdle idle time after which it expires
 * @param csrfToken token a cookie-authenticated state-changing request must echo
 * @param attributes attribute name → serialized value with its version
 */
public record SessionData(
    String id,
    String user,
    Instant createdAt,
    Instant lastAccessedAt,
    Duration maxIdle,
    String csrfToken,
    Map<String, Attribute> attributes) {

  public SessionData {
    attributes = Map.copyOf(attributes);
  }

  /** Whether the session has expired at {@code now}. */
  public boolean expiredAt(Instant now) {
    return !lastAccessedAt.plus(maxIdle).isAfter(now);
  }

  /**
   * One attribute's serialized value and its version, which increases on every change. Callers
   * must not modify {@code bytes}.
   */
  public record Attribute(byte[] bytes, long version) {}
}
