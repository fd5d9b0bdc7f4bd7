package dev.cohort.server.session;

/** A stored attribute could not be turned back into an object; the message says why. */
public final class AttributeDecodingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public AttributeDecodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
