package dev.cohort.server.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is in a stateful cluster: the members of the cluster transport's current view (JGroups),
 * which notices a crashed member within milliseconds, described with what each one registered in
 * the shared database (URLs, version, packages, clock skew).
 */
public final class GridMembership implements ClusterView {

  private final DatabaseMembership registry;
  private final Grid grid;

  public GridMembership(DatabaseMembership registry, Grid grid) {
    this.registry = registry;
    this.grid = grid;
  }

  @Override
  public View current() {
    View registered = registry.current();
    Set<String> inView = Set.copyOf(grid.members());
    List<Member> members = new ArrayList<>();
    for (Member m : registered.members()) {
      boolean live = inView.contains(m.name()) && !m.state().equals("stopped");
      members.add(
          new Member(
              m.name(), m.url(), m.adminUrl(), m.version(), m.state(), m.startedAt(),
              m.lastHeartbeat(), m.heartbeatAgeMillis(), m.clockSkewMillis(), live,
              m.packagesFingerprint(), m.securityVersion()));
    }
    Set<String> known = members.stream().map(Member::name).collect(Collectors.toSet());
    for (String name : inView) {
      if (!known.contains(name)) {
        // In the transport's view but not registered yet (it is starting): not serving.
        members.add(new Member(name, "", "", "", "starting", null, null, -1, 0, true, "", 0));
      }
    }
    return new View(registered.cluster(), members, View.epochOf(members));
  }

  @Override
  public Optional<Grid> grid() {
    return Optional.of(grid);
  }

  @Override
  public void refresh() {
    registry.refresh();
  }

  @Override
  public void close() {
    registry.close();
  }
}
