package dev.cohort.server.cluster;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's {@link ClusterView}, set once the node knows its ports. Before that it shows an
 * empty view (the node is not ready then anyway).
 */
public final class ClusterRef implements ClusterView {

  private static final View EMPTY = new View("", List.of(), View.epochOf(List.of()));

  private final AtomicReference<ClusterView> view = new AtomicReference<>();

  public void set(ClusterView clusterView) {
    view.set(clusterView);
  }

  @Override
  public View current() {
    ClusterView v = view.get();
    return v == null ? EMPTY : v.current();
  }

  @Override
  public java.util.Optional<Grid> grid() {
    ClusterView v = view.get();
    return v == null ? java.util.Optional.empty() : v.grid();
  }

  @Override
  public void refresh() {
    ClusterView v = view.get();
    if (v != null) {
      v.refresh();
    }
  }

  @Override
  public void close() {
    ClusterView v = view.getAndSet(null);
    if (v != null) {
      v.close();
    }
  }
}
