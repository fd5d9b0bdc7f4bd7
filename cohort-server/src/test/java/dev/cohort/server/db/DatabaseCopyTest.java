package dev.cohort.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.server.config.DatabaseConfig;
import dev.cohort.server.config.Secret;
import dev.cohort.server.security.PasswordHasher;
import dev.cohort.server.security.SecurityStore;
import dev.cohort.server.security.User;
import dev.cohort.server.testing.TestPostgres;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** From the embedded H2 database to a shared PostgreSQL one. */
class DatabaseCopyTest {

  private final PasswordHasher hasher = new PasswordHasher(8192, 1);

  private static Database h2(Path dir) {
    return Database.open(new DatabaseConfig("", "cohort", Secret.NONE, 2), dir);
  }

  private static Database postgres(String url, Path dir) {
    return Database.open(new DatabaseConfig(url, "postgres", new Secret("postgres"), 2), dir);
  }

  @Test
  void copiesUsersGroupsAclsAndAssignmentsIntoAFreshPostgres(@TempDir Path dir) {
    String url = TestPostgres.newDatabase();
    try (Database source = h2(dir.resolve("h2"));
        Database target = postgres(url, dir)) {
      SecurityStore from = new SecurityStore(source, hasher);
      from.createGroup("Staff", "people");
      from.createUser("alice", "alice-pw", Set.of("Staff", "Administrators"));
      from.createUser("bob", "bob-pw", Set.of());
      from.putAcl("StaffOnly", Set.of("Staff"), Set.of());
      from.assign("samples.cart", "StaffOnly");

      DatabaseCopy.Result result = DatabaseCopy.copy(source, target, false);

      assertThat(result.rows()).containsEntry("cohort_user", 2).containsEntry("cohort_acl_assignment", 1);
      assertThat(result.rows().keySet()).doesNotContain("cohort_node", "cohort_schema_history");
      assertThat(result.rows().keySet().stream().toList().indexOf("cohort_user"))
          .as("parents before children")
          .isLessThan(result.rows().keySet().stream().toList().indexOf("cohort_group_member"));

      SecurityStore to = new SecurityStore(target, hasher);
      assertThat(to.users()).extracting(User::name).containsExactly("alice", "bob");
      assertThat(to.user("alice").orElseThrow().groups()).containsExactlyInAnyOrder("Staff", "Administrators");
      assertThat(to.assignments()).containsEntry("samples.cart", "StaffOnly");
      assertThat(to.version()).isEqualTo(from.version());
      // The password hash moved along: alice logs in on the cluster with the same password.
      var realm = new dev.cohort.server.security.Realm(to, hasher,
          new dev.cohort.server.config.SecurityConfig(java.time.Duration.ZERO, 8192, 1), java.time.InstantSource.system());
      assertThat(realm.authenticate("alice", "alice-pw")).isPresent();
    }
  }

  @Test
  void refusesATargetWithOtherDataUnlessForced(@TempDir Path dir) {
    String url = TestPostgres.newDatabase();
    try (Database source = h2(dir.resolve("h2"));
        Database target = postgres(url, dir)) {
      new SecurityStore(source, hasher).createUser("alice", "pw", Set.of());
      new SecurityStore(target, hasher).createUser("mallory", "pw", Set.of());

      assertThatThrownBy(() -> DatabaseCopy.copy(source, target, false))
          .isInstanceOf(DatabaseException.class)
          .hasMessageContaining("cohort_user (1 row(s))")
          .hasMessageContaining("nothing was copied")
          .hasMessageContaining("--force");
      assertThat(new SecurityStore(target, hasher).users()).extracting(User::name).containsExactly("mallory");

      DatabaseCopy.copy(source, target, true);
      assertThat(new SecurityStore(target, hasher).users()).extracting(User::name).containsExactly("alice");
    }
  }

  @Test
  void copyingTwiceIsHarmless(@TempDir Path dir) {
    String url = TestPostgres.newDatabase();
    try (Database source = h2(dir.resolve("h2"));
        Database target = postgres(url, dir)) {
      new SecurityStore(source, hasher).createUser("alice", "pw", Set.of());
      DatabaseCopy.copy(source, target, false);
      DatabaseCopy.Result again = DatabaseCopy.copy(source, target, false);
      assertThat(again.rows()).containsEntry("cohort_user", 1);
    }
  }
}
