package dev.cohort.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cohort tx list|show|resubmit|end}: guaranteed-delivery transactions, for operators. */
@Command(
    name = "tx",
    mixinStandardHelpOptions = true,
    description = "Lists, inspects, resubmits and ends guaranteed-delivery transactions.",
    subcommands = {TxCommand.ListTx.class, TxCommand.Show.class, TxCommand.Resubmit.class, TxCommand.End.class})
final class TxCommand {

  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Shared by the subcommands. */
  abstract static class Action implements Callable<Integer> {

    @Mixin AdminOptions admin = new AdminOptions();

    @Spec CommandSpec spec;

    abstract void run(AdminClient client, PrintWriter out);

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        run(admin.client(System.getenv()), out);
        out.flush();
        return 0;
      } catch (CliException e) {
        spec.commandLine().getErr().println("cohort tx " + spec.name() + ": " + e.getMessage());
        spec.commandLine().getErr().flush();
        return 1;
      }
    }
  }

  /** {@code cohort tx list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Lists transactions, newest first, with how many there are in each state.",
        "Filter with --state (NEW, PENDING, DONE, FAILED, IN_DOUBT), --service and --owner."
      })
  static final class ListTx extends Action {
    @Option(names = "--state", description = "Only transactions in this state.")
    String state;

    @Option(names = "--service", description = "Only transactions of this service (folder:name).")
    String service;

    @Option(names = "--owner", description = "Only transactions of this user (their owner).")
    String user;

    @Option(names = "--limit", defaultValue = "50", description = "At most this many (1-1000; default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    void run(AdminClient client, PrintWriter out) {
      List<String> query = new ArrayList<>();
      add(query, "state", state);
      add(query, "service", service);
      add(query, "user", user);
      add(query, "limit", Integer.toString(limit));
      JsonNode body = client.get("transactions?" + String.join("&", query));
      JsonNode counts = body.path("counts");
      List<String> summary = new ArrayList<>();
      counts.fieldNames().forEachRemaining(s -> summary.add(s + " " + counts.path(s).asLong()));
      out.println("Transactions: " + String.join(", ", summary));
      JsonNode txs = body.path("transactions");
      if (txs.isEmpty()) {
        out.println("(none match)");
        return;
      }
      String format = "%-44s %-8s %-32s %-16s %8s  %s%n";
      out.printf(format, "TID", "STATE", "SERVICE", "USER", "ATTEMPTS", "UPDATED");
      for (JsonNode tx : txs) {
        out.printf(
            format,
            tx.path("tid").asText(),
            tx.path("state").asText(),
            tx.path("service").asText("-"),
            tx.path("user").asText(),
            tx.path("attempts").asText(),
            tx.path("updatedAt").asText());
      }
    }

    private static void add(List<String> query, String name, String value) {
      if (value != null && !value.isBlank()) {
        query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    }
  }

  /** {@code cohort tx show TID}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Shows one transaction: state, owner, lease, stored request, result or error.")
  static final class Show extends Action {
    @Parameters(paramLabel = "TID", description = "The transaction id.")
    String tid;

    @Override
    void run(AdminClient client, PrintWriter out) {
      try {
        out.println(PRETTY.writeValueAsString(client.get("transactions/" + encode(tid))));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new CliException("cannot print the answer: " + e.getMessage());
      }
    }
  }

  /** {@code cohort tx resubmit TID}. */
  @Command(
      name = "resubmit",
      mixinStandardHelpOptions = true,
      description = {
        "Runs an IN_DOUBT or FAILED transaction again now, from its stored request, with its",
        "retries and time to live renewed. For IN_DOUBT, first make sure its crashed attempt",
        "did not take effect: the service is at-most-once."
      })
  static final class Resubmit extends Action {
    @Parameters(paramLabel = "TID", description = "The transaction id.")
    String tid;

    @Override
    void run(AdminClient client, PrintWriter out) {
      JsonNode tx = client.post("transactions/" + encode(tid) + "/resubmit");
      out.printf("transaction %s resubmitted: now %s%n", tid, tx.path("state").asText());
    }
  }

  /** {@code cohort tx end TID}. */
  @Command(
      name = "end",
      mixinStandardHelpOptions = true,
      description = "Ends (removes) a transaction that is not running, e.g. an IN_DOUBT one an operator resolved.")
  static final class End extends Action {
    @Parameters(paramLabel = "TID", description = "The transaction id.")
    String tid;

    @Override
    void run(AdminClient client, PrintWriter out) {
      client.delete("transactions/" + encode(tid));
      out.printf("transaction %s ended%n", tid);
    }
  }

  private static String encode(String tid) {
    return URLEncoder.encode(tid, StandardCharsets.UTF_8);
  }
}
