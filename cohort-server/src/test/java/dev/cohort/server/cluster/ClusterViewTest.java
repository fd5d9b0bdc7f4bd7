package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterViewTest {

  private static Member member(String name, String version, String packages, long security, boolean live) {
    return new Member(name, "http://" + name, "http://" + name + ":9", version, "ready", Instant.EPOCH,
        Instant.EPOCH, 0, 0, live, packages, security);
  }

  @Test
  void theMemberThatDiffersFromTheMajorityIsFlaggedWithWhat() {
    var view = new ClusterView.View("c", List.of(
        member("a", "1.0", "p1", 7, true),
        member("b", "1.0", "p1", 7, true),
        member("c", "1.1", "p2", 7, true)), "e");
    assertThat(view.mismatches()).isEqualTo(Map.of("c", List.of("version", "packages")));
  }

  @Test
  void withoutAMajorityEveryoneIsFlagged() {
    var view = new ClusterView.View("c", List.of(member("a", "1", "p1", 1, true), member("b", "1", "p2", 1, true)), "e");
    assertThat(view.mismatches()).isEqualTo(Map.of("a", List.of("packages"), "b", List.of("packages")));
  }

  @Test
  void deadMembersDoNotCountAndAgreementFlagsNothing() {
    var view = new ClusterView.View("c", List.of(
        member("a", "1", "p1", 3, true),
        member("b", "1", "p1", 3, true),
        member("old", "0.9", "p0", 1, false)), "e");
    assertThat(view.mismatches()).isEmpty();
  }

  @Test
  void theEpochDependsOnlyOnWhoServesWhere() {
    List<Member> one = List.of(member("a", "1", "p", 1, true), member("b", "1", "p", 1, true));
    List<Member> same = List.of(member("b", "2", "q", 9, true), member("a", "1", "p", 1, true));
    List<Member> fewer = List.of(member("a", "1", "p", 1, true), member("b", "1", "p", 1, false));
    assertThat(ClusterView.View.epochOf(one)).isEqualTo(ClusterView.View.epochOf(same));
    assertThat(ClusterView.View.epochOf(one)).isNotEqualTo(ClusterView.View.epochOf(fewer));
  }
}
