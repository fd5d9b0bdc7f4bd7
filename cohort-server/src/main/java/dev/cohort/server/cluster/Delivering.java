package dev.cohort.server.cluster;

import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * Marks the threads that pass received messages up the stack ({@link #delivering()}), so that
 * {@link InlineBackupCopies} can apply a backup copy of a write on the thread that delivered it
 * instead of starting another. It sits directly above {@link Seal}.
 *
 * <p>Delivery itself stays on JGroups' thread pool (its default policy: a thread per message, one
 * at a time per sender for ordered ones). Delivering on each connection's receiver instead
 * (JGroups' {@code all-direct}) saved another hand-off per message but was taken out twice: first
 * because a join stalled the joiner's connection (the coordinator waited on that receiver for the
 * joiner's view acknowledgement), then, with membership messages handed to the pool, because a
 * three-node cluster still split after a member was killed (ClientFailoverIT), which in
 * availability mode lost acknowledged session changes at the merge. A receiver that waits for
 * anything stops its connection's heartbeats; the thread pool keeps that from ever happening.
 */
final class Delivering extends Protocol {

  private static final ThreadLocal<Boolean> DELIVERING = new ThreadLocal<>();

  /** Whether this thread is passing a received message up the stack. */
  static boolean delivering() {
    return DELIVERING.get() != null;
  }

  @Override
  public Object up(Message msg) {
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
