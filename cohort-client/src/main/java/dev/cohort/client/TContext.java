package dev.cohort.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cohort.client.CohortClient.Reply;
import dev.cohort.client.Delivery.Flow;
import dev.cohort.client.JobLog.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A client of guaranteed delivery (the seeds' {@code TContext}): it runs a service on the cluster
 * once, and gets its result to the caller, through node crashes, network failures and crashes of
 * the caller itself. It speaks the protocol of {@code docs/guaranteed-delivery.md} through a
 * {@link CohortClient}, with its members, failover, credentials and session.
 *
 * <pre>{@code
 * try (CohortClient client = CohortClient.builder()
 *         .servers(URI.create("http://node-1:5555"), URI.create("http://node-2:5555"))
 *         .credentials("alice", password)
 *         .build();
 *     TContext tc = TContext.builder().client(client).jobLog(Path.of("/var/lib/shop/gd")).build()) {
 *   for (String tid : tc.pending()) {                 // what a crash left unfinished
 *     handle(tc.retrieveTx(tid, true));
 *     tc.endTx(tid);
 *   }
 *   String tid = tc.startTx(Duration.ofMinutes(10), 3);
 *   JsonNode order = tc.invokeTx(tid, "shop.orders:place", Map.of("item", "book"));
 *   tc.endTx(tid);
 * }
 * }</pre>
 *
 * <p><b>Transactions.</b> A transaction (tid) carries one service call. The client makes the tid
 * (a random UUID) and the server runs the call under it at most once: however often the call is
 * sent, to whichever node, it runs once and later sends get its stored outcome. A transaction
 * lives until {@link #endTx} or until its TTL, counted from the start, passes.
 *
 * <p><b>Job log.</b> Every start, call and end is appended to a file in the job log directory and
 * forced to disk before its request goes out, so after a crash the client knows every transaction
 * it may have started: {@link #pending()} lists them, and {@link #retrieveTx retrieveTx} finishes
 * them, sending a logged call again if the server never got it. One TContext (one process) per
 * directory: a second is refused while the first holds its lock.
 *
 * <p><b>What is retried.</b> {@link #invokeTx}, {@link #submitTx}, {@link #retrieveTx} and {@link
 * #sendTx} keep going until the transaction is settled or its TTL passes: past nodes that cannot be
 * reached or fail mid-call (the call goes to the next member; the tid makes that safe), 5xx replies,
 * another attempt holding the transaction (they wait for it) and a server that does not know the
 * transaction (they start it again under the same tid), with pauses from 100 ms up to 1 s. The TTL
 * is checked between tries: a try under way (bounded by the client's failover and request timeouts)
 * finishes first.
 *
 * <p><b>Threads.</b> One TContext may be used by many threads. Closing it does not close its
 * {@link CohortClient}.
 */
public final class TContext implements AutoCloseable {

  private static final Pattern TID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final CohortClient client;
  private final JobLog log;
  private final Delivery delivery;
  private final InstantSource clock;
  private final int endBatch;
  /** Ended in the job log, their end not yet sent (batched ends). Guarded by itself. */
  private final List<String> unsentEnds = new java.util.ArrayList<>();

  private TContext(Builder b) {
    this.client = b.client;
    this.clock = b.clock;
    this.endBatch = b.endBatch;
    this.log = JobLog.open(b.jobLog, client.mapper(), b.compactLogAfter);
    this.delivery = new Delivery(client, log, clock, b.statusWait);
  }

  /** A builder; {@link Builder#client} and {@link Builder#jobLog} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a transaction under a new tid: it goes into the job log (on disk) and nowhere else yet.
   * Its first call ({@link #invokeTx}, {@link #submitTx}) starts it on the server as well, in the
   * same request ({@code ?start=true} with the TTL it has left), so a transaction costs one
   * request plus its end. A refusal (e.g. another user's tid) comes with that call.
   *
   * @param ttl how long it may take, from now, to complete (whole seconds, rounded up)
   * @param retries how many more times the server runs the service after a failed attempt
   * @return the tid
   */
  public String startTx(Duration ttl, int retries) {
    return start(ttl, retries, UUID.randomUUID().toString());
  }

  /**
   * Starts a transaction under {@code followTid} ({@code A-Za-z0-9._:-}, at most 128): a tid the
   * application chose, e.g. its order number. Starting it again changes nothing, here or on the
   * server: not even its TTL.
   *
   * @see #startTx(Duration, int)
   */
  public String startTx(Duration ttl, int retries, String followTid) {
    if (followTid == null || !TID.matcher(followTid).matches()) {
      throw new IllegalArgumentException("a tid is 1 to 128 of A-Z a-z 0-9 . _ : -, not '" + followTid + "'");
    }
    return start(ttl, retries, followTid);
  }

  private String start(Duration ttl, int retries, String tid) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("a transaction's TTL must be positive, not " + ttl);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries must not be negative, not " + retries);
    }
    long ttlSeconds = (ttl.toMillis() + 999) / 1000;
    if (log.find(tid).isEmpty()) {
      // Only the job log knows it now: its first call starts it on the server too
      // (invoke?start=true), one request instead of two.
      log.start(tid, ttlSeconds, retries, clock.instant().plusSeconds(ttlSeconds));
    }
    return tid;
  }

  /**
   * Runs {@code service} ({@code folder.sub:name}) with {@code input} (a {@code Map}, a {@code
   * JsonNode} or an object Jackson writes as a JSON object) under the transaction {@code tid} and
   * returns its output, retrying as the class describes. Once the transaction is DONE, calling
   * again returns the stored output without running the service.
   *
   * @throws ServiceFailedException the transaction FAILED: the service's error, with the status
   *     and code it had, every time; or the server refused the call (e.g. 422 {@code
   *     COH-GD-MISMATCH}: the tid was used for another service or input)
   * @throws TxInDoubtException the transaction is in doubt
   * @throws TxExpiredException its TTL passed before it completed
   * @throws IllegalStateException {@code tid} is not open in the job log
   */
  public JsonNode invokeTx(String tid, String service, Object input) {
    log.call(tid, service, inputOf(service, input), Mode.INVOKE);
    return delivery
        .run(tid, Flow.INVOKE)
        .output()
        .orElseThrow(() -> new CohortClientException("tx " + tid + " is DONE but the server kept no result: it was sent with end=true"));
  }

  /** {@link #invokeTx(String, String, Object)}, its output read as {@code resultType}. */
  public <T> T invokeTx(String tid, String service, Object input, Class<T> resultType) {
    return CohortClient.convert(client.mapper(), invokeTx(tid, service, input), resultType);
  }

  /**
   * Hands {@code service} with {@code input} to the cluster under the transaction {@code tid} and
   * returns once the server has it; the service runs in the background. {@link #retrieveTx} gets
   * the outcome. Retried as {@link #invokeTx(String, String, Object)} is until the server has it.
   *
   * @throws ServiceFailedException the transaction had FAILED already, or the server refused it
   * @throws TxInDoubtException the transaction is in doubt
   * @throws TxExpiredException its TTL passed before a server took the call
   */
  public void submitTx(String tid, String service, Object input) {
    log.call(tid, service, inputOf(service, input), Mode.SUBMIT);
    delivery.run(tid, Flow.SUBMIT);
  }

  /**
   * The outcome of the transaction {@code tid}: DONE with its output, or (when not {@code block}ing)
   * NEW or PENDING. If the job log has a call the server never got (it reports NEW, e.g. after a
   * crash), the call is sent again from the log, as a submit. With {@code block} it waits, asking
   * on past failures, until the transaction is settled or its TTL passes. A transaction under
   * which nothing was ever called (the caller stopped between {@link #startTx} and the call) is
   * NEW at once, blocking or not: call its service with {@link #invokeTx}, or {@link #endTx} it.
   *
   * @throws ServiceFailedException the transaction FAILED: the service's stored error
   * @throws TxInDoubtException it is in doubt
   * @throws TxExpiredException its TTL passed before it completed
   * @throws TxUnknownException the server has no record of it (ended elsewhere or swept)
   * @throws IllegalStateException {@code tid} is not open in the job log
   */
  public TxResult retrieveTx(String tid, boolean block) {
    return delivery.run(tid, block ? Flow.AWAIT : Flow.PEEK);
  }

  /**
   * What the server knows of the transaction {@code tid} now (any tid of this user, in the job log
   * or not). Asked once, with the client's failover.
   *
   * @throws TxUnknownException no such transaction for this user (never started, ended, or swept)
   * @throws UnavailableException no server could answer
   */
  public TxStatus status(String tid) {
    Reply reply = delivery.status(tid, Duration.ZERO);
    if (reply.status() == 200) {
      return TxStatus.of(client.readJson(reply.body(), "the status of tx " + tid));
    }
    throw refusal(tid, reply);
  }

  /**
   * Makes a FAILED transaction runnable again, with its retries and TTL renewed; the next {@link
   * #invokeTx} or {@link #retrieveTx} runs its service again. A transaction that is NEW already is
   * left as it is.
   *
   * @throws ServiceFailedException 409 {@code COH-GD-STATE}: it is DONE, PENDING or IN_DOUBT
   * @throws TxUnknownException the server has no record of it
   * @throws IllegalStateException {@code tid} is not open in the job log
   */
  public void restartTx(String tid) {
    JobLog.Tx tx = log.require(tid);
    log.start(tid, tx.ttlSeconds(), tx.retries(), clock.instant().plusSeconds(tx.ttlSeconds()));
    Reply reply = delivery.restart(tid);
    if (reply.status() / 100 == 2) {
      return;
    }
    CohortClientException refusal = refusal(tid, reply);
    if (refusal instanceof ServiceFailedException e
        && e.code().equals("COH-GD-STATE")
        && status(tid).state() == TxStatus.State.NEW) {
      return; // restarted by an earlier try of this request
    }
    throw refusal;
  }

  /**
   * Ends the transaction {@code tid}: it leaves the job log, then the server drops its record and
   * stored result. Ending a transaction that is gone already is no error. If no server can be
   * reached it still leaves the job log, and the server drops it when its TTL passes.
   *
   * @throws ServiceFailedException 409 {@code COH-GD-STATE}: it is PENDING (it stays open)
   * @throws UnavailableException no server could take the end
   */
  public void endTx(String tid) {
    Optional<JobLog.Tx> open = log.find(tid);
    log.end(tid);
    if (endBatch > 1) {
      List<String> batch;
      synchronized (unsentEnds) {
        unsentEnds.add(tid);
        if (unsentEnds.size() < endBatch) {
          return;
        }
        batch = List.copyOf(unsentEnds);
        unsentEnds.clear();
      }
      sendEnds(batch);
      return;
    }
    Reply reply = delivery.end(tid);
    if (reply.status() / 100 == 2) {
      return;
    }
    open.ifPresent(log::reopen);
    throw refusal(tid, reply);
  }

  /**
   * Fire and forget: starts a transaction and hands {@code service} with {@code input} to the
   * cluster under it ({@code submit?end=true}); returns its tid once the server has the call. The
   * service runs once; its result is not kept, and the transaction leaves the job log.
   *
   * @throws TxExpiredException no server took the call within {@code ttl}; the transaction stays in
   *     {@link #pending()}
   * @see #startTx(Duration, int)
   */
  public String sendTx(String service, Object input, Duration ttl, int retries) {
    ObjectNode body = inputOf(service, input);
    String tid = startTx(ttl, retries);
    log.call(tid, service, body, Mode.SEND);
    delivery.run(tid, Flow.SUBMIT);
    return tid;
  }

  /**
   * The transactions the job log has that were not ended, oldest first: after a crash, what to
   * {@link #retrieveTx retrieve} (or {@link #endTx end}). Includes those whose TTL passed.
   */
  public List<String> pending() {
    return log.pending();
  }

  private ObjectNode inputOf(String service, Object input) {
    CohortClient.servicePath(service);
    return client.inputOf(service, input);
  }

  /** What a refused status, restart or end says: {@link TxUnknownException} for {@code COH-GD-UNKNOWN}. */
  private CohortClientException refusal(String tid, Reply reply) {
    ServiceFailedException error = client.errorReply(reply);
    return error.code().equals("COH-GD-UNKNOWN")
        ? new TxUnknownException(tid, "never started for this user, ended, or swept after its TTL")
        : error;
  }

  /**
   * Releases the job log directory. Transactions not ended stay in the log for the next TContext
   * on it; calls in progress on other threads fail at their next try.
   */
  @Override
  public void close() {
    List<String> batch;
    synchronized (unsentEnds) {
      batch = List.copyOf(unsentEnds);
      unsentEnds.clear();
    }
    if (!batch.isEmpty()) {
      sendEnds(batch);
    }
    log.close();
  }

  /**
   * Sends batched ends, once ({@link Builder#endInBatches}): what the server does not get (it is
   * unreachable, or a transaction is still running) it removes when the TTL passes.
   */
  private void sendEnds(List<String> tids) {
    try {
      delivery.endAll(tids);
    } catch (CohortClientException e) {
      // The job log has the ends already: nothing here runs them again.
    }
  }

  @Override
  public String toString() {
    return "TContext[" + log + ", " + client + "]";
  }

  /** Settings of a {@link TContext}. */
  public static final class Builder {
    private CohortClient client;
    private Path jobLog;
    private InstantSource clock = InstantSource.system();
    private Duration statusWait = Duration.ofSeconds(30);
    private long compactLogAfter = 1 << 20;
    private int endBatch = 1;

    private Builder() {}

    /** The client whose members, failover, credentials and session the transactions use. */
    public Builder client(CohortClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The directory of the job log (created if missing); one TContext at a time uses it. */
    public Builder jobLog(Path directory) {
      this.jobLog = Objects.requireNonNull(directory, "jobLog");
      return this;
    }

    /**
     * How long one status request asks the server to wait for a transaction to settle (default 30
     * s, at most 60 s, the server's limit). Longer means fewer requests while a service runs.
     */
    public Builder statusWait(Duration wait) {
      Objects.requireNonNull(wait, "statusWait");
      if (wait.toMillis() < 1 || wait.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException("statusWait is between 1 ms and 60 s, not " + wait);
      }
      this.statusWait = wait;
      return this;
    }

    /**
     * How big the job log may grow before it is compacted, once ended transactions are most of it
     * (default 1 MiB).
     */
    public Builder compactLogAfter(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("compactLogAfter must not be negative, not " + bytes);
      }
      this.compactLogAfter = bytes;
      return this;
    }

    /**
     * Ends transactions in batches of {@code size} (default 1: each {@link #endTx} sends its end
     * at once). With batches, {@code endTx} writes the end into the job log and sends the ends
     * of {@code size} transactions in one request ({@code DELETE /gd/tx?tids=...}), and {@link
     * #close} sends the rest: one request fewer per transaction for a busy client. {@code endTx}
     * then reports nothing: an end the server does not get, or a transaction still running, is
     * left to the server's TTL sweep. Ended transactions leave {@link #pending()} at once either
     * way.
     */
    public Builder endInBatches(int size) {
      if (size < 1 || size > 1000) {
        throw new IllegalArgumentException("endInBatches is 1 to 1000, not " + size);
      }
      this.endBatch = size;
      return this;
    }

    /** Where the time for TTLs comes from (default the system clock). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens the job log and replays it.
     *
     * @throws CohortClientException another TContext holds the directory, or the log cannot be
     *     read
     */
    public TContext build() {
      if (client == null) {
        throw new IllegalStateException("a TContext needs a client: call client(...)");
      }
      if (jobLog == null) {
        throw new IllegalStateException("a TContext needs a job log directory: call jobLog(...)");
      }
      return new TContext(this);
    }
  }
}
