package dev.cohort.server.session;

import java.util.Set;

/** The outcome of applying a {@link SessionChange}. */
public sealed interface SaveResult {

  /** Applied. */
  record Saved() implements SaveResult {}

  /** The session no longer exists (expired or invalidated meanwhile); nothing was applied. */
  record Gone() implements SaveResult {}

  /**
   * Another call changed these attributes after this call read them; nothing was applied.
   *
   * @param attributes the attributes in conflict
   */
  record Conflict(Set<String> attributes) implements SaveResult {}
}
