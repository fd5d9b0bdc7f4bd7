package dev.cohort.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one call is made. Immutable; start from {@link #defaults()}, {@link #idempotent()} or {@link
 * #idempotencyKey(String)}.
 */
public final class Call {

  private final boolean idempotent;
  private final Optional<String> idempotencyKey;
  private final Optional<Duration> timeout;

  private Call(boolean idempotent, Optional<String> idempotencyKey, Optional<Duration> timeout) {
    this.idempotent = idempotent;
    this.idempotencyKey = idempotencyKey;
    this.timeout = timeout;
  }

  /** A call that is not repeated once it may have run. */
  public static Call defaults() {
    return new Call(false, Optional.empty(), Optional.empty());
  }

  /**
   * A call that may run twice without harm (a read, a put of a fixed value): re-sent to another
   * member when its server fails mid-call.
   */
  public static Call idempotent() {
    return new Call(true, Optional.empty(), Optional.empty());
  }

  /**
   * A call carrying {@code key} in the {@code Idempotency-Key} header, which a server uses to run
   * it at most once (guaranteed delivery): re-sent with the same key when its server fails.
   */
  public static Call idempotencyKey(String key) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("an idempotency key must not be blank");
    }
    return new Call(false, Optional.of(key), Optional.empty());
  }

  /** This call with another reply timeout (per server tried). */
  public Call withTimeout(Duration timeout) {
    return new Call(idempotent, idempotencyKey, Optional.of(Objects.requireNonNull(timeout)));
  }

  /** Whether the call was marked safe to run twice. */
  public boolean isIdempotent() {
    return idempotent;
  }

  /** The idempotency key the call carries, if any. */
  public Optional<String> idempotencyKey() {
    return idempotencyKey;
  }

  /** The reply timeout, if this call sets one. */
  public Optional<Duration> timeout() {
    return timeout;
  }

  /** Whether the call may be sent again after it may have run. */
  boolean repeatable() {
    return idempotent || idempotencyKey.isPresent();
  }
}
