package dev.cohort.client;

/**
 * The server answered the call with an error: the service threw (500 {@code COH-SERVICE-FAILED}),
 * the input was wrong (400), the service does not exist (404), a concurrent call changed the same
 * session attribute (409 {@code COH-SESSION-CONFLICT}), and so on. Carries what the server said.
 */
public class ServiceFailedException extends CohortClientException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String serverMessage;
  private final String requestId;
  private final String node;

  ServiceFailedException(int status, String code, String message, String requestId, String node) {
    super(
        status + " " + code + ": " + message
            + (requestId.isEmpty() ? "" : " (request " + requestId + (node.isEmpty() ? "" : " on " + node) + ")"));
    this.status = status;
    this.code = code;
    this.serverMessage = message;
    this.requestId = requestId;
    this.node = node;
  }

  /** The HTTP status, e.g. 500. */
  public int status() {
    return status;
  }

  /** The server's error code, e.g. {@code COH-SERVICE-FAILED}; empty if the reply had none. */
  public String code() {
    return code;
  }

  /** What the server said, without the status, code and request id around it. */
  public String serverMessage() {
    return serverMessage;
  }

  /** The request id the server logged the call under (quote it when reporting a problem). */
  public String requestId() {
    return requestId;
  }

  /** The node that answered. */
  public String node() {
    return node;
  }
}
