package dev.cohort.server.remote;

import dev.cohort.api.Document;
import dev.cohort.api.InvalidInputException;
import dev.cohort.api.Service;
import dev.cohort.api.ServiceContext;
import dev.cohort.server.config.RemoteConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The built-in service {@code pub.remote:invoke}: runs a service on another Cohort server or
 * cluster named by a remote server alias ({@code remote.aliases.<name>}).
 *
 * <p>Input: {@code $alias} (the alias), {@code $service} ({@code folder.sub:name} on the remote
 * side), optionally {@code $clusterRetry} (default {@code true}), and the remote service's input
 * as the other fields. Output: the remote service's output.
 *
 * <p>Where a call goes (the seeds' semantics): with {@code $clusterRetry} true, to the alias's
 * server, then the other members of its cluster, then the alias's retry server; with {@code
 * false}, to the alias's server and then straight to the retry server. A remote cluster that is
 * not stateful gets no cluster retry either way. A call that may have run on a server that then
 * failed is never repeated: it fails with "outcome unknown".
 */
public final class RemoteInvoke implements Service {

  public static final String NAME = "pub.remote:invoke";

  /** Sends one call to an alias. */
  @FunctionalInterface
  public interface Remote {
    /**
     * @param alias where to
     * @param service the remote service
     * @param input its input
     * @param clusterRetry whether the other members of the remote cluster may be tried
     * @return its output
     * @throws dev.cohort.api.ServiceException with the remote side's error, said plainly
     */
    Map<String, Object> call(
        RemoteConfig.Alias alias, String service, Map<String, Object> input, boolean clusterRetry);
  }

  private final RemoteConfig config;
  private final Remote remote;

  public RemoteInvoke(RemoteConfig config, Remote remote) {
    this.config = config;
    this.remote = remote;
  }

  @Override
  public Document invoke(Document input, ServiceContext context) {
    RemoteConfig.Alias alias = alias(config, input);
    String service = service(input);
    boolean clusterRetry;
    Object flag = input.value("$clusterRetry").orElse(Boolean.TRUE);
    if (flag instanceof Boolean b) {
      clusterRetry = b;
    } else if ("true".equals(flag) || "false".equals(flag)) {
      clusterRetry = Boolean.parseBoolean((String) flag);
    } else {
      throw new InvalidInputException("$clusterRetry must be true or false, not '" + flag + "'");
    }
    return Document.from(remote.call(alias, service, payload(input), clusterRetry));
  }

  /** The alias {@code $alias} names (also for {@code pub.remote.gd:*}). */
  static RemoteConfig.Alias alias(RemoteConfig config, Document input) {
    String name = input.string("$alias").orElse("");
    if (name.isBlank()) {
      throw new InvalidInputException("$alias is required: the name of a remote server alias");
    }
    RemoteConfig.Alias alias = config.aliases().get(name);
    if (alias == null) {
      throw new InvalidInputException(
          "no remote server alias '" + name + "'; configured: "
              + (config.aliases().isEmpty() ? "none (remote.aliases.<name>.*)" : config.names()));
    }
    return alias;
  }

  /** The remote service {@code $service} names, checked. */
  static String service(Document input) {
    String service = input.string("$service").orElse("");
    if (!service.matches("[A-Za-z0-9_.]+:[A-Za-z0-9_]+")) {
      throw new InvalidInputException(
          "$service must name the remote service as folder.subfolder:service, not '" + service + "'");
    }
    return service;
  }

  /** The remote service's input: every field but the {@code $} ones. */
  static Map<String, Object> payload(Document input) {
    Map<String, Object> payload = new LinkedHashMap<>();
    input.toMap().forEach(
        (k, v) -> {
          if (!k.startsWith("$")) {
            payload.put(k, v);
          }
        });
    return payload;
  }
}
