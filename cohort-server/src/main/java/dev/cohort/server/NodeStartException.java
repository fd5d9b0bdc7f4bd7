package dev.cohort.server;

/** The node could not start; the message says what is missing or broken. */
public final class NodeStartException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NodeStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
