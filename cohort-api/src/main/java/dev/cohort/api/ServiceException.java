package dev.cohort.api;

/**
 * A failure whose message the caller may see. The caller gets HTTP 500 with this exception's
 * message and a request id; the log gets the full trace. Any other exception thrown by a service
 * reaches the caller only as "service failed" with the request id.
 */
public class ServiceException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ServiceException(String message) {
    super(message);
  }

  public ServiceException(String message, Throwable cause) {
    super(message, cause);
  }
}
