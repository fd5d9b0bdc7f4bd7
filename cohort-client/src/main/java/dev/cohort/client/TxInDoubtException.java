package dev.cohort.client;

/**
 * A transaction is in doubt ({@code COH-GD-IN-DOUBT}): an attempt crashed while running a service
 * marked at-most-once, so the server cannot tell whether it ran and will not run it again. An
 * operator must look at what the service does and resubmit or end the transaction.
 */
public final class TxInDoubtException extends CohortClientException {

  private static final long serialVersionUID = 1L;

  private final String tid;

  TxInDoubtException(String tid, String serverMessage) {
    super(
        "tx " + tid + " is in doubt: an attempt crashed while running its at-most-once service;"
            + " an operator must resubmit or end it"
            + (serverMessage.isEmpty() ? "" : " (server: " + serverMessage + ")"));
    this.tid = tid;
  }

  /** The transaction id. */
  public String tid() {
    return tid;
  }
}
