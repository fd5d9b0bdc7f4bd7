package dev.cohort.server.gd;

/** Where a guaranteed-delivery transaction is. */
public enum TxState {
  /** Started; no attempt is running (none yet, or the last one gave way to a retry). */
  NEW,
  /** An attempt is running under a node's lease. */
  PENDING,
  /** Ran once, and its result is stored. */
  DONE,
  /** The service failed (its error is stored), or the retry limit was reached. */
  FAILED,
  /**
   * An attempt of an {@code at-most-once} service crashed: whether its effects happened is not
   * known, so it is not run again until an operator resubmits or ends it.
   */
  IN_DOUBT;

  /** Whether nothing more happens to it by itself. */
  public boolean ended() {
    return this == DONE || this == FAILED || this == IN_DOUBT;
  }
}
