package dev.cohort.client;

/**
 * The server refused the caller: wrong credentials (HTTP 401) or an ACL that does not let this
 * user run the service (403). Not retried on another member: every member would answer the same.
 */
public final class AccessDeniedException extends ServiceFailedException {

  private static final long serialVersionUID = 1L;

  AccessDeniedException(int status, String code, String message, String requestId, String node) {
    super(status, code, message, requestId, node);
  }
}
