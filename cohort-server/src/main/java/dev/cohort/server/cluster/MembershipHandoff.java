package dev.cohort.server.cluster;

import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * Hands membership messages (joins, leaves, merges, views) to the transport's thread pool, so that
 * the connection that brought one keeps reading.
 *
 * <p>The cluster transport delivers received messages on each connection's own receiver (JGroups'
 * {@code all-direct} policy): a session write's backup copy and its acknowledgement each save a
 * thread hand-off (see docs/benchmarks.md). That is safe for everything that never waits while
 * delivering: Infinispan moves any command that may wait to its own executors, and a full send
 * queue drops rather than blocks (the reliable layer resends). Membership changes do wait: the
 * coordinator handles a join, leave or merge on the thread that delivers it, and that thread
 * waits for every member to acknowledge the new view. One of those acknowledgements comes over
 * the joining member's own connection, so if that connection's receiver were the one waiting, it
 * would wait out the acknowledgement timeout and read nothing meanwhile, heartbeats included: with
 * plain {@code all-direct}, members were suspected and the cluster split and merged every few
 * seconds.
 *
 * <p>It sits directly above {@link Seal}: below it, messages are sealed and their headers cannot be
 * read. A batch with a membership message in it goes to the pool whole (a batch comes from one
 * sender; the reliable layer above keeps each sender's order whichever thread delivers).
 */
final class MembershipHandoff extends Protocol {

  private static final short MEMBERSHIP = ClassConfigurator.getProtocolId(GMS.class);

  static boolean membership(Message msg) {
    return msg.getHeader(MEMBERSHIP) != null;
  }

  @Override
  public Object up(Message msg) {
    if (membership(msg)) {
      getTransport().getThreadPool().execute(() -> up_prot.up(msg));
      return null;
    }
    return up_prot.up(msg);
  }

  @Override
  public void up(MessageBatch batch) {
    for (Message msg : batch) {
      if (msg != null && membership(msg)) {
        getTransport().getThreadPool().execute(() -> up_prot.up(batch));
        return;
      }
    }
    up_prot.up(batch);
  }
}
