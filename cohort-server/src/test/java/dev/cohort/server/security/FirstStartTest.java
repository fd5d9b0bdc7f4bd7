package dev.cohort.server.security;

import dev.cohort.server.testing.LogCapture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.api.Caller;
import dev.cohort.server.config.SecurityConfig;
import dev.cohort.server.db.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirstStartTest {

  private static final Caller ADMINISTRATOR =
      new Caller("Administrator", Set.of("Administrators", "Everybody"));

  @TempDir Path dir;

  private final PasswordHasher hasher = TestDatabases.cheapHasher();
  private Database database;
  private SecurityStore store;

  @BeforeEach
  void open() {
    database = TestDatabases.open(dir);
    store = new SecurityStore(database, hasher);
  }

  @AfterEach
  void close() {
    database.close();
  }

  private Optional<Caller> login(String user, String password) {
    return new Realm(
            store, hasher, new SecurityConfig(Duration.ZERO, 8192, 1), InstantSource.system())
        .authenticate(user, password);
  }

  @Test
  void createsTheAdministratorOnceAndShowsTheGeneratedPasswordOnce() {
    Optional<String> password = FirstStart.ensureAdministrator(store, Optional.empty());

    assertThat(password)
        .hasValueSatisfying(p -> assertThat(p).matches("[" + FirstStart.ALPHABET + "]{24}"));
    assertThat(login("Administrator", password.get())).contains(ADMINISTRATOR);

    long version = store.version();
    assertThat(FirstStart.ensureAdministrator(store, Optional.empty())).isEmpty();
    assertThat(store.users())
        .containsExactly(new User("Administrator", false, Set.of("Administrators")));
    assertThat(store.version()).as("nothing changed the second time").isEqualTo(version);
    assertThat(login("Administrator", password.get())).isPresent();
  }

  @Test
  void generatedPasswordsAvoidLookAlikesAndDiffer() {
    String first = FirstStart.generatePassword();

    assertThat(first).hasSize(24).doesNotContainPattern("[0O1lIo]");
    assertThat(FirstStart.generatePassword()).isNotEqualTo(first);
  }

  @Test
  void honoursThePresetPasswordAndShowsNothing() {
    assertThat(FirstStart.ensureAdministrator(store, Optional.of("from-the-environment")))
        .isEmpty();

    assertThat(login("Administrator", "from-the-environment")).contains(ADMINISTRATOR);
  }

  @Test
  void anEmptyPresetCountsAsNone() {
    Optional<String> password = FirstStart.ensureAdministrator(store, Optional.of(""));

    assertThat(password).isPresent();
    assertThat(login("Administrator", password.get())).isPresent();
  }

  @Test
  void leavesANodeWithAnotherAdministratorAlone() {
    store.createUser("root", "pw", Set.of("Administrators"));

    assertThat(FirstStart.ensureAdministrator(store, Optional.of("preset"))).isEmpty();

    assertThat(store.user("Administrator")).isEmpty();
  }

  @Test
  void repairsADisabledAdministratorKeepingItsOtherGroups() {
    store.createGroup("ops", "");
    store.createUser("Administrator", "forgotten", Set.of("Administrators", "ops"));
    // e.g. disabled directly in the database; the store itself refuses to disable the last one
    database.inTransaction(
        c -> c.createStatement().executeUpdate("UPDATE cohort_user SET disabled = TRUE"));
    assertThat(store.hasAdministrator()).isFalse();

    Optional<String> password = FirstStart.ensureAdministrator(store, Optional.empty());

    assertThat(password).isPresent();
    assertThat(store.user("Administrator"))
        .contains(new User("Administrator", false, Set.of("Administrators", "ops")));
    assertThat(login("Administrator", "forgotten")).isEmpty();
    assertThat(login("Administrator", password.get())).isPresent();
  }

  @Test
  void putsAnAdministratorUserThatLeftTheGroupBack() {
    store.createUser("Administrator", "old", Set.of());

    assertThat(FirstStart.ensureAdministrator(store, Optional.of("new"))).isEmpty();

    assertThat(login("Administrator", "new")).contains(ADMINISTRATOR);
    assertThat(login("Administrator", "old")).isEmpty();
  }

  @Test
  void nodesStartingTogetherCreateOneAdministrator() throws Exception {
    SecurityStore otherNode = new SecurityStore(database, hasher);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<Optional<String>> a =
          threads.submit(() -> FirstStart.ensureAdministrator(store, Optional.empty()));
      Future<Optional<String>> b =
          threads.submit(() -> FirstStart.ensureAdministrator(otherNode, Optional.empty()));

      List<Optional<String>> shown = List.of(a.get(), b.get());

      assertThat(shown.stream().filter(Optional::isPresent)).hasSize(1);
      String password = shown.stream().flatMap(Optional::stream).findFirst().orElseThrow();
      assertThat(login("Administrator", password)).isPresent();
      assertThat(store.users()).hasSize(1);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void neverLogsThePassword() {
    store.createUser("Administrator", "old", Set.of());
    Optional<String> password;
    List<String> messages;
    try (LogCapture log = new LogCapture()) {
      password = FirstStart.ensureAdministrator(store, Optional.empty());
      messages = log.messages();
    }

    assertThat(messages).isNotEmpty().noneMatch(m -> m.contains(password.orElseThrow()));
  }
}
