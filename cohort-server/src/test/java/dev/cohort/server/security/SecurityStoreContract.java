package dev.cohort.server.security;

import static dev.cohort.server.security.SecurityStoreException.Kind.CONFLICT;
import static dev.cohort.server.security.SecurityStoreException.Kind.INVALID;
import static dev.cohort.server.security.SecurityStoreException.Kind.NOT_FOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.cohort.server.db.Database;
import dev.cohort.server.security.SecurityStoreException.Kind;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every database behind {@link SecurityStore} must do; run against H2 and PostgreSQL.
 */
abstract class SecurityStoreContract {

  /** A fresh, migrated database. */
  abstract Database openDatabase(Path dir);

  @TempDir Path dir;

  private Database database;
  private SecurityStore store;
  private final PasswordHasher hasher = TestDatabases.cheapHasher();

  @BeforeEach
  void open() {
    database = openDatabase(dir);
    store = new SecurityStore(database, hasher);
  }

  @AfterEach
  void close() {
    database.close();
  }

  // ---- the migrated schema

  @Test
  void aFreshDatabaseHasTheBuiltInGroupsAndAclsAndNoUsers() {
    assertThat(store.users()).isEmpty();
    assertThat(store.hasAdministrator()).isFalse();
    assertThat(store.groups())
        .extracting(Group::name, Group::builtIn)
        .containsExactly(
            tuple("Administrators", true), tuple("Anonymous", true), tuple("Everybody", true));
    assertThat(store.acls())
        .containsExactly(
            new Acl("Administrators", Set.of("Administrators"), Set.of(), true),
            new Acl("Anonymous", Set.of("Everybody", "Anonymous"), Set.of(), true),
            new Acl("Default", Set.of("Everybody"), Set.of(), true));
    assertThat(store.assignments()).isEmpty();
  }

  // ---- users

  @Test
  void createsReadsAndListsUsersWithoutTheirHashes() {
    store.createGroup("sales", "Sales people");
    store.createUser("bob", "pw", Set.of("sales"));
    store.createUser("alice@example.com", "pw", Set.of());

    assertThat(store.users())
        .containsExactly(
            new User("alice@example.com", false, Set.of()),
            new User("bob", false, Set.of("sales")));
    assertThat(store.user("bob")).contains(new User("bob", false, Set.of("sales")));
    assertThat(store.user("carol")).isEmpty();
  }

  @Test
  void storesAnArgon2idHashThatVerifiesThePassword() {
    store.createUser("bob", "first", Set.of());
    store.setPassword("bob", "second");

    String hash = store.snapshot().accounts().get("bob").passwordHash();
    assertThat(hash).startsWith("$argon2id$v=19$m=8192,t=1,p=1$");
    assertThat(hasher.verify("second", hash)).isTrue();
    assertThat(hasher.verify("first", hash)).isFalse();
  }

  @Test
  void changesGroupsAndDisabledFlagAndDeletes() {
    store.createGroup("sales", "");
    store.createGroup("ops", "");
    store.createUser("bob", "pw", Set.of("sales"));

    store.setGroups("bob", Set.of("ops", "sales"));
    store.setDisabled("bob", true);
    assertThat(store.user("bob")).contains(new User("bob", true, Set.of("ops", "sales")));

    store.setDisabled("bob", false);
    store.deleteUser("bob");
    assertThat(store.user("bob")).isEmpty();
    assertThat(store.users()).isEmpty();
  }

  @Test
  void refusesADuplicateUser() {
    store.createUser("bob", "pw", Set.of());

    assertRefused(() -> store.createUser("bob", "other", Set.of()), CONFLICT, "'bob' exists");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "has space",
        "slash/",
        "colon:",
        "ümlaut",
        "quote'",
        "sixty-five-characters-are-one-too-many-for-a-name-xxxxxxxxxxxxxxx"
      })
  void refusesInvalidNames(String name) {
    assertRefused(() -> store.createUser(name, "pw", Set.of()), INVALID, "invalid user name");
    assertRefused(() -> store.createGroup(name, ""), INVALID, "invalid group name");
    assertRefused(() -> store.putAcl(name, Set.of(), Set.of()), INVALID, "invalid ACL name");
  }

  @Test
  void acceptsNamesOfSixtyFourLettersDigitsAndPunctuation() {
    String name = "a.b_c-d@e" + "x".repeat(55);
    store.createUser(name, "pw", Set.of());

    assertThat(store.user(name)).isPresent();
  }

  @Test
  void refusesAnEmptyPassword() {
    assertRefused(() -> store.createUser("bob", "", Set.of()), INVALID, "password");
    store.createUser("bob", "pw", Set.of());
    assertRefused(() -> store.setPassword("bob", ""), INVALID, "password");
  }

  @Test
  void refusesTheReservedUserNameAnonymous() {
    assertRefused(() -> store.createUser("Anonymous", "pw", Set.of()), INVALID, "reserved");
  }

  @Test
  void refusesUnknownGroupsNamingThem() {
    assertRefused(() -> store.createUser("bob", "pw", Set.of("ghosts")), NOT_FOUND, "'ghosts'");
    assertThat(store.user("bob")).isEmpty();

    store.createUser("bob", "pw", Set.of());
    assertRefused(() -> store.setGroups("bob", Set.of("ghosts")), NOT_FOUND, "'ghosts'");
  }

  @Test
  void refusesPuttingUsersInTheImplicitGroups() {
    assertRefused(() -> store.createUser("bob", "pw", Set.of("Everybody")), INVALID, "implicit");
    store.createUser("bob", "pw", Set.of());
    assertRefused(() -> store.setGroups("bob", Set.of("Anonymous")), INVALID, "implicit");
  }

  @Test
  void changesToAnUnknownUserAreNotFound() {
    assertRefused(() -> store.setPassword("ghost", "pw"), NOT_FOUND, "'ghost'");
    assertRefused(() -> store.setGroups("ghost", Set.of()), NOT_FOUND, "'ghost'");
    assertRefused(() -> store.setDisabled("ghost", true), NOT_FOUND, "'ghost'");
    assertRefused(() -> store.deleteUser("ghost"), NOT_FOUND, "'ghost'");
  }

  // ---- the last administrator

  @Test
  void keepsTheLastEnabledAdministrator() {
    store.createUser("root", "pw", Set.of("Administrators"));
    assertThat(store.hasAdministrator()).isTrue();

    String message = "would leave the node without an administrator";
    assertRefused(() -> store.deleteUser("root"), CONFLICT, message);
    assertRefused(() -> store.setDisabled("root", true), CONFLICT, message);
    assertRefused(() -> store.setGroups("root", Set.of()), CONFLICT, message);
    assertThat(store.user("root")).contains(new User("root", false, Set.of("Administrators")));
  }

  @Test
  void anAdministratorMayGoWhenAnotherEnabledOneRemains() {
    store.createUser("root", "pw", Set.of("Administrators"));
    store.createUser("second", "pw", Set.of("Administrators"));
    store.createUser("disabled", "pw", Set.of("Administrators"));
    store.setDisabled("disabled", true);

    store.deleteUser("root");

    assertThat(store.hasAdministrator()).isTrue();
    assertRefused(() -> store.deleteUser("second"), CONFLICT, "without an administrator");
    store.deleteUser("disabled");
  }

  @Test
  void concurrentRemovalsOfTwoLastAdministratorsLeaveOne() throws Exception {
    SecurityStore otherNode = new SecurityStore(database, hasher);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        String a = "a" + round;
        String b = "b" + round;
        store.createUser(a, "pw", Set.of("Administrators"));
        store.createUser(b, "pw", Set.of("Administrators"));
        for (User previous : store.users()) {
          if (!previous.name().equals(a) && !previous.name().equals(b)) {
            store.deleteUser(previous.name());
          }
        }

        Future<Kind> deleteA = threads.submit(outcome(() -> store.deleteUser(a)));
        Future<Kind> disableB = threads.submit(outcome(() -> otherNode.setDisabled(b, true)));

        assertThat(Arrays.asList(deleteA.get(), disableB.get())).containsOnlyOnce(CONFLICT);
        assertThat(store.hasAdministrator()).isTrue();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** Null on success, the kind of refusal otherwise. */
  private static Callable<Kind> outcome(Runnable change) {
    return () -> {
      try {
        change.run();
        return null;
      } catch (SecurityStoreException e) {
        return e.kind();
      }
    };
  }

  // ---- groups

  @Test
  void createsAndDeletesGroups() {
    store.createGroup("sales", "Sales people");
    store.createUser("bob", "pw", Set.of("sales"));
    store.putAcl("orders", Set.of("sales"), Set.of());

    store.deleteGroup("sales");

    assertThat(store.groups()).extracting(Group::name).doesNotContain("sales");
    assertThat(store.user("bob")).contains(new User("bob", false, Set.of()));
    assertThat(store.acls()).contains(new Acl("orders", Set.of(), Set.of(), false));
  }

  @Test
  void groupErrors() {
    store.createGroup("sales", "");
    assertRefused(() -> store.createGroup("sales", ""), CONFLICT, "'sales' exists");
    assertRefused(() -> store.createGroup("long", "d".repeat(513)), INVALID, "512");
    assertRefused(() -> store.deleteGroup("ghosts"), NOT_FOUND, "'ghosts'");
    for (String builtIn : List.of("Administrators", "Everybody", "Anonymous")) {
      assertRefused(() -> store.deleteGroup(builtIn), CONFLICT, "built in");
    }
  }

  // ---- ACLs

  @Test
  void createsReplacesAndDeletesAcls() {
    store.createGroup("sales", "");
    store.createGroup("interns", "");

    store.putAcl("orders", Set.of("sales"), Set.of("interns"));
    assertThat(store.acls()).contains(new Acl("orders", Set.of("sales"), Set.of("interns"), false));

    store.putAcl("orders", Set.of("sales", "Everybody"), Set.of());
    assertThat(store.acls())
        .contains(new Acl("orders", Set.of("sales", "Everybody"), Set.of(), false))
        .hasSize(4);

    store.deleteAcl("orders");
    assertThat(store.acls()).extracting(Acl::name).doesNotContain("orders");
  }

  @Test
  void aBuiltInAclCanBeChangedButNotRemoved() {
    store.createGroup("staff", "");

    store.putAcl("Default", Set.of("staff"), Set.of());

    assertThat(store.acls()).contains(new Acl("Default", Set.of("staff"), Set.of(), true));
    for (String builtIn : List.of("Default", "Administrators", "Anonymous")) {
      assertRefused(() -> store.deleteAcl(builtIn), CONFLICT, "built in");
    }
  }

  @Test
  void aclErrors() {
    store.createGroup("sales", "");
    assertRefused(
        () -> store.putAcl("orders", Set.of("sales"), Set.of("ghosts")), NOT_FOUND, "'ghosts'");
    assertRefused(
        () -> store.putAcl("orders", Set.of("sales"), Set.of("sales")),
        INVALID,
        "both allowed and denied");
    assertRefused(() -> store.deleteAcl("orders"), NOT_FOUND, "'orders'");
    assertThat(store.acls()).extracting(Acl::name).doesNotContain("orders");
  }

  @Test
  void anAssignedAclCannotBeRemoved() {
    store.putAcl("orders", Set.of("Everybody"), Set.of());
    store.assign("samples.orders", "orders");

    assertRefused(() -> store.deleteAcl("orders"), CONFLICT, "[samples.orders]");

    store.unassign("samples.orders");
    store.deleteAcl("orders");
  }

  // ---- assignments

  @Test
  void assignsReplacesAndUnassigns() {
    store.putAcl("orders", Set.of("Everybody"), Set.of());

    store.assign("samples.orders", "orders");
    store.assign("samples.orders:place", "Administrators");
    store.assign("samples.orders", "Anonymous");

    assertThat(store.assignments())
        .containsExactly(
            Map.entry("samples.orders", "Anonymous"),
            Map.entry("samples.orders:place", "Administrators"));

    store.unassign("samples.orders");
    assertThat(store.assignments()).containsOnlyKeys("samples.orders:place");
  }

  @ParameterizedTest
  @ValueSource(strings = {"samples", "a.b.c", "_x.y_1", "a:b", "samples.cart:addItem"})
  void acceptsFoldersAndServicesAsTargets(String target) {
    store.assign(target, "Default");

    assertThat(store.assignments()).containsEntry(target, "Default");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a..b", ".a", "a.", "a:b:c", "a:", ":b", "1a", "a.1b", "a b", "a-b"})
  void refusesTargetsThatAreNeitherFolderNorService(String target) {
    assertRefused(() -> store.assign(target, "Default"), INVALID, "invalid ACL target");
  }

  @Test
  void assignmentErrors() {
    String tooLong = "a" + ".b".repeat(127);
    assertThat(tooLong).hasSize(255);
    store.assign(tooLong, "Default");
    assertRefused(() -> store.assign(tooLong + "c", "Default"), INVALID, "255");
    assertRefused(() -> store.assign("samples", "ghost"), NOT_FOUND, "'ghost'");
    assertRefused(() -> store.unassign("samples"), NOT_FOUND, "'samples'");
  }

  // ---- the version

  @Test
  void everyChangeBumpsTheVersionOnce() {
    List<Runnable> changes =
        List.of(
            () -> store.createGroup("sales", ""),
            () -> store.createUser("bob", "pw", Set.of("sales")),
            () -> store.setPassword("bob", "pw2"),
            () -> store.setGroups("bob", Set.of()),
            () -> store.setDisabled("bob", true),
            () -> store.putAcl("orders", Set.of("sales"), Set.of()),
            () -> store.assign("samples", "orders"),
            () -> store.unassign("samples"),
            () -> store.deleteAcl("orders"),
            () -> store.deleteUser("bob"),
            () -> store.deleteGroup("sales"));

    for (Runnable change : changes) {
      long before = store.version();
      change.run();
      assertThat(store.version()).isEqualTo(before + 1);
    }
  }

  @Test
  void aRefusedChangeLeavesTheVersionAndTheDataAlone() {
    store.createUser("bob", "pw", Set.of());
    long before = store.version();

    assertRefused(() -> store.createUser("bob", "pw", Set.of()), CONFLICT, "exists");
    assertRefused(() -> store.setGroups("bob", Set.of("ghosts")), NOT_FOUND, "ghosts");
    assertRefused(() -> store.deleteGroup("Everybody"), CONFLICT, "built in");

    assertThat(store.version()).isEqualTo(before);
    assertThat(store.user("bob")).contains(new User("bob", false, Set.of()));
  }

  @Test
  void theSnapshotHoldsEverythingTheRealmNeeds() {
    store.createGroup("sales", "");
    store.createUser("bob", "pw", Set.of("sales"));
    store.setDisabled("bob", true);
    store.putAcl("orders", Set.of("sales"), Set.of());
    store.assign("samples", "orders");

    SecuritySnapshot snapshot = store.snapshot();

    assertThat(snapshot.version()).isEqualTo(store.version());
    SecuritySnapshot.Account bob = snapshot.accounts().get("bob");
    assertThat(bob.disabled()).isTrue();
    assertThat(bob.groups()).containsExactly("sales");
    assertThat(hasher.verify("pw", bob.passwordHash())).isTrue();
    assertThat(bob.toString()).doesNotContain(bob.passwordHash());
    assertThat(snapshot.acls()).containsKeys("orders", "Default", "Administrators", "Anonymous");
    assertThat(snapshot.assignments()).containsExactly(Map.entry("samples", "orders"));
  }

  private static void assertRefused(ThrowingCallable change, Kind kind, String message) {
    assertThatThrownBy(change)
        .isInstanceOfSatisfying(
            SecurityStoreException.class, e -> assertThat(e.kind()).isEqualTo(kind))
        .hasMessageContaining(message);
  }
}
