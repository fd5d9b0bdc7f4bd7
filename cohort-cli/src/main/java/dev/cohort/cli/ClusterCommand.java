package dev.cohort.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cohort cluster ...}: what the cluster looks like from one node. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "Cluster-wide views and actions, through one node's admin API.",
    subcommands = {
      ClusterCommand.Status.class,
      ClusterCommand.Refresh.class,
      ClusterCommand.FailoverAction.class
    })
final class ClusterCommand {

  /** {@code cohort cluster status}. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Lists the cluster's members with state, URL, version, last heartbeat and clock",
        "skew. Flags members whose Cohort version, packages or loaded users/ACLs differ",
        "from the majority's. In a stateful cluster, also shows the cache view from this",
        "node: coordinator, members, replication, failover priority and, per cache, its",
        "mode, availability, rebalancing, topology id, owners and local entries; a cache",
        "that refuses sessions on this side of a split is flagged DEGRADED, one whose owners",
        "are not the view's members (not settled after a join, leave or merge) is flagged too.",
        "Exits 0 when every known member serves, all agree, no clock is off by more than",
        "--max-skew and every cache is available and settled; 3 otherwise; 1 on errors."
      })
  static final class Status implements Callable<Integer> {

    @Mixin AdminOptions admin = new AdminOptions();

    @Option(
        names = "--max-skew",
        paramLabel = "MILLIS",
        defaultValue = "1000",
        description = "Flag members whose clock differs from the database's by more (default: ${DEFAULT-VALUE} ms).")
    long maxSkew;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        JsonNode view = admin.client(System.getenv()).get("cluster");
        return print(view, out);
      } catch (CliException e) {
        spec.commandLine().getErr().println("cohort cluster status: " + e.getMessage());
        return 1;
      } finally {
        out.flush();
      }
    }

    int print(JsonNode view, PrintWriter out) {
      String cluster = view.path("cluster").asText();
      JsonNode members = view.path("members");
      int serving = 0;
      int problems = 0;
      out.println(
          cluster.isEmpty()
              ? "Standalone node (not clustered)"
              : "Cluster " + cluster + "  epoch " + view.path("epoch").asText());
      out.printf("  %-20s %-9s %-32s %-14s %-16s %s%n", "NAME", "STATE", "URL", "VERSION", "HEARTBEAT", "CLOCK SKEW");
      for (JsonNode m : members) {
        boolean live = m.path("live").asBoolean();
        String state = live ? m.path("state").asText() : "DOWN";
        long skew = m.path("clockSkewMillis").asLong();
        StringBuilder flags = new StringBuilder();
        if (live && state.equals("ready")) {
          serving++;
        } else {
          problems++;
        }
        JsonNode differs = view.path("mismatches").path(m.path("name").asText());
        if (differs.isArray() && !differs.isEmpty()) {
          problems++;
          List<String> what = new ArrayList<>();
          differs.forEach(d -> what.add(d.asText()));
          flags.append("  !! differs from the others in: ").append(String.join(", ", what));
        }
        if (live && Math.abs(skew) > maxSkew) {
          problems++;
          flags.append("  !! clock off by more than ").append(maxSkew).append(" ms");
        }
        out.printf(
            "  %-20s %-9s %-32s %-14s %-16s %+d ms%s%n",
            m.path("name").asText(),
            state,
            m.path("url").asText(),
            m.path("version").asText(),
            String.format("%.1f s ago", m.path("heartbeatAgeMillis").asLong() / 1000.0),
            skew,
            flags);
      }
      if (view.has("grid")) {
        problems += printGrid(view.path("grid"), out);
      }
      out.printf("%d of %d member(s) serving%s%n", serving, members.size(), problems == 0 ? "" : "; see the flags above");
      return problems == 0 ? 0 : 3;
    }

    /**
     * A stateful cluster's cache view, as the answering node sees it.
     *
     * @return how many caches cannot serve sessions on this node
     */
    static int printGrid(JsonNode grid, PrintWriter out) {
      out.println("Cache view from " + grid.path("self").asText());
      out.printf("  %-18s %s%n", "coordinator", grid.path("coordinator").asText());
      out.printf("  %-18s %s%n", "members", names(grid.path("members")));
      out.printf("  %-18s %s%n", "replication", grid.path("replication").asText());
      out.printf("  %-18s %s%n", "failover priority", grid.path("failoverPriority").asText());
      JsonNode caches = grid.path("caches");
      if (caches.isEmpty()) {
        out.println("  no cache runs on this node  !! it cannot serve sessions; see its log");
        return 1;
      }
      int unavailable = 0;
      out.printf(
          "  %-20s %-12s %-14s %-12s %-9s %-14s %s%n",
          "CACHE", "MODE", "AVAILABILITY", "REBALANCING", "TOPOLOGY", "LOCAL ENTRIES", "OWNERS");
      for (JsonNode c : caches) {
        String availability = c.path("availability").asText();
        String flag = "";
        if (!availability.equals("available")) {
          unavailable++;
          flag = "  !! DEGRADED: sessions refused on this side; see cohort cluster failover-action";
        } else if (!c.path("settled").asBoolean(true)) {
          // Its owners are not the view's members (GridStatus.CacheStatus#settled).
          unavailable++;
          flag = "  !! OWNERS DIFFER FROM THE VIEW: not settled; check again in a few seconds";
        }
        out.printf(
            "  %-20s %-12s %-14s %-12s %-9s %-14s %s%s%n",
            c.path("name").asText(),
            c.path("mode").asText(),
            availability,
            c.path("rebalancing").asBoolean() ? "yes" : "no",
            c.path("topologyId").asText(),
            c.path("localEntries").asText(),
            names(c.path("owners")),
            flag);
      }
      return unavailable;
    }

    private static String names(JsonNode array) {
      List<String> names = new ArrayList<>();
      array.forEach(n -> names.add(n.asText()));
      return String.join(", ", names);
    }
  }

  /** {@code cohort cluster refresh}. */
  @Command(
      name = "refresh",
      mixinStandardHelpOptions = true,
      description = {
        "Clears the cluster's member list (webMethods' clearClusterMemberList): dead entries go,",
        "live nodes re-register at their next heartbeat. Prints the status afterwards."
      })
  static final class Refresh implements Callable<Integer> {

    @Mixin AdminOptions admin = new AdminOptions();

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        JsonNode view = admin.client(System.getenv()).post("cluster/refresh");
        out.println("Member list cleared.");
        Status status = new Status();
        status.maxSkew = 1000;
        status.print(view, out);
        return 0;
      } catch (CliException e) {
        spec.commandLine().getErr().println("cohort cluster refresh: " + e.getMessage());
        spec.commandLine().getErr().flush();
        return 1;
      } finally {
        out.flush();
      }
    }
  }

  /** {@code cohort cluster failover-action}. */
  @Command(
      name = "failover-action",
      mixinStandardHelpOptions = true,
      description = {
        "Promotes, restarts or stops this node after a split of its stateful cluster",
        "(Terracotta's fail-over-action). Prints the node's answer and, unless it stops,",
        "its cache view afterwards.",
        "Warning: --promote on both sides of a split makes them diverge: each side takes",
        "session writes the other never sees, and they do not merge cleanly. Promote one",
        "side only; when the network is back, --restart every node of the other side.",
        "Exits 0 when the node did it; 1 on errors (409 COH-CONFLICT: the node is not a",
        "member of a stateful cluster); 2 on usage errors."
      })
  static final class FailoverAction implements Callable<Integer> {

    @Mixin AdminOptions admin = new AdminOptions();

    @ArgGroup(exclusive = true, multiplicity = "1", heading = "Action (exactly one):%n")
    Action action;

    @Spec CommandSpec spec;

    /** Exactly one of the three. */
    static final class Action {

      @Option(
          names = "--promote",
          required = true,
          description =
              "Serve session reads and writes on this side again; only when the other side is"
                  + " really down.")
      boolean promote;

      @Option(
          names = "--restart",
          required = true,
          description =
              "Drop this node's cached sessions and rejoin the cluster cleanly, e.g. after the other"
                  + " side was promoted.")
      boolean restart;

      @Option(names = "--fail-fast", required = true, description = "Stop this node now.")
      boolean failFast;

      String name() {
        return promote ? "promote" : restart ? "restart" : "fail-fast";
      }
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        JsonNode reply =
            admin
                .client(System.getenv())
                .post(
                    "cluster/failover-action",
                    JsonNodeFactory.instance.objectNode().put("action", action.name()));
        out.println(reply.path("message").asText());
        if (reply.has("grid")) {
          Status.printGrid(reply.path("grid"), out);
        }
        return 0;
      } catch (CliException e) {
        spec.commandLine().getErr().println("cohort cluster failover-action: " + e.getMessage());
        spec.commandLine().getErr().flush();
        return 1;
      } finally {
        out.flush();
      }
    }
  }
}
