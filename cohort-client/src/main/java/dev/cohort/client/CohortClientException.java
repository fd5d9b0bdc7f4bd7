package dev.cohort.client;

/** Every failure of a {@link CohortClient} call. Unchecked. */
public class CohortClientException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CohortClientException(String message) {
    super(message);
  }

  public CohortClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
