package dev.cohort.server.cluster;

import org.jgroups.Message;
import org.jgroups.stack.Protocol;

/**
 * Lets a message sent by a receiver that is delivering ({@link DirectDelivery}) skip flow control.
 *
 * <p>A receiver sends when what it delivers completes a wait whose continuation sends (a write's
 * acknowledgement lets the next write on that session go out). Flow control makes a sender wait for
 * credits from the destination, and those credits come over the destination's connection: if it is
 * the connection this receiver reads, nothing would bring them until flow control gives up (5 s),
 * and the destination's heartbeats would not be read meanwhile. Such sends are a few small messages
 * at a time, so they need no flow control. It sits at the top of the stack, above flow control.
 */
final class ReceiverSends extends Protocol {

  @Override
  public Object down(Message msg) {
    if (DirectDelivery.delivering()) {
      msg.setFlag(Message.Flag.NO_FC);
    }
    return down_prot.down(msg);
  }
}
