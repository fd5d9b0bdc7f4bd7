package dev.cohort.server.invoke;

/** Every error a caller can get, with its HTTP status and stable code. */
public enum ErrorCode {
  BAD_JSON(400, "COH-BAD-JSON"),
  NOT_AN_OBJECT(400, "COH-NOT-OBJECT"),
  INVALID_INPUT(400, "COH-INVALID-INPUT"),
  UNAUTHENTICATED(401, "COH-UNAUTHENTICATED"),
  FORBIDDEN(403, "COH-FORBIDDEN"),
  CSRF(403, "COH-CSRF"),
  CROSS_SITE(403, "COH-CROSS-SITE"),
  NOT_FOUND(404, "COH-NOT-FOUND"),
  NO_SERVICE(404, "COH-NO-SERVICE"),
  METHOD_NOT_ALLOWED(405, "COH-METHOD"),
  CONFLICT(409, "COH-CONFLICT"),
  SESSION_CONFLICT(409, "COH-SESSION-CONFLICT"),
  TOO_LARGE(413, "COH-TOO-LARGE"),
  UNSUPPORTED_MEDIA_TYPE(415, "COH-MEDIA-TYPE"),
  GD_UNKNOWN(404, "COH-GD-UNKNOWN"),
  GD_RUNNING(409, "COH-GD-RUNNING"),
  GD_IN_DOUBT(409, "COH-GD-IN-DOUBT"),
  GD_STATE(409, "COH-GD-STATE"),
  GD_RETRIES(409, "COH-GD-RETRIES"),
  GD_EXPIRED(410, "COH-GD-EXPIRED"),
  GD_MISMATCH(422, "COH-GD-MISMATCH"),
  SERVICE_FAILED(500, "COH-SERVICE-FAILED"),
  COMMIT_FAILED(500, "COH-COMMIT-FAILED"),
  INTERNAL(500, "COH-INTERNAL"),
  UNAVAILABLE(503, "COH-UNAVAILABLE"),
  SESSIONS_FULL(503, "COH-SESSIONS-FULL"),
  SESSION_UNAVAILABLE(503, "COH-SESSION-UNAVAILABLE");

  private final int status;
  private final String code;

  ErrorCode(int status, String code) {
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The error with this stable code, if any. */
  public static java.util.Optional<ErrorCode> byCode(String code) {
    return java.util.Arrays.stream(values()).filter(e -> e.code.equals(code)).findFirst();
  }
}
