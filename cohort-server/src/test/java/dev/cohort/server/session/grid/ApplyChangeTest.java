package dev.cohort.server.session.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules {@link ApplyChange} follows on each copy. The race they guard against (a new owner
 * during a rebalance) is exercised for real by {@code StatefulFailoverIT}'s backup-mode tests;
 * here each rule is pinned down on one copy.
 */
class ApplyChangeTest {

  private static final long CHANGE = 42;

  @Test
  void aBackupThatSeesTheChangeAppliedAlreadyStillWritesTheCopyItSees() {
    // A new owner during a rebalance is handed the old owners' copy, which may carry this change
    // already; its own copy (from state transfer) does not. Only a write makes it current.
    StoredSession current = session(4, List.of(CHANGE), attribute("cart", "a,b,c,d", 4));
    FakeView view = new FakeView(current);

    ChangeOutcome outcome = decided(3, 4, null).apply(view, false, null);

    assertThat(outcome.status()).isEqualTo(ChangeOutcome.SAVED_STATUS);
    assertThat(view.writes).containsExactly(current);
  }

  @Test
  void aBackupAppliesTheChangesOfADecidedChangeToItsCopy() {
    FakeView view = new FakeView(session(3, List.of(), attribute("cart", "a,b,c", 3)));

    decided(3, 4, null).apply(view, false, null);

    assertThat(view.writes).hasSize(1);
    StoredSession written = view.writes.get(0);
    assertThat(written.revision()).isEqualTo(4);
    assertThat(written.recentChanges()).containsExactly(CHANGE);
    assertThat(text(written.attributes().get(0))).isEqualTo("a,b,c,d");
    assertThat(written.attributes().get(0).version()).isEqualTo(4);
  }

  @Test
  void aBackupInstallsThePrimarysSessionWhenItCameWithTheChange() {
    StoredSession primarys = session(4, List.of(CHANGE), attribute("cart", "a,b,c,d", 4));
    FakeView view = new FakeView(null);

    decided(3, 4, primarys).apply(view, false, null);

    assertThat(view.writes).containsExactly(primarys);
  }

  @Test
  void aBackupDoesNotWriteAChangeItsPrimaryRefused() {
    ApplyChange refused =
        new ApplyChange(
            CHANGE, 0, List.of(update("cart", 2, "x")), true, ChangeOutcome.CONFLICT,
            List.of("cart"), 0, 0, null);
    FakeView view = new FakeView(session(3, List.of(), attribute("cart", "a,b,c", 3)));

    assertThat(refused.apply(view, false, null).status()).isEqualTo(ChangeOutcome.CONFLICT);
    assertThat(view.writes).isEmpty();
  }

  @Test
  void thePrimaryRefusesAChangeReadFromAnOlderVersionOfTheAttribute() {
    FakeView view = new FakeView(session(3, List.of(), attribute("cart", "a,b,c", 3)));
    ApplyChange change = new ApplyChange(CHANGE, 0, List.of(update("cart", 2, "a,b,x")));

    ChangeOutcome outcome = change.apply(view, true, null);

    assertThat(outcome.status()).isEqualTo(ChangeOutcome.CONFLICT);
    assertThat(outcome.conflicts()).containsExactly("cart");
    assertThat(view.writes).isEmpty();
  }

  @Test
  void aRetryThatFindsItsChangeAppliedIsSavedOnceAndSendsTheWholeSessionToTheBackups() {
    // The previous primary applied it and died before answering; the new primary has it.
    StoredSession current = session(4, List.of(CHANGE), attribute("cart", "a,b,c,d", 4));
    FakeView view = new FakeView(current);
    ApplyChange retry = new ApplyChange(CHANGE, 0, List.of(update("cart", 3, "a,b,c,d")));

    ChangeOutcome outcome = retry.apply(view, true, null);

    assertThat(outcome.status()).isEqualTo(ChangeOutcome.SAVED_STATUS);
    assertThat(view.writes).containsExactly(current);
    assertThat(retry.getSnapshot()).isEqualTo(current);
  }

  private static ApplyChange decided(long base, long next, StoredSession snapshot) {
    return new ApplyChange(
        CHANGE, 0, List.of(update("cart", base, "a,b,c,d")), true, ChangeOutcome.SAVED_STATUS,
        List.of(), base, next, snapshot);
  }

  private static ApplyChange.Update update(String name, long base, String value) {
    return new ApplyChange.Update(name, base, false, value.getBytes(StandardCharsets.UTF_8));
  }

  private static StoredSession.StoredAttribute attribute(String name, String value, long version) {
    return new StoredSession.StoredAttribute(name, value.getBytes(StandardCharsets.UTF_8), version);
  }

  private static String text(StoredSession.StoredAttribute a) {
    return new String(a.bytes(), StandardCharsets.UTF_8);
  }

  private static StoredSession session(
      long revision, List<Long> recent, StoredSession.StoredAttribute... attributes) {
    return new StoredSession(
        "s1", "alice", 1, 2, 1_000_000_000L, "csrf", List.of(attributes), revision, recent);
  }
}
