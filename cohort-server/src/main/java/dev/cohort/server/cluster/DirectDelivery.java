package dev.cohort.server.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jgroups.Message;
import org.jgroups.protocols.TP;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.SubmitToThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How received cluster messages reach the protocols above the transport: each connection's receiver
 * passes what it reads up the stack itself (as JGroups' {@code all-direct}) instead of handing every
 * message to a new thread. Messages a member sends itself (loopback) still go to the thread pool. A session write's backup copy and its acknowledgement each save a thread
 * hand-off, about a tenth of a replicated write's CPU on two cores (docs/benchmarks.md).
 *
 * <p>A receiver that waits while delivering reads nothing else from its connection meanwhile,
 * heartbeats included, and the member at the other end gets suspected. Three things keep receivers
 * from waiting:
 *
 * <ul>
 *   <li>{@link ReceiverHandoff} gives everything but cache traffic (membership, failure detection,
 *       discovery, stability) to the thread pool: the coordinator, for one, waits for view
 *       acknowledgements on the thread that delivers a join;
 *   <li>{@link ReceiverSends} lets a message sent by a delivering receiver skip flow control, which
 *       would otherwise wait for credits that only this receiver can read;
 *   <li>Infinispan runs every command on its own executors, and a full send queue drops rather than
 *       blocks (the reliable layer resends).
 * </ul>
 *
 * <p>And if one waits anyway, it is not silent: a watchdog logs {@code COH.0700.0015W} with the
 * receiver's stack once a delivery has taken longer than {@code reportAfter}.
 */
final class DirectDelivery extends SubmitToThreadPool {

  private static final Logger LOG = LoggerFactory.getLogger(DirectDelivery.class);
  private static final int STACK_FRAMES = 60;

  /** Per receiver thread: when its current outermost delivery began (0 if none), the last one reported. */
  private static final class Delivery {
    final Thread thread = Thread.currentThread();
    volatile long since;
    long reported;
    int depth;
  }

  private static final ThreadLocal<Delivery> CURRENT = new ThreadLocal<>();

  private final long reportAfterNanos;
  private final Map<Thread, Delivery> deliveries = new ConcurrentHashMap<>();
  private final String nodeName;
  private volatile Thread watchdog;

  /**
   * @param nodeName for the watchdog thread's name
   * @param reportAfter how long a single delivery may take before the watchdog logs its stack
   */
  DirectDelivery(String nodeName, Duration reportAfter) {
    this.nodeName = nodeName;
    this.reportAfterNanos = reportAfter.toNanos();
  }

  /** Whether this thread is passing a received message up the stack right now. */
  static boolean delivering() {
    Delivery d = CURRENT.get();
    return d != null && d.depth > 0;
  }

  @Override
  public void init(TP transport) {
    super.init(transport);
    Thread t = Thread.ofPlatform().daemon().name("cohort-receiver-watchdog-" + nodeName).unstarted(this::watch);
    watchdog = t;
    t.start();
  }

  @Override
  public void destroy() {
    Thread t = watchdog;
    watchdog = null;
    if (t != null) {
      t.interrupt();
    }
    super.destroy();
  }

  private Delivery enter() {
    Delivery d = CURRENT.get();
    if (d == null) {
      // Registered once per receiver thread; the watchdog forgets threads that have ended (a
      // closed connection's receiver).
      d = new Delivery();
      CURRENT.set(d);
      deliveries.put(d.thread, d);
    }
    if (d.depth++ == 0) {
      d.since = System.nanoTime();
    }
    return d;
  }

  private static void exit(Delivery d) {
    if (--d.depth == 0) {
      d.since = 0;
    }
  }

  @Override
  public boolean process(Message msg, boolean oob) {
    Delivery d = enter();
    try {
      tp.passMessageUp(msg, true, msg.getDest() == null, true);
      return true;
    } catch (Throwable t) {
      log.error("could not pass a received message up: " + t, t);
      return true;
    } finally {
      exit(d);
    }
  }

  @Override
  public boolean process(MessageBatch batch, boolean oob) {
    Delivery d = enter();
    try {
      // As JGroups' all-direct: OOB messages flagged DONT_BUNDLE still go to the pool (JGRP-1737).
      if (removeAndDispatchNonBundledMessages(batch, false) && batch.isEmpty()) {
        return true;
      }
      new BatchHandler(batch, false).run();
      return true;
    } finally {
      exit(d);
    }
  }

  private void watch() {
    long period = Math.max(10, Math.min(250, reportAfterNanos / 4_000_000));
    while (watchdog == Thread.currentThread()) {
      try {
        Thread.sleep(period);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      deliveries.keySet().removeIf(thread -> !thread.isAlive());
      for (Delivery d : deliveries.values()) {
        long since = d.since;
        if (since != 0 && since != d.reported && now - since > reportAfterNanos) {
          d.reported = since;
          report(d.thread, (now - since) / 1_000_000);
        }
      }
    }
  }

  private static void report(Thread thread, long millis) {
    StringBuilder where = new StringBuilder();
    StackTraceElement[] stack = thread.getStackTrace();
    for (int i = 0; i < Math.min(stack.length, STACK_FRAMES); i++) {
      where.append("\n\tat ").append(stack[i]);
    }
    if (stack.length > STACK_FRAMES) {
      where.append("\n\t... ").append(stack.length - STACK_FRAMES).append(" more");
    }
    LOG.warn(
        "COH.0700.0015W a cluster connection's receiver ({}) has been delivering one message for {}"
            + " ms; nothing else from that member is read meanwhile, heartbeats included, so it may"
            + " be suspected. Where the receiver waits:{}",
        thread.getName(),
        millis,
        where);
  }
}
