package dev.cohort.server.security;

import java.util.Set;

/**
 * A user as the admin API shows it (never the password hash).
 *
 * @param name the user name
 * @param disabled a disabled user cannot authenticate
 * @param groups explicit group memberships (the implicit {@code Everybody} is not listed)
 */
public record User(String name, boolean disabled, Set<String> groups) {

  public User {
    groups = Set.copyOf(groups);
  }
}
