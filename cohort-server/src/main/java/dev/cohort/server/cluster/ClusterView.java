package dev.cohort.server.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Who is in the cluster, as this node sees it: the database registry in a stateless cluster,
 * just this node when standalone, the cluster transport's view in a stateful cluster.
 */
public interface ClusterView extends AutoCloseable {

  /** The current view. */
  View current();

  /** The data grid of a stateful cluster (cache view, failover actions); empty otherwise. */
  default java.util.Optional<Grid> grid() {
    return java.util.Optional.empty();
  }

  /** Forgets the member list; live members re-register at their next heartbeat. */
  void refresh();

  @Override
  void close();

  /**
   * A snapshot of the membership.
   *
   * @param cluster the effective cluster name, or empty when standalone
   * @param members every member known, live or not, in name order
   * @param epoch changes whenever the set of serving members or their URLs changes; the same set
   *     gives the same epoch on every node
   */
  record View(String cluster, List<Member> members, String epoch) {

    public View {
      members = members.stream().sorted(Comparator.comparing(Member::name)).toList();
    }

    /**
     * For each live member that differs from the majority of live members in what it runs, what
     * differs: {@code version}, {@code packages} or {@code users/ACLs}. Empty when all agree (or
     * there is one member). Where no value holds a majority, every member is flagged.
     */
    @com.fasterxml.jackson.annotation.JsonProperty("mismatches")
    public java.util.Map<String, List<String>> mismatches() {
      List<Member> live = members.stream().filter(Member::live).toList();
      java.util.Map<String, List<String>> flagged = new java.util.TreeMap<>();
      flag(live, Member::version, "version", flagged);
      flag(live, Member::packagesFingerprint, "packages", flagged);
      flag(live, m -> Long.toString(m.securityVersion()), "users/ACLs", flagged);
      return flagged;
    }

    private static void flag(
        List<Member> live,
        java.util.function.Function<Member, String> field,
        String what,
        java.util.Map<String, List<String>> flagged) {
      java.util.Map<String, Long> counts =
          live.stream().collect(java.util.stream.Collectors.groupingBy(field, java.util.stream.Collectors.counting()));
      if (counts.size() <= 1) {
        return;
      }
      long top = java.util.Collections.max(counts.values());
      boolean unique = counts.values().stream().filter(c -> c == top).count() == 1;
      for (Member m : live) {
        if (!unique || counts.get(field.apply(m)) != top) {
          flagged.computeIfAbsent(m.name(), k -> new java.util.ArrayList<>()).add(what);
        }
      }
    }

    /** The members clients should use now: live and ready. */
    public List<Member> serving() {
      return members.stream().filter(Member::serving).toList();
    }

    /** The epoch of {@code members}' serving part. */
    static String epochOf(List<Member> members) {
      try {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        members.stream()
            .filter(Member::serving)
            .sorted(Comparator.comparing(Member::name))
            .forEach(m -> digest.update((m.name() + '\n' + m.url() + '\n').getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
      }
    }
  }
}
