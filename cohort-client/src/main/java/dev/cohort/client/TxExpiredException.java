package dev.cohort.client;

import java.time.Instant;

/**
 * A transaction's TTL passed before its service completed: the server gives it up and the client
 * stops trying. Its service did not complete (it may have started); start a new transaction to try
 * again, and {@linkplain TContext#endTx end} this one.
 */
public final class TxExpiredException extends CohortClientException {

  private static final long serialVersionUID = 1L;

  private final String tid;

  TxExpiredException(String tid, Instant expiresAt, Throwable lastFailure) {
    super(
        "tx " + tid + " expired at " + expiresAt + " (its TTL passed) before it completed"
            + (lastFailure == null ? "" : "; the last try failed with: " + lastFailure.getMessage())
            + "; start a new transaction to try again",
        lastFailure);
    this.tid = tid;
  }

  /** The transaction id. */
  public String tid() {
    return tid;
  }
}
