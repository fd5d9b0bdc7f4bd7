package dev.cohort.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.api.Caller;
import dev.cohort.server.config.SecurityConfig;
import dev.cohort.server.db.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealmAuthorizationTest {

  private static final Caller SALES = new Caller("bob", Set.of("sales", "Everybody"));
  private static final Caller INTERN = new Caller("ivy", Set.of("sales", "interns", "Everybody"));
  private static final Caller OTHER = new Caller("olga", Set.of("Everybody"));
  private static final Caller ADMIN = new Caller("root", Set.of("Administrators", "Everybody"));

  @TempDir Path dir;

  private Database database;
  private SecurityStore store;
  private Realm realm;

  @BeforeEach
  void open() {
    database = TestDatabases.open(dir);
    store = new SecurityStore(database, TestDatabases.cheapHasher());
    store.createGroup("sales", "");
    store.createGroup("interns", "");
    store.putAcl("orders", Set.of("sales"), Set.of("interns"));
    realm =
        new Realm(
            store,
            TestDatabases.cheapHasher(),
            new SecurityConfig(Duration.ofMinutes(5), 8192, 1),
            InstantSource.system());
  }

  @AfterEach
  void close() {
    database.close();
  }

  private Decision authorize(Caller caller, String service) {
    return realm.authorize(caller, service, AclDefaults.NONE);
  }

  @Test
  void aListedGroupIsAllowed() {
    assign("samples.orders", "orders");

    Decision decision = authorize(SALES, "samples.orders:place");

    assertThat(decision.allowed()).isTrue();
    assertThat(decision.acl()).isEqualTo("orders");
    assertThat(decision.assignedAt()).isEqualTo("samples.orders");
    assertThat(decision.reason()).contains("allowed by ACL 'orders'");
  }

  @Test
  void denyWinsOverAllow() {
    assign("samples.orders", "orders");

    Decision decision = authorize(INTERN, "samples.orders:place");

    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reason()).contains("'interns'", "denies");
  }

  @Test
  void aCallerInNoListedGroupIsDenied() {
    assign("samples.orders", "orders");

    Decision decision = authorize(OTHER, "samples.orders:place");

    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reason()).contains("not in any group");
  }

  @Test
  void theNearestAssignmentOnTheFolderPathWins() {
    assign("samples", "Administrators");
    assign("samples.orders", "orders");
    assign("samples.orders.archive:purge", "Administrators");

    assertThat(authorize(SALES, "samples.orders.archive:list"))
        .extracting(Decision::allowed, Decision::acl, Decision::assignedAt)
        .containsExactly(true, "orders", "samples.orders");
    assertThat(authorize(SALES, "samples.orders.archive:purge"))
        .extracting(Decision::allowed, Decision::acl, Decision::assignedAt)
        .containsExactly(false, "Administrators", "samples.orders.archive:purge");
    assertThat(authorize(SALES, "samples.cart:add"))
        .extracting(Decision::allowed, Decision::acl, Decision::assignedAt)
        .containsExactly(false, "Administrators", "samples");
    assertThat(authorize(ADMIN, "samples.cart:add").allowed()).isTrue();
  }

  @Test
  void aFolderNamePrefixIsNotItsParent() {
    assign("samples.order", "Administrators");

    assertThat(authorize(SALES, "samples.orders:place").acl()).isEqualTo("Default");
  }

  @Test
  void aDatabaseAssignmentBeatsTheManifestAtTheSameLevel() {
    assign("samples.orders", "orders");
    Decision decision =
        realm.authorize(
            OTHER, "samples.orders:place", manifest(Map.of("samples.orders", "Anonymous")));

    assertThat(decision.acl()).isEqualTo("orders");
    assertThat(decision.allowed()).isFalse();
  }

  @Test
  void aManifestAssignmentNearerTheServiceBeatsADatabaseOneFurtherUp() {
    assign("samples.orders", "orders");

    Decision decision =
        realm.authorize(
            realm.anonymous(),
            "samples.orders:status",
            manifest(Map.of("samples.orders:status", "Anonymous")));

    assertThat(decision)
        .extracting(Decision::allowed, Decision::acl, Decision::assignedAt)
        .containsExactly(true, "Anonymous", "samples.orders:status");
  }

  @Test
  void anAclThatDoesNotExistDenies() {
    Decision decision =
        realm.authorize(ADMIN, "samples.orders:place", manifest(Map.of("samples", "Ghost")));

    assertThat(decision)
        .extracting(Decision::allowed, Decision::acl, Decision::assignedAt)
        .containsExactly(false, "Ghost", "samples");
    assertThat(decision.reason()).contains("'Ghost'", "does not exist");
  }

  @Test
  void withoutAnyAssignmentDefaultAdmitsAuthenticatedCallersOnly() {
    Decision user = authorize(OTHER, "samples.orders:place");
    Decision anonymous = authorize(realm.anonymous(), "samples.orders:place");

    assertThat(user)
        .extracting(Decision::allowed, Decision::acl, Decision::assignedAt)
        .containsExactly(true, "Default", "(default)");
    assertThat(anonymous.allowed()).isFalse();
    assertThat(anonymous.reason()).contains("'Anonymous'", "not in any group");
  }

  @Test
  void aChangedAclTakesEffectAtTheNextRefresh() {
    store.putAcl("Default", Set.of("sales"), Set.of());
    assertThat(authorize(OTHER, "samples:x").allowed()).isTrue();

    realm.refresh();

    assertThat(authorize(OTHER, "samples:x").allowed()).isFalse();
    assertThat(authorize(SALES, "samples:x").allowed()).isTrue();
  }

  @Test
  void targetsRunFromTheServiceUpThroughItsFolders() {
    assertThat(Realm.targets("a.b.c:svc")).containsExactly("a.b.c:svc", "a.b.c", "a.b", "a");
    assertThat(Realm.targets("a:svc")).containsExactly("a:svc", "a");
    assertThat(Realm.targets("a.b")).containsExactly("a.b", "a");
  }

  private void assign(String target, String acl) {
    store.assign(target, acl);
    realm.refresh();
  }

  private static AclDefaults manifest(Map<String, String> assignments) {
    return target -> Optional.ofNullable(assignments.get(target));
  }
}
