package dev.cohort.server.cluster;

import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.blocks.RequestCorrelator;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * Leaves only cache traffic on the connection's receiver ({@link DirectDelivery}) and gives every
 * other received message to the transport's thread pool.
 *
 * <p>Cache traffic is what Infinispan sends: its messages carry no headers but its own (request and
 * response ids, under {@code RequestCorrelator}'s protocol id) and those of the reliable layers, flow
 * control and fragmentation (the reliable layers' own acknowledgements and flow control's credits
 * carry no others either). Everything else (membership, failure detection, merges, discovery, stability) is rare and
 * some of it waits while it is delivered: the coordinator handles a join, leave or merge on the
 * delivering thread and waits there for every member to acknowledge the new view, one
 * acknowledgement coming over the very connection whose receiver would be waiting. Handing those
 * off costs nothing measurable; a receiver that waited would stop its connection's heartbeats.
 *
 * <p>It sits directly above {@link Seal}: below it, messages are sealed and their headers cannot be
 * read. A batch holding anything but cache traffic goes to the pool whole (a batch comes from one
 * sender, and the reliable layers above keep each sender's order whichever thread delivers).
 */
final class ReceiverHandoff extends Protocol {

  private static final short[] CACHE_TRAFFIC = {
    // Infinispan's own header (request and response ids) is RequestCorrelator's.
    ClassConfigurator.getProtocolId(RequestCorrelator.class),
    ClassConfigurator.getProtocolId(NAKACK2.class),
    ClassConfigurator.getProtocolId(UNICAST3.class),
    ClassConfigurator.getProtocolId(UFC.class),
    ClassConfigurator.getProtocolId(MFC.class),
    ClassConfigurator.getProtocolId(FRAG4.class),
  };

  /** Whether {@code msg} carries no headers but those of cache traffic. */
  static boolean cacheTraffic(Message msg) {
    int headers = msg.getNumHeaders();
    for (short id : CACHE_TRAFFIC) {
      if (headers == 0) {
        return true;
      }
      if (msg.getHeader(id) != null) {
        headers--;
      }
    }
    return headers == 0;
  }

  @Override
  public Object up(Message msg) {
    if (!cacheTraffic(msg) && DirectDelivery.delivering()) {
      getTransport().getThreadPool().execute(() -> up_prot.up(msg));
      return null;
    }
    return up_prot.up(msg);
  }

  @Override
  public void up(MessageBatch batch) {
    if (DirectDelivery.delivering()) {
      for (Message msg : batch) {
        if (msg != null && !cacheTraffic(msg)) {
          getTransport().getThreadPool().execute(() -> up_prot.up(batch));
          return;
        }
      }
    }
    up_prot.up(batch);
  }
}
