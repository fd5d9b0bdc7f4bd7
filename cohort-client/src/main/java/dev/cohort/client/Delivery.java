package dev.cohort.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cohort.client.CohortClient.Reply;
import dev.cohort.client.JobLog.Mode;
import dev.cohort.client.TxStatus.State;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The guaranteed-delivery protocol ({@code docs/guaranteed-delivery.md}) for a {@link TContext}:
 * one method per endpoint, each sent with the {@link CohortClient}'s failover as a repeatable call
 * (the tid makes a repeat harmless), and {@link #run}, which keeps a transaction going until it is
 * settled or its TTL passes.
 */
final class Delivery {

  /** What {@link #run} is after. */
  enum Flow {
    /** {@link TContext#invokeTx}: the service run synchronously, until its outcome. */
    INVOKE,
    /** {@link TContext#submitTx}, {@link TContext#sendTx}: until the server has the call. */
    SUBMIT,
    /** {@link TContext#retrieveTx} not blocking: the state now. */
    PEEK,
    /** {@link TContext#retrieveTx} blocking: until the outcome. */
    AWAIT
  }

  private enum Step {
    START,
    CALL,
    STATUS
  }

  private final CohortClient client;
  private final JobLog log;
  private final InstantSource clock;
  private final Duration statusWait;
  private final ObjectMapper mapper;

  Delivery(CohortClient client, JobLog log, InstantSource clock, Duration statusWait) {
    this.client = client;
    this.log = log;
    this.clock = clock;
    this.statusWait = statusWait;
    this.mapper = client.mapper();
  }

  /**
   * Sends, and sends again, what the transaction {@code tid} (open in the log) needs for {@code
   * flow} until it has it, going on past unreachable nodes ({@link UnavailableException}), 5xx
   * replies and another attempt holding the transaction ({@code COH-GD-RUNNING}, then its status is
   * awaited), with pauses of 100 ms growing to 1 s, until the TTL the log has for it passes. A call
   * the server never got (it reports NEW) is sent from the log; a transaction the server does not
   * know while invoking or submitting is started again under its tid.
   *
   * @throws ServiceFailedException the transaction FAILED: the service's stored error; or the
   *     server refused a request (4xx)
   * @throws TxInDoubtException it is IN_DOUBT
   * @throws TxExpiredException its TTL passed first
   * @throws TxUnknownException the server has no record of it (while retrieving)
   */
  TxResult run(String tid, Flow flow) {
    TxResult result = drive(tid, flow);
    if (log.find(tid).map(Delivery::sent).orElse(false)) {
      log.end(tid); // the server has it now; fire and forget
    }
    return result;
  }

  private TxResult drive(String tid, Flow flow) {
    Step step = flow == Flow.INVOKE || flow == Flow.SUBMIT ? Step.CALL : Step.STATUS;
    Backoff backoff = new Backoff(tid);
    RuntimeException last = null;
    // Whether the server has the call: only then is a status request worth waiting on (for a
    // transaction whose call never arrived, it would wait for nothing).
    boolean running = false;
    while (true) {
      JobLog.Tx tx = log.require(tid);
      Duration left = Duration.between(clock.instant(), tx.expiresAt());
      if (left.isNegative() || left.isZero()) {
        throw new TxExpiredException(tid, tx.expiresAt(), last);
      }
      Reply reply;
      try {
        reply = switch (step) {
          case START -> start(tx);
          case CALL -> call(tx, flow == Flow.INVOKE);
          case STATUS -> status(tid, running && flow != Flow.PEEK ? min(left, statusWait) : Duration.ZERO);
        };
      } catch (UnavailableException | OutcomeUnknownException e) {
        last = e;
        backoff.pause(left);
        continue;
      }
      if (reply.status() / 100 != 2) {
        ServiceFailedException error = client.errorReply(reply);
        if (reply.header(CohortClient.TX_STATE_HEADER).orElse("").equals("FAILED")) {
          log.outcome(tid, State.FAILED);
          throw error;
        }
        switch (error.code()) {
          case "COH-GD-UNKNOWN" -> {
            if (tx.outcome().isPresent()) {
              throw unknown(tx); // the server had it (the log says so): its record is gone
            }
            if (tx.call().isEmpty()) {
              return new TxResult(tid, State.NEW, Optional.empty(), mapper); // nothing was called under it
            }
            if (step == Step.CALL) {
              // A server that does not start transactions on their first call: start it first.
              step = Step.START;
              last = error;
              backoff.pause(left);
              continue;
            }
            step = Step.CALL; // the server never got the call: send it from the log (it starts it)
            continue;
          }
          case "COH-GD-RUNNING" -> {
            if (flow == Flow.SUBMIT) {
              return new TxResult(tid, State.PENDING, Optional.empty(), mapper);
            }
            step = Step.STATUS; // another attempt runs it: wait for that one
            running = true;
            continue;
          }
          case "COH-GD-IN-DOUBT" -> {
            log.outcome(tid, State.IN_DOUBT);
            throw new TxInDoubtException(tid, error.serverMessage());
          }
          case "COH-GD-EXPIRED" -> throw new TxExpiredException(tid, tx.expiresAt(), error);
          default -> {
            if (reply.status() >= 500) {
              last = error;
              backoff.pause(left);
              continue;
            }
            throw error;
          }
        }
      }
      if (step == Step.START) {
        step = Step.CALL;
        continue;
      }
      if (step == Step.CALL && flow == Flow.INVOKE) {
        log.outcome(tid, State.DONE);
        return new TxResult(tid, State.DONE, Optional.of(client.readJson(reply.body(), "tx " + tid)), mapper);
      }
      TxStatus status = TxStatus.of(client.readJson(reply.body(), "tx " + tid));
      running = status.state() == State.PENDING;
      if (!status.state().settled() && tx.call().isPresent() && tx.outcome().isEmpty() && !sent(tx)) {
        // The server has the transaction now: if it loses it later, that is reported, never
        // taken for a start that did not arrive (which would run the call again).
        log.outcome(tid, State.PENDING);
      }
      if (status.state().settled()) {
        return settle(status, reply);
      }
      if (step == Step.CALL) {
        // The server has the call now (PENDING, or NEW while it waits for a thread).
        if (flow == Flow.AWAIT && !sent(tx)) {
          step = Step.STATUS;
          running = true;
          continue;
        }
        return new TxResult(tid, status.state(), Optional.empty(), mapper);
      }
      if (status.state() == State.NEW && tx.call().isPresent()) {
        step = Step.CALL; // the call never arrived, or a restart made it runnable: send it (again)
        continue;
      }
      if (flow == Flow.PEEK) {
        return new TxResult(tid, status.state(), Optional.empty(), mapper);
      }
      if (status.state() == State.NEW) {
        return new TxResult(tid, State.NEW, Optional.empty(), mapper); // nothing was called under it
      }
      // PENDING after the server waited: ask again.
    }
  }

  /** Logs a settled transaction's outcome; returns it if DONE, throws what it stored otherwise. */
  private TxResult settle(TxStatus status, Reply reply) {
    log.outcome(status.tid(), status.state());
    if (status.state() == State.DONE) {
      return new TxResult(status.tid(), State.DONE, status.result(), mapper);
    }
    TxStatus.Failure failure = status.failure().orElse(new TxStatus.Failure(500, "", "no error was stored"));
    if (status.state() == State.IN_DOUBT) {
      throw new TxInDoubtException(status.tid(), failure.message());
    }
    throw new ServiceFailedException(
        failure.status(), failure.code(), failure.message(), "", reply.header(CohortClient.NODE_HEADER).orElse(""));
  }

  private static TxUnknownException unknown(JobLog.Tx tx) {
    return new TxUnknownException(
        tx.tid(),
        tx.outcome().equals(Optional.of(State.DONE))
            ? "it completed, but its record is gone (ended elsewhere, or swept after its TTL) and its result with it"
            : "the job log says it never completed; it was ended elsewhere or swept, and its service may not"
                + " have run: start a new transaction to run it, and end this one");
  }

  private static boolean sent(JobLog.Tx tx) {
    return tx.call().map(c -> c.mode() == Mode.SEND).orElse(false);
  }

  /** {@code POST /gd/tx}: starts {@code tx} with the TTL it has left. */
  Reply start(JobLog.Tx tx) {
    long millisLeft = Duration.between(clock.instant(), tx.expiresAt()).toMillis();
    ObjectNode body =
        mapper.createObjectNode()
            .put("tid", tx.tid())
            .put("ttlSeconds", Math.max(1, (millisLeft + 999) / 1000))
            .put("retries", tx.retries());
    return send("POST", "/gd/tx", Optional.of(body), Duration.ZERO, "the start of tx " + tx.tid());
  }

  /** {@code POST /gd/tx/{tid}/invoke|submit/...}: the call the log has for {@code tx}. */
  private Reply call(JobLog.Tx tx, boolean synchronous) {
    JobLog.ServiceCall call =
        tx.call().orElseThrow(() -> new IllegalStateException("nothing was called under tx " + tx.tid()));
    List<String> query = new ArrayList<>();
    if (!synchronous && call.mode() == Mode.SEND) {
      query.add("end=true");
    }
    if (tx.outcome().isEmpty()) {
      // The call starts the transaction if the server does not have it yet, with the TTL it has
      // left. One the server had (an outcome is logged) is never started again: if the server
      // lost it, that is reported, not a reason to run the call twice.
      long millisLeft = Duration.between(clock.instant(), tx.expiresAt()).toMillis();
      query.add("start=true");
      query.add("ttlSeconds=" + Math.max(1, (millisLeft + 999) / 1000));
      query.add("retries=" + tx.retries());
    }
    String path =
        "/gd/tx/" + tx.tid() + (synchronous ? "/invoke/" : "/submit/") + CohortClient.servicePath(call.service())
            + (query.isEmpty() ? "" : "?" + String.join("&", query));
    return send("POST", path, Optional.of(call.input()), Duration.ZERO, "tx " + tx.tid() + " (" + call.service() + ")");
  }

  /** {@code GET /gd/tx/{tid}}, waiting up to {@code wait} for it to settle. */
  Reply status(String tid, Duration wait) {
    String path = "/gd/tx/" + tid + (wait.isZero() ? "" : "?waitMillis=" + Math.max(1, wait.toMillis()));
    return send("GET", path, Optional.empty(), wait, "the status of tx " + tid);
  }

  /** {@code POST /gd/tx/{tid}/restart}. */
  Reply restart(String tid) {
    return send("POST", "/gd/tx/" + tid + "/restart", Optional.empty(), Duration.ZERO, "the restart of tx " + tid);
  }

  /** {@code DELETE /gd/tx/{tid}}. */
  Reply end(String tid) {
    return send("DELETE", "/gd/tx/" + tid, Optional.empty(), Duration.ZERO, "the end of tx " + tid);
  }

  /** {@code DELETE /gd/tx?tids=...}: the ends of several transactions in one request. */
  Reply endAll(List<String> tids) {
    return send(
        "DELETE", "/gd/tx?tids=" + String.join(",", tids), Optional.empty(), Duration.ZERO,
        "the end of " + tids.size() + " transaction(s)");
  }

  /** Sends a request that may be repeated, with time for the server's {@code wait} on top. */
  private Reply send(String method, String path, Optional<JsonNode> body, Duration wait, String what) {
    Call call = Call.idempotent().withTimeout(client.requestTimeout().plus(wait));
    return client.send(method, path, body, Map.of(), call, what);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Pauses between tries: 100 ms, doubling up to 1 s, never past the TTL. */
  private static final class Backoff {
    private final String tid;
    private long nextMillis = 100;

    Backoff(String tid) {
      this.tid = tid;
    }

    void pause(Duration left) {
      long millis = Math.min(nextMillis, Math.max(1, left.toMillis()));
      nextMillis = Math.min(1000, nextMillis * 2);
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CohortClientException("interrupted while delivering tx " + tid + "; it stays in the job log", e);
      }
    }
  }
}
