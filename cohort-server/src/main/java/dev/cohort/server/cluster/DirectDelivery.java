package dev.cohort.server.cluster;

import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * Received messages are passed up the stack by the connection's own receiver, except membership
 * messages (joins, leaves, merges, views), which go to the transport's thread pool so that the
 * connection that brought one keeps reading.
 *
 * <p>The cluster transport delivers on each connection's receiver (JGroups' {@code all-direct}
 * policy), and Infinispan's non-blocking work that such a delivery starts runs on the receiver too
 * ({@link InlineOnReceivers}): a session write's backup copy and its acknowledgement each save
 * thread hand-offs (see docs/benchmarks.md). That is safe for everything that never waits while
 * delivering: Infinispan moves any command that may wait to its own blocking executor, and a full
 * send queue drops rather than blocks (the reliable layer resends). Membership changes do wait:
 * the coordinator handles a join, leave or merge on the thread that delivers it, and that thread
 * waits for every member to acknowledge the new view. One of those acknowledgements comes over the
 * joining member's own connection, so if that connection's receiver were the one waiting, it
 * would wait out the acknowledgement timeout and read nothing meanwhile, heartbeats included: with
 * plain {@code all-direct}, members were suspected and the cluster split and merged every few
 * seconds.
 *
 * <p>It sits directly above {@link Seal}: below it, messages are sealed and their headers cannot be
 * read. A batch with a membership message in it goes to the pool whole (a batch comes from one
 * sender; the reliable layer above keeps each sender's order whichever thread delivers).
 */
final class DirectDelivery extends Protocol {

  private static final short MEMBERSHIP = ClassConfigurator.getProtocolId(GMS.class);
  private static final ThreadLocal<Boolean> DELIVERING = new ThreadLocal<>();

  static boolean membership(Message msg) {
    return msg.getHeader(MEMBERSHIP) != null;
  }

  /** Whether this thread is passing a received message up, outside the thread pool. */
  static boolean delivering() {
    return DELIVERING.get() != null;
  }

  @Override
  public Object up(Message msg) {
    if (membership(msg)) {
      getTransport().getThreadPool().execute(() -> up_prot.up(msg));
      return null;
    }
    if (delivering()) {
      return up_prot.up(msg);
    }
    DELIVERING.set(Boolean.TRUE);
    try {
      return up_prot.up(msg);
    } finally {
      DELIVERING.remove();
    }
  }

  @Override
  public void up(MessageBatch batch) {
    for (Message msg : batch) {
      if (msg != null && membership(msg)) {
        getTransport().getThreadPool().execute(() -> up_prot.up(batch));
        return;
      }
    }
    if (delivering()) {
      up_prot.up(batch);
      return;
    }
    DELIVERING.set(Boolean.TRUE);
    try {
      up_prot.up(batch);
    } finally {
      DELIVERING.remove();
    }
  }
}
