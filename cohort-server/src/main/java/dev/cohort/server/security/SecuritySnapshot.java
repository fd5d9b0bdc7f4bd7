package dev.cohort.server.security;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the {@link Realm} needs, read from the {@link SecurityStore} at one version.
 *
 * @param version the store version read before the rest, so the data is at least this new
 * @param accounts user name → account
 * @param acls ACL name → ACL
 * @param assignments folder or service name → ACL name
 */
record SecuritySnapshot(
    long version,
    Map<String, Account> accounts,
    Map<String, Acl> acls,
    Map<String, String> assignments) {

  SecuritySnapshot {
    accounts = Map.copyOf(accounts);
    acls = Map.copyOf(acls);
    assignments = Map.copyOf(assignments);
  }

  Optional<Account> account(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(accounts.get(name));
  }

  /**
   * A user with what authentication needs.
   *
   * @param name the user name
   * @param passwordHash the PHC string of the password hash
   * @param disabled a disabled user cannot authenticate
   * @param groups explicit group memberships
   */
  record Account(String name, String passwordHash, boolean disabled, Set<String> groups) {

    Account {
      groups = Set.copyOf(groups);
    }

    @Override
    public String toString() {
      return "Account[name=" + name + ", disabled=" + disabled + ", groups=" + groups + "]";
    }
  }
}
