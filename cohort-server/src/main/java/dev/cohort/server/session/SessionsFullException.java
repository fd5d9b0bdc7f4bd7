package dev.cohort.server.session;

/** The store holds its configured maximum number of sessions ({@code session.max-sessions}). */
public final class SessionsFullException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SessionsFullException(int max) {
    super(
        "this node holds its maximum of "
            + max
            + " sessions (session.max-sessions); try again later");
  }
}
