package dev.cohort.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cohort node offline|online}: one node's state. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Acts on one node through its admin API.",
    subcommands = {
      NodeCommand.Offline.class,
      NodeCommand.Online.class,
      NodeCommand.Remove.class,
      NodeCommand.Add.class
    })
final class NodeCommand {

  /** Shared by the actions. */
  abstract static class Action implements Callable<Integer> {

    @Mixin AdminOptions admin = new AdminOptions();

    @Spec CommandSpec spec;

    abstract String action();

    @Override
    public Integer call() {
      try {
        JsonNode node = admin.client(System.getenv()).post("node/" + action());
        spec.commandLine()
            .getOut()
            .printf("node %s is %s%n", node.path("name").asText(), node.path("state").asText());
        if (node.hasNonNull("message")) {
          spec.commandLine().getOut().println(node.path("message").asText());
        }
        spec.commandLine().getOut().flush();
        return 0;
      } catch (CliException e) {
        spec.commandLine().getErr().println("cohort node " + action() + ": " + e.getMessage());
        spec.commandLine().getErr().flush();
        return 1;
      }
    }
  }

  /** {@code cohort node offline}. */
  @Command(
      name = "offline",
      mixinStandardHelpOptions = true,
      description = {
        "Takes the node offline: its primary port stops accepting requests (in-flight ones",
        "finish, up to node.shutdown-timeout); only the admin port stays open, /health/ready",
        "answers 503 there, and it leaves the cluster's member list."
      })
  static final class Offline extends Action {
    @Override
    String action() {
      return "offline";
    }
  }

  /** {@code cohort node online}. */
  @Command(
      name = "online",
      mixinStandardHelpOptions = true,
      description = "Brings an offline node back: its primary port accepts requests again.")
  static final class Online extends Action {
    @Override
    String action() {
      return "online";
    }
  }

  /** {@code cohort node remove}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = {
        "Removes the node from its cluster: clustering is turned off in the node's own",
        "node-overrides.yaml (outranking its other configuration) and takes effect when it",
        "restarts; until then the other nodes still list it. Take it offline first if clients",
        "should stop using it at once."
      })
  static final class Remove extends Action {
    @Override
    String action() {
      return "remove";
    }
  }

  /** {@code cohort node add}. */
  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Adds a removed node back: the override is dropped and, when the node restarts, it runs",
        "with the cluster settings of its configuration again."
      })
  static final class Add extends Action {
    @Override
    String action() {
      return "add";
    }
  }
}
