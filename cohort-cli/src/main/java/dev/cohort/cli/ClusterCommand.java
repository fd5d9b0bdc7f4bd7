package dev.cohort.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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
    subcommands = {ClusterCommand.Status.class, ClusterCommand.Refresh.class})
final class ClusterCommand {

  /** {@code cohort cluster status}. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Lists the cluster's members with state, URL, version, last heartbeat and clock skew.",
        "Flags members whose Cohort version, packages or loaded users/ACLs differ from the",
        "majority's. Exits 0 when every known member serves, all agree and no clock is off by",
        "more than --max-skew; 3 otherwise; 1 on errors."
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
      out.printf("%d of %d member(s) serving%s%n", serving, members.size(), problems == 0 ? "" : "; see the flags above");
      return problems == 0 ? 0 : 3;
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
}
