package dev.cohort.api;

/** The caller's input is wrong. The caller gets HTTP 400 and this exception's message. */
public class InvalidInputException extends ServiceException {

  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }
}
