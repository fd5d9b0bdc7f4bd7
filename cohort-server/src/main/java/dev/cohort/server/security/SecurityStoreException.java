package dev.cohort.server.security;

/** A change to users, groups or ACLs was refused; {@link #kind()} maps to the HTTP status. */
public final class SecurityStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why it was refused. */
  public enum Kind {
    /** The named user, group or ACL does not exist (404). */
    NOT_FOUND,
    /** It exists already, or is built in and cannot be removed (409). */
    CONFLICT,
    /** A name or value is not acceptable (400). */
    INVALID
  }

  private final Kind kind;

  public SecurityStoreException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
