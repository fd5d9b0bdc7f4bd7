package dev.cohort.server.security;

import static dev.cohort.server.security.Realm.ADMINISTRATORS;
import static dev.cohort.server.security.Realm.ANONYMOUS_GROUP;
import static dev.cohort.server.security.Realm.EVERYBODY;
import static dev.cohort.server.security.SecurityStoreException.Kind.CONFLICT;
import static dev.cohort.server.security.SecurityStoreException.Kind.INVALID;
import static dev.cohort.server.security.SecurityStoreException.Kind.NOT_FOUND;

import dev.cohort.api.Caller;
import dev.cohort.server.db.Database;
import dev.cohort.server.security.SecuritySnapshot.Account;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Users, groups, ACLs and ACL assignments in the database (plain JDBC, portable SQL). Every change
 * bumps a version row in the same transaction so that nodes know to reload. Names are 1–64
 * characters of letters, digits and {@code _ . @ -}.
 *
 * <p>Every change first bumps the version row, which locks it until the transaction ends; so
 * changes from all nodes are serialized and checks such as "is this the last administrator" see
 * every committed change.
 *
 * <p>Refusals are {@link SecurityStoreException}s: {@code INVALID} for a bad name or value, {@code
 * NOT_FOUND} for an unknown user, group, ACL or assignment, {@code CONFLICT} for a name that is
 * taken or a change that must not happen (removing a built-in, the last administrator, an ACL still
 * assigned). Database failures are {@link dev.cohort.server.db.DatabaseException}s.
 */
public final class SecurityStore {

  private static final String ALLOW = "ALLOW";
  private static final String DENY = "DENY";

  private final Database database;
  private final PasswordHasher hasher;

  /**
   * @param database the node's database, with the security schema migrated
   * @param hasher hashes passwords of new users and password changes
   */
  public SecurityStore(Database database, PasswordHasher hasher) {
    this.database = database;
    this.hasher = hasher;
  }

  // ---- users

  /** All users, by name (in Java's order, the same on every database). */
  public List<User> users() {
    return database.inTransaction(
        c -> {
          Map<String, Set<String>> memberships = memberships(c);
          return query(
                  c,
                  "SELECT name, disabled FROM cohort_user",
                  rs ->
                      new User(
                          rs.getString(1),
                          rs.getBoolean(2),
                          memberships.getOrDefault(rs.getString(1), Set.of())))
              .stream()
              .sorted(Comparator.comparing(User::name))
              .toList();
        });
  }

  /** User {@code name}, if it exists. */
  public Optional<User> user(String name) {
    return database.inTransaction(
        c -> {
          List<Boolean> disabled =
              query(
                  c,
                  "SELECT disabled FROM cohort_user WHERE name = ?",
                  rs -> rs.getBoolean(1),
                  name);
          return disabled.isEmpty()
              ? Optional.<User>empty()
              : Optional.of(new User(name, disabled.get(0), groupsOf(c, name)));
        });
  }

  /**
   * Creates user {@code name} in {@code groups}.
   *
   * @throws SecurityStoreException CONFLICT if taken, NOT_FOUND for an unknown group, INVALID for a
   *     bad name, the reserved name {@code Anonymous}, an implicit group or an empty password
   */
  public void createUser(String name, String password, Set<String> groups) {
    Names.require("user", name);
    if (Caller.ANONYMOUS.equals(name)) {
      throw new SecurityStoreException(
          INVALID, "the user name '" + name + "' is reserved for the unauthenticated caller");
    }
    requireExplicitGroups(groups);
    String hash = hasher.hash(requirePassword(password));
    change(
        c -> {
          if (exists(c, "SELECT 1 FROM cohort_user WHERE name = ?", name)) {
            throw new SecurityStoreException(CONFLICT, "user '" + name + "' exists already");
          }
          requireGroupsExist(c, groups);
          update(c, "INSERT INTO cohort_user (name, password_hash) VALUES (?, ?)", name, hash);
          insertMemberships(c, name, groups);
        });
  }

  /**
   * Replaces the password of user {@code name}.
   *
   * @throws SecurityStoreException NOT_FOUND for an unknown user, INVALID for an empty password
   */
  public void setPassword(String name, String password) {
    String hash = hasher.hash(requirePassword(password));
    change(
        c -> {
          requireUser(c, name);
          update(c, "UPDATE cohort_user SET password_hash = ? WHERE name = ?", hash, name);
        });
  }

  /**
   * Replaces the explicit groups of user {@code name}.
   *
   * @throws SecurityStoreException NOT_FOUND for an unknown user or group, INVALID for an implicit
   *     group, CONFLICT if this would leave no enabled administrator
   */
  public void setGroups(String name, Set<String> groups) {
    requireExplicitGroups(groups);
    change(
        c -> {
          requireUser(c, name);
          requireGroupsExist(c, groups);
          if (!groups.contains(ADMINISTRATORS)) {
            requireNotLastAdministrator(c, name, "removing it from " + ADMINISTRATORS);
          }
          update(c, "DELETE FROM cohort_group_member WHERE user_name = ?", name);
          insertMemberships(c, name, groups);
        });
  }

  /**
   * Disables or enables user {@code name}; a disabled user cannot authenticate.
   *
   * @throws SecurityStoreException NOT_FOUND for an unknown user, CONFLICT if disabling would leave
   *     no enabled administrator
   */
  public void setDisabled(String name, boolean disabled) {
    change(
        c -> {
          requireUser(c, name);
          if (disabled) {
            requireNotLastAdministrator(c, name, "disabling it");
          }
          update(c, "UPDATE cohort_user SET disabled = ? WHERE name = ?", disabled, name);
        });
  }

  /**
   * Removes user {@code name}.
   *
   * @throws SecurityStoreException NOT_FOUND for an unknown user, CONFLICT if this would leave no
   *     enabled administrator
   */
  public void deleteUser(String name) {
    change(
        c -> {
          requireUser(c, name);
          requireNotLastAdministrator(c, name, "deleting it");
          update(c, "DELETE FROM cohort_user WHERE name = ?", name);
        });
  }

  /** Whether any enabled user is in {@code Administrators}. */
  public boolean hasAdministrator() {
    return database.inTransaction(c -> !enabledAdministrators(c).isEmpty());
  }

  /**
   * Makes user {@code name} an enabled administrator with {@code password} unless some enabled
   * administrator exists (checked under the store's lock, so two nodes starting at once create it
   * once). Creates the user if needed.
   *
   * @return whether anything was changed
   */
  boolean ensureAdministrator(String name, String password) {
    String hash = hasher.hash(requirePassword(password));
    return database.inTransaction(
        c -> {
          bumpVersion(c);
          if (!enabledAdministrators(c).isEmpty()) {
            return false;
          }
          if (exists(c, "SELECT 1 FROM cohort_user WHERE name = ?", name)) {
            update(
                c,
                "UPDATE cohort_user SET password_hash = ?, disabled = ? WHERE name = ?",
                hash,
                false,
                name);
            update(
                c,
                "DELETE FROM cohort_group_member WHERE user_name = ? AND group_name = ?",
                name,
                ADMINISTRATORS);
          } else {
            update(c, "INSERT INTO cohort_user (name, password_hash) VALUES (?, ?)", name, hash);
          }
          insertMemberships(c, name, Set.of(ADMINISTRATORS));
          return true;
        });
  }

  // ---- groups

  /** All groups, by name (in Java's order), the built-in ones included. */
  public List<Group> groups() {
    return database.inTransaction(
        c ->
            query(
                    c,
                    "SELECT name, description, built_in FROM cohort_group",
                    rs -> new Group(rs.getString(1), rs.getString(2), rs.getBoolean(3)))
                .stream()
                .sorted(Comparator.comparing(Group::name))
                .toList());
  }

  /**
   * Creates group {@code name}.
   *
   * @throws SecurityStoreException CONFLICT if taken, INVALID for a bad name or a description
   *     longer than 512 characters
   */
  public void createGroup(String name, String description) {
    Names.require("group", name);
    Names.requireDescription(description);
    change(
        c -> {
          if (exists(c, "SELECT 1 FROM cohort_group WHERE name = ?", name)) {
            throw new SecurityStoreException(CONFLICT, "group '" + name + "' exists already");
          }
          update(
              c, "INSERT INTO cohort_group (name, description) VALUES (?, ?)", name, description);
        });
  }

  /**
   * Removes group {@code name}, its memberships and its entries in ACLs.
   *
   * @throws SecurityStoreException CONFLICT for a built-in group, NOT_FOUND for an unknown one
   */
  public void deleteGroup(String name) {
    change(
        c -> {
          List<Boolean> builtIn =
              query(
                  c,
                  "SELECT built_in FROM cohort_group WHERE name = ?",
                  rs -> rs.getBoolean(1),
                  name);
          if (builtIn.isEmpty()) {
            throw new SecurityStoreException(NOT_FOUND, "no group '" + name + "'");
          }
          if (builtIn.get(0)) {
            throw new SecurityStoreException(
                CONFLICT, "group '" + name + "' is built in and cannot be removed");
          }
          update(c, "DELETE FROM cohort_group WHERE name = ?", name);
        });
  }

  // ---- ACLs

  /** All ACLs, by name, the built-in ones included. */
  public List<Acl> acls() {
    return database.inTransaction(c -> List.copyOf(readAcls(c).values()));
  }

  /**
   * Creates or replaces ACL {@code name}. A built-in ACL keeps its name and stays built in.
   *
   * @throws SecurityStoreException INVALID for a bad name or a group both allowed and denied,
   *     NOT_FOUND for an unknown group
   */
  public void putAcl(String name, Set<String> allow, Set<String> deny) {
    Names.require("ACL", name);
    allow.forEach(g -> Names.require("group", g));
    deny.forEach(g -> Names.require("group", g));
    Set<String> both = new TreeSet<>(allow);
    both.retainAll(deny);
    if (!both.isEmpty()) {
      throw new SecurityStoreException(
          INVALID,
          "group '" + both.iterator().next() + "' cannot be both allowed and denied by one ACL");
    }
    change(
        c -> {
          Set<String> groups = new HashSet<>(allow);
          groups.addAll(deny);
          requireGroupsExist(c, groups);
          if (exists(c, "SELECT 1 FROM cohort_acl WHERE name = ?", name)) {
            update(c, "DELETE FROM cohort_acl_entry WHERE acl_name = ?", name);
          } else {
            update(c, "INSERT INTO cohort_acl (name) VALUES (?)", name);
          }
          insertEntries(c, name, allow, ALLOW);
          insertEntries(c, name, deny, DENY);
        });
  }

  /**
   * Removes ACL {@code name}.
   *
   * @throws SecurityStoreException CONFLICT for a built-in ACL or one still assigned to a folder or
   *     service (removing it would silently change who may call those), NOT_FOUND for an unknown
   *     one
   */
  public void deleteAcl(String name) {
    change(
        c -> {
          List<Boolean> builtIn =
              query(
                  c,
                  "SELECT built_in FROM cohort_acl WHERE name = ?",
                  rs -> rs.getBoolean(1),
                  name);
          if (builtIn.isEmpty()) {
            throw new SecurityStoreException(NOT_FOUND, "no ACL '" + name + "'");
          }
          if (builtIn.get(0)) {
            throw new SecurityStoreException(
                CONFLICT, "ACL '" + name + "' is built in and cannot be removed");
          }
          List<String> targets =
              query(
                  c,
                  "SELECT target FROM cohort_acl_assignment WHERE acl_name = ? ORDER BY target",
                  rs -> rs.getString(1),
                  name);
          if (!targets.isEmpty()) {
            throw new SecurityStoreException(
                CONFLICT,
                "ACL '" + name + "' is still assigned to " + targets + "; unassign it first");
          }
          update(c, "DELETE FROM cohort_acl WHERE name = ?", name);
        });
  }

  // ---- assignments

  /** Folder or service name → ACL name, as stored. */
  public Map<String, String> assignments() {
    return database.inTransaction(c -> Collections.unmodifiableMap(readAssignments(c)));
  }

  /**
   * Assigns {@code acl} to {@code target} (a folder like {@code samples.cart} or a service like
   * {@code samples.cart:addItem}), replacing any ACL assigned to it before.
   *
   * @throws SecurityStoreException INVALID for a bad target, NOT_FOUND for an unknown ACL
   */
  public void assign(String target, String acl) {
    Names.requireTarget(target);
    Names.require("ACL", acl);
    change(
        c -> {
          if (!exists(c, "SELECT 1 FROM cohort_acl WHERE name = ?", acl)) {
            throw new SecurityStoreException(NOT_FOUND, "no ACL '" + acl + "'");
          }
          update(c, "DELETE FROM cohort_acl_assignment WHERE target = ?", target);
          update(
              c, "INSERT INTO cohort_acl_assignment (target, acl_name) VALUES (?, ?)", target, acl);
        });
  }

  /**
   * Removes the ACL assignment of {@code target}; it then inherits from its folder or the package
   * manifest.
   *
   * @throws SecurityStoreException INVALID for a bad target, NOT_FOUND if nothing is assigned
   */
  public void unassign(String target) {
    Names.requireTarget(target);
    change(
        c -> {
          if (update(c, "DELETE FROM cohort_acl_assignment WHERE target = ?", target) == 0) {
            throw new SecurityStoreException(NOT_FOUND, "no ACL is assigned to '" + target + "'");
          }
        });
  }

  /** The current version of the security tables. */
  public long version() {
    return database.inTransaction(SecurityStore::readVersion);
  }

  /**
   * Everything the realm needs. The version is read first, so the rest is at least that new: a
   * change committed meanwhile is seen again at the next version check, never missed.
   */
  SecuritySnapshot snapshot() {
    return database.inTransaction(
        c -> {
          long version = readVersion(c);
          Map<String, Set<String>> memberships = memberships(c);
          Map<String, Account> accounts = new HashMap<>();
          query(
                  c,
                  "SELECT name, password_hash, disabled FROM cohort_user",
                  rs ->
                      new Account(
                          rs.getString(1),
                          rs.getString(2),
                          rs.getBoolean(3),
                          memberships.getOrDefault(rs.getString(1), Set.of())))
              .forEach(a -> accounts.put(a.name(), a));
          return new SecuritySnapshot(version, accounts, readAcls(c), readAssignments(c));
        });
  }

  // ---- shared steps

  /** A change: runs in one transaction after the version bump (which serializes changes). */
  @FunctionalInterface
  private interface Change {
    void apply(Connection c) throws SQLException;
  }

  private void change(Change change) {
    database.inTransaction(
        c -> {
          bumpVersion(c);
          change.apply(c);
          return null;
        });
  }

  private static void bumpVersion(Connection c) throws SQLException {
    update(c, "UPDATE cohort_security_version SET version = version + 1 WHERE id = 1");
  }

  private static long readVersion(Connection c) throws SQLException {
    return query(c, "SELECT version FROM cohort_security_version WHERE id = 1", rs -> rs.getLong(1))
        .get(0);
  }

  private static String requirePassword(String password) {
    if (password == null || password.isEmpty()) {
      throw new SecurityStoreException(INVALID, "the password must not be empty");
    }
    return password;
  }

  private static void requireExplicitGroups(Set<String> groups) {
    for (String group : groups) {
      Names.require("group", group);
      if (group.equals(EVERYBODY) || group.equals(ANONYMOUS_GROUP)) {
        throw new SecurityStoreException(
            INVALID,
            "group '"
                + group
                + "' is implicit: every authenticated user is in "
                + EVERYBODY
                + ", only the unauthenticated caller in "
                + ANONYMOUS_GROUP);
      }
    }
  }

  private static void requireUser(Connection c, String name) throws SQLException {
    if (!exists(c, "SELECT 1 FROM cohort_user WHERE name = ?", name)) {
      throw new SecurityStoreException(NOT_FOUND, "no user '" + name + "'");
    }
  }

  private static void requireGroupsExist(Connection c, Set<String> groups) throws SQLException {
    Set<String> known =
        new HashSet<>(query(c, "SELECT name FROM cohort_group", rs -> rs.getString(1)));
    for (String group : new TreeSet<>(groups)) {
      if (!known.contains(group)) {
        throw new SecurityStoreException(NOT_FOUND, "no group '" + group + "'");
      }
    }
  }

  private static void requireNotLastAdministrator(Connection c, String name, String change)
      throws SQLException {
    List<String> administrators = enabledAdministrators(c);
    if (administrators.equals(List.of(name))) {
      throw new SecurityStoreException(
          CONFLICT,
          "user '"
              + name
              + "' is the last enabled administrator; "
              + change
              + " would leave the node without an administrator");
    }
  }

  private static List<String> enabledAdministrators(Connection c) throws SQLException {
    return query(
        c,
        "SELECT u.name FROM cohort_user u JOIN cohort_group_member m ON m.user_name = u.name"
            + " WHERE m.group_name = ? AND u.disabled = ? ORDER BY u.name",
        rs -> rs.getString(1),
        ADMINISTRATORS,
        false);
  }

  private static Set<String> groupsOf(Connection c, String name) throws SQLException {
    return Set.copyOf(
        query(
            c,
            "SELECT group_name FROM cohort_group_member WHERE user_name = ?",
            rs -> rs.getString(1),
            name));
  }

  /** User name → explicit groups. */
  private static Map<String, Set<String>> memberships(Connection c) throws SQLException {
    Map<String, Set<String>> memberships = new HashMap<>();
    query(
            c,
            "SELECT user_name, group_name FROM cohort_group_member",
            rs -> List.of(rs.getString(1), rs.getString(2)))
        .forEach(
            row -> memberships.computeIfAbsent(row.get(0), u -> new HashSet<>()).add(row.get(1)));
    return memberships;
  }

  private static void insertMemberships(Connection c, String user, Set<String> groups)
      throws SQLException {
    for (String group : groups) {
      update(
          c, "INSERT INTO cohort_group_member (group_name, user_name) VALUES (?, ?)", group, user);
    }
  }

  private static void insertEntries(Connection c, String acl, Set<String> groups, String effect)
      throws SQLException {
    for (String group : groups) {
      update(
          c,
          "INSERT INTO cohort_acl_entry (acl_name, group_name, effect) VALUES (?, ?, ?)",
          acl,
          group,
          effect);
    }
  }

  /** ACL name → ACL, by name. */
  private static Map<String, Acl> readAcls(Connection c) throws SQLException {
    Map<String, Set<String>> allow = new HashMap<>();
    Map<String, Set<String>> deny = new HashMap<>();
    query(
            c,
            "SELECT acl_name, group_name, effect FROM cohort_acl_entry",
            rs -> List.of(rs.getString(1), rs.getString(2), rs.getString(3)))
        .forEach(
            row ->
                (DENY.equals(row.get(2)) ? deny : allow)
                    .computeIfAbsent(row.get(0), a -> new HashSet<>())
                    .add(row.get(1)));
    Map<String, Acl> acls = new TreeMap<>();
    query(
            c,
            "SELECT name, built_in FROM cohort_acl",
            rs ->
                new Acl(
                    rs.getString(1),
                    allow.getOrDefault(rs.getString(1), Set.of()),
                    deny.getOrDefault(rs.getString(1), Set.of()),
                    rs.getBoolean(2)))
        .forEach(acl -> acls.put(acl.name(), acl));
    return acls;
  }

  /** Target → ACL name, by target. */
  private static Map<String, String> readAssignments(Connection c) throws SQLException {
    Map<String, String> assignments = new TreeMap<>();
    query(
            c,
            "SELECT target, acl_name FROM cohort_acl_assignment",
            rs -> List.of(rs.getString(1), rs.getString(2)))
        .forEach(row -> assignments.put(row.get(0), row.get(1)));
    return assignments;
  }

  // ---- JDBC

  @FunctionalInterface
  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private static <T> List<T> query(Connection c, String sql, Row<T> row, Object... params)
      throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, params);
        ResultSet rs = ps.executeQuery()) {
      List<T> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(row.read(rs));
      }
      return rows;
    }
  }

  private static boolean exists(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, params);
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  private static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, params)) {
      return ps.executeUpdate();
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... params)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }
}
