package dev.cohort.server.security;

import java.util.Set;

/**
 * An access control list: the groups allowed and the groups denied. Deny wins: a caller in any
 * denied group is refused even if also in an allowed group; a caller in no listed group is
 * refused.
 *
 * @param name the ACL name
 * @param allow groups allowed
 * @param deny groups denied
 * @param builtIn built-in ACLs ({@code Default}, {@code Administrators}, {@code Anonymous})
 *     cannot be removed
 */
public record Acl(String name, Set<String> allow, Set<String> deny, boolean builtIn) {

  public Acl {
    allow = Set.copyOf(allow);
    deny = Set.copyOf(deny);
  }
}
