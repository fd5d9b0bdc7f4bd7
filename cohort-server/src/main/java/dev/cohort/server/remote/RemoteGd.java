package dev.cohort.server.remote;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cohort.api.Document;
import dev.cohort.api.InvalidInputException;
import dev.cohort.api.Service;
import dev.cohort.api.ServiceContext;
import dev.cohort.api.ServiceException;
import dev.cohort.client.CohortClient;
import dev.cohort.client.CohortClientException;
import dev.cohort.client.ServiceFailedException;
import dev.cohort.client.TContext;
import dev.cohort.client.TxResult;
import dev.cohort.client.TxStatus;
import dev.cohort.server.config.RemoteConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in services {@code pub.remote.gd:start|invoke|submit|retrieve|getStatus|restart|send|end}:
 * guaranteed delivery to another Cohort server or cluster named by a remote alias. Each alias has
 * one {@link TContext} whose job log is under {@code <node.data-dir>/gd-remote/<alias>}, so a
 * transaction this node started survives its restart, and calls go round the remote cluster's
 * members until the transaction is DONE, FAILED or past its TTL.
 *
 * <p>Inputs: {@code $alias} always; {@code $tid} for all but start and send; {@code $service}
 * and the remote service's input (the fields not starting with {@code $}) for invoke, submit and
 * send; optionally {@code $ttl} (seconds, default 1800) and {@code $retries} (default 3) for start
 * and send, {@code $tid} for start (the id to use), {@code $block} (default true) for retrieve.
 */
public final class RemoteGd implements Service {

  /** The operations, each one built-in service. */
  public static final List<String> OPERATIONS =
      List.of("start", "invoke", "submit", "retrieve", "getStatus", "restart", "send", "end");

  public static final String FOLDER = "pub.remote.gd";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final String operation;
  private final RemoteConfig config;
  private final Contexts contexts;

  public RemoteGd(String operation, RemoteConfig config, Contexts contexts) {
    if (!OPERATIONS.contains(operation)) {
      throw new IllegalArgumentException("no operation " + operation);
    }
    this.operation = operation;
    this.config = config;
    this.contexts = contexts;
  }

  @Override
  public Document invoke(Document input, ServiceContext context) {
    RemoteConfig.Alias alias = RemoteInvoke.alias(config, input);
    TContext tc = contexts.of(alias);
    try {
      return switch (operation) {
        case "start" -> {
          Duration ttl = Duration.ofSeconds(number(input, "$ttl", 1800));
          int retries = (int) number(input, "$retries", 3);
          String tid =
              input.string("$tid").isPresent()
                  ? tc.startTx(ttl, retries, input.requireString("$tid"))
                  : tc.startTx(ttl, retries);
          yield Document.of("tid", tid);
        }
        case "invoke" ->
            Document.from(JSON.convertValue(tc.invokeTx(tid(input), RemoteInvoke.service(input), RemoteInvoke.payload(input)), MAP));
        case "submit" -> {
          String tid = tid(input);
          tc.submitTx(tid, RemoteInvoke.service(input), RemoteInvoke.payload(input));
          yield Document.of("tid", tid, "state", "PENDING");
        }
        case "retrieve" -> describe(tc.retrieveTx(tid(input), input.booleanValue("$block").orElse(true)));
        case "getStatus" -> describe(tc.status(tid(input)));
        case "restart" -> {
          tc.restartTx(tid(input));
          yield Document.of("tid", tid(input));
        }
        case "send" ->
            Document.of(
                "tid",
                tc.sendTx(
                    RemoteInvoke.service(input),
                    RemoteInvoke.payload(input),
                    Duration.ofSeconds(number(input, "$ttl", 1800)),
                    (int) number(input, "$retries", 3)));
        case "end" -> {
          tc.endTx(tid(input));
          yield Document.of("tid", tid(input), "ended", true);
        }
        default -> throw new IllegalStateException(operation);
      };
    } catch (ServiceFailedException e) {
      throw new ServiceException(
          "remote transaction (alias " + alias.name() + ") failed: " + e.getMessage());
    } catch (CohortClientException e) {
      throw new ServiceException("alias " + alias.name() + ": " + e.getMessage());
    }
  }

  private static Document describe(TxResult result) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("tid", result.tid());
    doc.put("state", result.state().name());
    result.output().ifPresent(r -> doc.put("result", JSON.convertValue(r, MAP)));
    return Document.from(doc);
  }

  private static Document describe(TxStatus status) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("tid", status.tid());
    doc.put("state", status.state().name());
    status.service().ifPresent(s -> doc.put("service", s));
    doc.put("attempts", status.attempts());
    doc.put("retriesLeft", status.retriesLeft());
    doc.put("expiresAt", status.expiresAt().toString());
    status.result().ifPresent(r -> doc.put("result", JSON.convertValue(r, MAP)));
    status.failure().ifPresent(
        f -> doc.put("error", Map.of("status", f.status(), "code", f.code(), "message", f.message())));
    return Document.from(doc);
  }

  private static String tid(Document input) {
    String tid = input.string("$tid").orElse("");
    if (tid.isBlank()) {
      throw new InvalidInputException("$tid is required: the transaction's id from pub.remote.gd:start");
    }
    return tid;
  }

  private static long number(Document input, String field, long otherwise) {
    Object value = input.value(field).orElse(null);
    if (value == null) {
      return otherwise;
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(value.toString());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(field + " must be a whole number, not '" + value + "'");
    }
  }

  /** One transactional client per alias, its job log in this node's data directory. */
  public static final class Contexts implements AutoCloseable {
    private final Path dir;
    private final Map<String, TContext> contexts = new ConcurrentHashMap<>();
    private final Map<String, CohortClient> clients = new ConcurrentHashMap<>();

    /** @param dir where the aliases' job logs go ({@code <node.data-dir>/gd-remote}) */
    public Contexts(Path dir) {
      this.dir = dir;
    }

    TContext of(RemoteConfig.Alias alias) {
      return contexts.computeIfAbsent(
          alias.name(),
          name -> {
            CohortClient.Builder b =
                CohortClient.builder()
                    .servers(alias.url())
                    .credentials(alias.user(), alias.password().reveal())
                    .requestTimeout(alias.timeout())
                    .failoverTimeout(alias.failoverTimeout());
            alias.retryServer().ifPresent(b::retryServer);
            CohortClient client = b.build();
            clients.put(name, client);
            return TContext.builder().client(client).jobLog(dir.resolve(name)).build();
          });
    }

    @Override
    public void close() {
      contexts.values().forEach(TContext::close);
      clients.values().forEach(CohortClient::close);
      contexts.clear();
      clients.clear();
    }
  }
}
