package dev.cohort.server.cluster;

import java.util.List;

/**
 * The cache view of a stateful cluster, as one member sees it.
 *
 * @param cluster the effective cluster name
 * @param self this member's name
 * @param coordinator the member that coordinates views and cache topologies
 * @param members the members of the current view, coordinator first
 * @param replication {@code all} or {@code backup}
 * @param failoverPriority {@code availability} or {@code consistency}
 * @param caches each cache's state on this member
 */
public record GridStatus(
    String cluster,
    String self,
    String coordinator,
    List<String> members,
    String replication,
    String failoverPriority,
    List<CacheStatus> caches) {

  /**
   * One cache on this member.
   *
   * @param name the cache
   * @param mode how it keeps copies (replicated or distributed, synchronous)
   * @param availability {@code available}, or {@code degraded_mode} on a side of a split that
   *     refuses reads and writes (consistency priority)
   * @param rebalancing whether entries are being moved to new owners right now
   * @param topologyId increases with every change of owners
   * @param owners the members that own its entries in the current topology
   * @param settled whether {@code owners} are exactly the view's members: false for a moment while
   *     a member joins, leaves or merges; if it lasts, this member's copies and the others' are not
   *     one cache
   * @param localEntries entries held in this member's memory (own and backup copies)
   */
  public record CacheStatus(
      String name,
      String mode,
      String availability,
      boolean rebalancing,
      int topologyId,
      List<String> owners,
      boolean settled,
      int localEntries) {}
}
