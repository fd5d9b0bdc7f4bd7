package dev.cohort.client;

import java.util.List;

/**
 * The call was sent, and its server failed before answering: it may or may not have run. The
 * client does not send it again by itself, because running it twice could be worse than not at
 * all; mark calls that are safe to repeat with {@link Call#idempotent()} or give them an
 * idempotency key ({@link Call#idempotencyKey(String)}), and they are retried on another member.
 */
public final class OutcomeUnknownException extends CohortClientException {

  private static final long serialVersionUID = 1L;

  private final List<String> attempts;

  OutcomeUnknownException(String service, List<String> attempts, Throwable cause) {
    super(
        "the outcome of " + service + " is unknown: its server failed after the call was sent;"
            + " tried: " + String.join("; ", attempts),
        cause);
    this.attempts = List.copyOf(attempts);
  }

  /** Each server tried, with what went wrong there, in order. */
  public List<String> attempts() {
    return attempts;
  }
}
