package dev.cohort.server.cluster;

import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/** The view of a standalone node: itself, always live. */
public final class SingleNode implements ClusterView {

  private final Self self;
  private final Supplier<String> state;
  private final Instant startedAt = Instant.now();

  public SingleNode(Self self, Supplier<String> state) {
    this.self = self;
    this.state = state;
  }

  @Override
  public View current() {
    Member me =
        new Member(
            self.name(), self.url(), self.adminUrl(), self.version(), state.get(), startedAt,
            Instant.now(), 0, 0, true, self.packagesFingerprint(), 0);
    return new View("", List.of(me), View.epochOf(List.of(me)));
  }

  @Override
  public void refresh() {}

  @Override
  public void close() {}
}
