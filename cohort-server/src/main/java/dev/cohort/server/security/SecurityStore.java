package dev.cohort.server.security;

import dev.cohort.server.db.Database;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Users, groups, ACLs and ACL assignments in the database (plain JDBC, portable SQL). Every
 * change bumps a version row in the same transaction so that nodes know to reload. Names are
 * 1–64 characters of letters, digits and {@code _ . @ -}.
 */
public final class SecurityStore {

  public SecurityStore(Database database, PasswordHasher hasher) {
    throw new UnsupportedOperationException("TODO");
  }

  public List<User> users() {
    throw new UnsupportedOperationException("TODO");
  }

  public Optional<User> user(String name) {
    throw new UnsupportedOperationException("TODO");
  }

  /** @throws SecurityStoreException CONFLICT if taken, NOT_FOUND for an unknown group, INVALID for a bad name or empty password */
  public void createUser(String name, String password, Set<String> groups) {
    throw new UnsupportedOperationException("TODO");
  }

  public void setPassword(String name, String password) {
    throw new UnsupportedOperationException("TODO");
  }

  public void setGroups(String name, Set<String> groups) {
    throw new UnsupportedOperationException("TODO");
  }

  public void setDisabled(String name, boolean disabled) {
    throw new UnsupportedOperationException("TODO");
  }

  public void deleteUser(String name) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Whether any enabled user is in {@code Administrators}. */
  public boolean hasAdministrator() {
    throw new UnsupportedOperationException("TODO");
  }

  public List<Group> groups() {
    throw new UnsupportedOperationException("TODO");
  }

  public void createGroup(String name, String description) {
    throw new UnsupportedOperationException("TODO");
  }

  /** @throws SecurityStoreException CONFLICT for a built-in group */
  public void deleteGroup(String name) {
    throw new UnsupportedOperationException("TODO");
  }

  public List<Acl> acls() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Creates or replaces ACL {@code name}. */
  public void putAcl(String name, Set<String> allow, Set<String> deny) {
    throw new UnsupportedOperationException("TODO");
  }

  /** @throws SecurityStoreException CONFLICT for a built-in ACL */
  public void deleteAcl(String name) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Folder or service name → ACL name, as stored. */
  public Map<String, String> assignments() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Assigns {@code acl} to {@code target} (a folder like {@code samples.cart} or a service like {@code samples.cart:addItem}). */
  public void assign(String target, String acl) {
    throw new UnsupportedOperationException("TODO");
  }

  public void unassign(String target) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The current version of the security tables. */
  public long version() {
    throw new UnsupportedOperationException("TODO");
  }
}
