package dev.cohort.it;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The nodes clients spread their calls over, as a client-side load balancer sees them: a node
 * that refused a connection is left out until the test puts a restarted process in its place.
 */
final class Rotation {

  private final AtomicReferenceArray<NodeProcess> nodes;
  private final Set<NodeProcess> unreachable = ConcurrentHashMap.newKeySet();

  Rotation(List<NodeProcess> nodes) {
    this.nodes = new AtomicReferenceArray<>(nodes.toArray(NodeProcess[]::new));
  }

  /**
   * The node at {@code turn} (modulo their number), or the first after it that has not refused a
   * connection; that one, if all have.
   */
  NodeProcess pick(int turn) {
    int n = nodes.length();
    for (int i = 0; i < n; i++) {
      NodeProcess node = nodes.get(Math.floorMod(turn + i, n));
      if (!unreachable.contains(node)) {
        return node;
      }
    }
    return nodes.get(Math.floorMod(turn, n));
  }

  /** The node named {@code name}. */
  NodeProcess named(String name) {
    for (int i = 0; i < nodes.length(); i++) {
      if (nodes.get(i).name.equals(name)) {
        return nodes.get(i);
      }
    }
    throw new IllegalArgumentException("no node " + name);
  }

  void unreachable(NodeProcess node) {
    unreachable.add(node);
  }

  /** Puts {@code restarted} in the place of {@code dead}: calls reach it from now on. */
  void replace(NodeProcess dead, NodeProcess restarted) {
    for (int i = 0; i < nodes.length(); i++) {
      nodes.compareAndSet(i, dead, restarted);
    }
  }
}
