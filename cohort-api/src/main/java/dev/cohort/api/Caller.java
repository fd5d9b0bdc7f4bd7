package dev.cohort.api;

import java.util.Objects;
import java.util.Set;

/**
 * The user a call runs for.
 *
 * @param user the user name; {@value #ANONYMOUS} for an unauthenticated caller
 * @param groups the groups the user belongs to, including the implicit ones ({@code Everybody}
 *     for every authenticated user, {@code Anonymous} for the anonymous caller)
 */
public record Caller(String user, Set<String> groups) {

  /** The user name of an unauthenticated caller. */
  public static final String ANONYMOUS = "Anonymous";

  public Caller {
    Objects.requireNonNull(user, "user");
    groups = Set.copyOf(groups);
  }

  /** Whether this is the unauthenticated caller. */
  public boolean anonymous() {
    return ANONYMOUS.equals(user);
  }

  /** Whether the caller is a member of {@code group}. */
  public boolean inGroup(String group) {
    return groups.contains(group);
  }
}
