package dev.cohort.client;

/**
 * The server has no record of a transaction ({@code COH-GD-UNKNOWN}, 404): it was never started
 * for this user, was ended, or was swept after its TTL. When the job log says the transaction never
 * completed, its service may not have run; start a new transaction to run it.
 */
public final class TxUnknownException extends CohortClientException {

  private static final long serialVersionUID = 1L;

  private final String tid;

  TxUnknownException(String tid, String what) {
    super("the server has no record of tx " + tid + ": " + what);
    this.tid = tid;
  }

  /** The transaction id. */
  public String tid() {
    return tid;
  }
}
