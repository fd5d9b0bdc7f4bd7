package dev.cohort.server.session;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.server.cluster.Grid;
import dev.cohort.server.session.grid.GridSessionStore;
import dev.cohort.server.testing.TestGrids;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code cluster.max-sessions-in-memory} (the seeds' Maximum Elements In Memory): a node keeps at
 * most that many session copies in memory; the others wait on its disk and lose nothing.
 */
class GridSessionMemoryTest {

  /** Two members that keep at most 20 session copies in memory each. */
  private Grid a;
  private Grid b;
  private GridSessionStore onA;
  private GridSessionStore onB;

  @BeforeEach
  void start() {
    List<Integer> ports = TestGrids.transportPorts(2);
    Map<String, String> sa = new HashMap<>(TestGrids.statefulSettings(ports.get(0), ports));
    Map<String, String> sb = new HashMap<>(TestGrids.statefulSettings(ports.get(1), ports));
    sa.put("cluster.max-sessions-in-memory", "20");
    sb.put("cluster.max-sessions-in-memory", "20");
    a = TestGrids.grid("a", sa);
    b = TestGrids.grid("b", sb);
    await().atMost(Duration.ofSeconds(30)).until(() -> a.members().size() == 2);
    onA = new GridSessionStore(a, 1_000);
    onB = new GridSessionStore(b, 1_000);
  }

  @AfterEach
  void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @Test
  void aNodeKeepsAtMostTheConfiguredSessionsInMemoryAndLosesNone() {
    Instant t0 = Instant.now();
    for (int i = 0; i < 100; i++) {
      onA.create(new SessionData("s" + i, "alice", t0, t0, Duration.ofMinutes(5), "c", Map.of()));
      onA.apply(
          new SessionChange(
              "s" + i,
              t0,
              Map.of("n", new SessionChange.Update(0, Optional.of(("v" + i).getBytes(UTF_8))))));
    }

    for (Grid g : List.of(a, b)) {
      int inMemory =
          g.cache(GridSessionStore.CACHE, Grid.Copies.CONFIGURED, null)
              .getDataContainer()
              .sizeIncludingExpired();
      assertThat(inMemory).isLessThanOrEqualTo(20);
    }
    assertThat(onA.size()).isEqualTo(100);
    for (int i = 0; i < 100; i++) {
      SessionData s = onB.get("s" + i).orElseThrow();
      assertThat(new String(s.attributes().get("n").bytes(), UTF_8)).isEqualTo("v" + i);
    }
    // Sessions come back from disk for a write too, and stay consistent on both members.
    assertThat(onB.apply(new SessionChange("s3", t0, Map.of("n", new SessionChange.Update(onB.get("s3").orElseThrow().attributes().get("n").version(), Optional.of("changed".getBytes(UTF_8)))))))
        .isEqualTo(new SaveResult.Saved());
    assertThat(new String(onA.get("s3").orElseThrow().attributes().get("n").bytes(), UTF_8)).isEqualTo("changed");
    assertThat(onA.sweep(t0.plus(Duration.ofMinutes(10)))).isGreaterThan(0);
    await().atMost(Duration.ofSeconds(10)).until(() -> onA.size() == 0 && onB.size() == 0);
  }

  /**
   * Most sessions never leave memory: creating and ending them must cost no disk work. (A
   * log-structured store appended a tombstone to its file for every removal, passivated or not,
   * on every member.) A session that did wait on disk is removed there too, and does not come
   * back. (A plain remove left it there: a logged-out session came back.)
   */
  @Test
  void sessionsThatNeverLeftMemoryCostNoDiskWorkAndRemovedOnesDoNotComeBack() throws Exception {
    Instant t0 = Instant.now();
    Map<Grid, Long> before = Map.of(a, diskBytes(a), b, diskBytes(b));
    for (int i = 0; i < 300; i++) {
      String id = "short" + i;
      onA.create(new SessionData(id, "alice", t0, t0, Duration.ofMinutes(5), "c", Map.of()));
      onA.apply(
          new SessionChange(
              id, t0, Map.of("n", new SessionChange.Update(0, Optional.of(new byte[100])))));
      onA.remove(id);
    }
    for (Grid g : List.of(a, b)) {
      assertThat(diskBytes(g)).as("bytes on disk after 300 short sessions").isEqualTo(before.get(g));
    }

    for (int i = 0; i < 100; i++) {
      onA.create(new SessionData("s" + i, "alice", t0, t0, Duration.ofMinutes(5), "c", Map.of()));
    }
    // A session whose copies both wait on disk: a logout must delete them there, on both members.
    var memoryOfA = a.cache(GridSessionStore.CACHE, Grid.Copies.CONFIGURED, null).getDataContainer();
    var memoryOfB = b.cache(GridSessionStore.CACHE, Grid.Copies.CONFIGURED, null).getDataContainer();
    String waiting = null;
    for (int i = 0; i < 100 && waiting == null; i++) {
      if (memoryOfA.peek("s" + i) == null && memoryOfB.peek("s" + i) == null) {
        waiting = "s" + i;
      }
    }
    assertThat(waiting).as("a session passivated on both members").isNotNull();
    assertThat(diskBytes(a)).isGreaterThan(before.get(a));
    assertThat(diskBytes(b)).isGreaterThan(before.get(b));
    onA.remove(waiting);
    assertThat(onA.get(waiting)).isEmpty();
    assertThat(onB.get(waiting)).isEmpty();
    assertThat(onA.size()).isEqualTo(99);
    assertThat(onB.size()).isEqualTo(99);
  }

  /** {@code session.max-sessions} counts the sessions on disk too. */
  @Test
  void theSessionLimitCountsTheSessionsOnDisk() {
    GridSessionStore limited = new GridSessionStore(a, 50);
    Instant t0 = Instant.now();
    for (int i = 0; i < 50; i++) {
      limited.create(new SessionData("s" + i, "alice", t0, t0, Duration.ofMinutes(5), "c", Map.of()));
    }
    assertThatThrownBy(
            () ->
                limited.create(
                    new SessionData("one-more", "alice", t0, t0, Duration.ofMinutes(5), "c", Map.of())))
        .isInstanceOf(SessionsFullException.class);
    limited.remove("s0");
    limited.create(new SessionData("one-more", "alice", t0, t0, Duration.ofMinutes(5), "c", Map.of()));
    assertThat(limited.size()).isEqualTo(50);
  }

  /** The bytes in a member's disk store of passivated grid entries. */
  private static long diskBytes(Grid grid) throws IOException {
    Path dir = TestGrids.dataDir(grid).resolve("grid");
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
