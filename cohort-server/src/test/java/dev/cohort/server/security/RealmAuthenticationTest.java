package dev.cohort.server.security;

import dev.cohort.server.testing.MutableClock;

import dev.cohort.server.testing.LogCapture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.api.Caller;
import dev.cohort.server.config.SecurityConfig;
import dev.cohort.server.db.Database;
import dev.cohort.server.db.DatabaseException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealmAuthenticationTest {

  private static final Duration TTL = Duration.ofMinutes(5);

  @TempDir Path dir;

  private final PasswordHasher hasher = TestDatabases.cheapHasher();
  private final MutableClock clock = new MutableClock(java.time.Instant.parse("2025-01-01T00:00:00Z"));
  private Database database;
  private SecurityStore store;
  private Realm realm;

  @BeforeEach
  void open() {
    database = TestDatabases.open(dir);
    store = new SecurityStore(database, hasher);
    store.createGroup("sales", "");
    store.createUser("bob", "secret", Set.of("sales"));
    realm = realmWithTtl(TTL);
  }

  @AfterEach
  void close() {
    database.close();
  }

  private Realm realmWithTtl(Duration ttl) {
    return new Realm(store, hasher, new SecurityConfig(ttl, 8192, 1), clock);
  }

  @Test
  void aUserIsTheirGroupsPlusEverybody() {
    assertThat(realm.authenticate("bob", "secret"))
        .contains(new Caller("bob", Set.of("sales", "Everybody")));
    assertThat(realm.caller("bob")).contains(new Caller("bob", Set.of("sales", "Everybody")));
  }

  @Test
  void aWrongPasswordOrUnknownUserFailsAfterRunningTheHash() {
    assertThat(realm.authenticate("bob", "Secret")).isEmpty();
    assertThat(realm.authenticate("bob", "")).isEmpty();
    assertThat(realm.authenticate("mallory", "secret")).isEmpty();
    assertThat(realm.caller("mallory")).isEmpty();

    // the unknown user costs a hash too, so timing does not reveal who exists
    assertThat(realm.passwordHashRuns()).isEqualTo(3);
  }

  @Test
  void nullsAreNobody() {
    assertThat(realm.authenticate(null, "secret")).isEmpty();
    assertThat(realm.authenticate("bob", null)).isEmpty();
    assertThat(realm.caller(null)).isEmpty();
  }

  @Test
  void aDisabledUserCannotAuthenticate() {
    store.createUser("carol", "pw", Set.of());
    store.setDisabled("carol", true);
    realm.refresh();

    assertThat(realm.authenticate("carol", "pw")).isEmpty();
    assertThat(realm.caller("carol")).isEmpty();
  }

  @Test
  void theAnonymousCallerIsOnlyInAnonymous() {
    Caller anonymous = realm.anonymous();

    assertThat(anonymous).isEqualTo(new Caller("Anonymous", Set.of("Anonymous")));
    assertThat(anonymous.anonymous()).isTrue();
  }

  @Test
  void aRepeatedLoginIsServedFromTheCacheWithoutHashing() {
    assertThat(realm.authenticate("bob", "secret")).isPresent();
    for (int i = 0; i < 100; i++) {
      assertThat(realm.authenticate("bob", "secret")).isPresent();
    }

    assertThat(realm.passwordHashRuns()).isEqualTo(1);
  }

  @Test
  void aWrongPasswordIsNeverServedFromTheCache() {
    realm.authenticate("bob", "secret");

    assertThat(realm.authenticate("bob", "secret ")).isEmpty();
    assertThat(realm.authenticate("bob", "secre")).isEmpty();
    assertThat(realm.passwordHashRuns()).isEqualTo(3);
  }

  @Test
  void aPasswordChangeEndsTheCachedLoginAtTheNextRefresh() {
    assertThat(realm.authenticate("bob", "secret")).isPresent();

    store.setPassword("bob", "changed");
    realm.refresh();

    assertThat(realm.authenticate("bob", "secret")).isEmpty();
    assertThat(realm.authenticate("bob", "changed")).isPresent();
  }

  @Test
  void disablingAUserEndsTheCachedLoginAtTheNextRefresh() {
    assertThat(realm.authenticate("bob", "secret")).isPresent();

    store.setDisabled("bob", true);
    realm.refresh();

    assertThat(realm.authenticate("bob", "secret")).isEmpty();
    assertThat(realm.caller("bob")).isEmpty();
  }

  @Test
  void removingAndRecreatingAUserEndsTheCachedLogin() {
    assertThat(realm.authenticate("bob", "secret")).isPresent();

    store.deleteUser("bob");
    realm.refresh();
    assertThat(realm.authenticate("bob", "secret")).isEmpty();

    store.createUser("bob", "secret", Set.of());
    realm.refresh();
    long runs = realm.passwordHashRuns();
    assertThat(realm.authenticate("bob", "secret"))
        .contains(new Caller("bob", Set.of("Everybody")));
    assertThat(realm.passwordHashRuns()).isEqualTo(runs + 1);
  }

  @Test
  void aCachedLoginExpiresAfterTheTtl() {
    realm.authenticate("bob", "secret");

    clock.advance(TTL.minusMillis(1));
    assertThat(realm.authenticate("bob", "secret")).isPresent();
    assertThat(realm.passwordHashRuns()).isEqualTo(1);

    clock.advance(Duration.ofMillis(1));
    assertThat(realm.authenticate("bob", "secret")).isPresent();
    assertThat(realm.passwordHashRuns()).isEqualTo(2);
  }

  @Test
  void aZeroTtlHashesEveryTime() {
    Realm uncached = realmWithTtl(Duration.ZERO);

    for (int i = 0; i < 3; i++) {
      assertThat(uncached.authenticate("bob", "secret")).isPresent();
    }

    assertThat(uncached.passwordHashRuns()).isEqualTo(3);
  }

  @Test
  void refreshReloadsOnlyWhenTheVersionChanged() {
    // a change that does not bump the version is not picked up ...
    database.inTransaction(
        c -> c.createStatement().executeUpdate("UPDATE cohort_user SET disabled = TRUE"));
    realm.refresh();
    assertThat(realm.caller("bob")).isPresent();

    // ... until the version moves
    database.inTransaction(
        c ->
            c.createStatement()
                .executeUpdate("UPDATE cohort_security_version SET version = version + 1"));
    realm.refresh();
    assertThat(realm.caller("bob")).isEmpty();
  }

  @Test
  void periodicRefreshPicksUpChangesMadeThroughAnotherNode() {
    SecurityStore otherNode = new SecurityStore(database, hasher);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      realm.startRefreshing(scheduler, Duration.ofMillis(20));

      otherNode.createUser("dave", "pw", Set.of());

      await().atMost(Duration.ofSeconds(10)).until(() -> realm.caller("dave").isPresent());
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void logsInFromTheLastSnapshotWhileTheDatabaseIsDown() {
    database.close();

    assertThatThrownBy(realm::refresh).isInstanceOf(DatabaseException.class);
    assertThat(realm.authenticate("bob", "secret")).isPresent();
    assertThat(realm.caller("bob")).isPresent();
  }

  @Test
  void periodicRefreshSurvivesDatabaseFailuresAndWarnsOnce() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (LogCapture log = new LogCapture()) {
      var task = realm.startRefreshing(scheduler, Duration.ofMillis(10));
      database.close();

      // the task keeps running (an exception escaping it would cancel it) and warns once
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !task.isDone());
      assertThat(log.messages()).filteredOn(m -> m.startsWith("COH.0400.0001W")).hasSize(1);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void refusesANonPositiveRefreshInterval() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      assertThatThrownBy(() -> realm.startRefreshing(scheduler, Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class);
    } finally {
      scheduler.shutdownNow();
    }
  }
}
