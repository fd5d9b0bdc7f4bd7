package dev.cohort.it;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A run of client load: the clients, each called periodically on a thread of its own, and what
 * they share: when a node was killed, how attempts ended and the replies no client should get.
 */
final class Load implements AutoCloseable {

  private final ScheduledExecutorService clients;
  private final List<ScheduledFuture<?>> running = new CopyOnWriteArrayList<>();

  private volatile long killedAt;
  private final AtomicLongArray outcomes = new AtomicLongArray(CartLedger.Outcome.values().length);
  private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();

  /** @param clients how many clients will be started */
  Load(int clients) {
    this.clients = Executors.newScheduledThreadPool(clients);
  }

  /** Calls {@code client} now and then {@code thinkTime} after each call returns. */
  void start(Runnable client, Duration thinkTime) {
    running.add(
        clients.scheduleWithFixedDelay(client, 0, thinkTime.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Throws the failure of a client that has failed (it is called no more), if any. */
  void checkClients() {
    for (ScheduledFuture<?> f : running) {
      if (f.state() == Future.State.FAILED) {
        throw new AssertionError("a client failed: " + f.exceptionNow(), f.exceptionNow());
      }
    }
  }

  /** Stops calling the clients, waits for the calls in flight and throws a client's failure. */
  void stop() throws InterruptedException {
    clients.shutdown();
    if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
      throw new AssertionError("client calls still running 60 s after the load stopped");
    }
    checkClients();
  }

  @Override
  public void close() {
    clients.shutdownNow();
  }

  /** Notes the moment a node is killed (just before the signal goes out). */
  void killing() {
    killedAt = System.nanoTime();
  }

  /** When the node was killed ({@link System#nanoTime}), or 0 before. */
  long killedAt() {
    return killedAt;
  }

  void counted(CartLedger.Outcome outcome) {
    outcomes.incrementAndGet(outcome.ordinal());
  }

  long count(CartLedger.Outcome outcome) {
    return outcomes.get(outcome.ordinal());
  }

  void unexpected(String what) {
    unexpected.add(what);
  }

  List<String> unexpected() {
    return List.copyOf(unexpected);
  }
}
