package dev.cohort.server.session;

/**
 * Sessions cannot be read or saved right now: in a stateful cluster, this node is on the
 * minority side of a split (consistency priority), the session's copies did not answer in time,
 * or the cluster transport is restarting. Callers get 503 {@code COH-SESSION-UNAVAILABLE}.
 */
public final class SessionsUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SessionsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
