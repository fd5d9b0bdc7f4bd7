package dev.cohort.server.http;

import dev.cohort.server.cluster.ClusterView;
import dev.cohort.server.cluster.Member;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /cluster/members}: the URLs of the members that serve (live and ready) and an epoch that changes with
 * membership, for failover-aware clients. Needs an authenticated caller (it names hosts).
 */
final class ClusterRoute {

  private final Authentication authentication;
  private final ClusterView cluster;

  ClusterRoute(Authentication authentication, ClusterView cluster) {
    this.authentication = authentication;
    this.cluster = cluster;
  }

  void members(Exchange exchange) {
    if (authentication.identify(exchange).anonymous()) {
      throw new CohortError(ErrorCode.UNAUTHENTICATED, "the member list needs credentials or a session");
    }
    ClusterView.View view = cluster.current();
    List<Map<String, String>> members =
        view.serving().stream().map(ClusterRoute::describe).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("cluster", view.cluster());
    body.put("epoch", view.epoch());
    // Clients of a stateless cluster do not retry on other members (seed: pub.remote:invoke).
    body.put(
        "mode",
        cluster.grid().isPresent() ? "stateful" : view.cluster().isEmpty() ? "standalone" : "stateless");
    body.put("members", members);
    exchange.json(200, body);
  }

  private static Map<String, String> describe(Member m) {
    Map<String, String> member = new LinkedHashMap<>();
    member.put("name", m.name());
    member.put("url", m.url());
    return member;
  }
}
