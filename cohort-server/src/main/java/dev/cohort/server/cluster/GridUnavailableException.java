package dev.cohort.server.cluster;

/** The cluster's caches cannot be used right now (the transport is restarting or stopped). */
public final class GridUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public GridUnavailableException(String message) {
    super(message);
  }
}
