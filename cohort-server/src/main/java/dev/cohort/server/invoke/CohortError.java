package dev.cohort.server.invoke;

/**
 * A failure that reaches the caller as {@code {"error":{"code","message","requestId"}}} with the
 * code's HTTP status. The message is for the caller: it must never carry secrets or traces.
 */
public final class CohortError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public CohortError(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
