package dev.cohort.it.chaospkg;

import dev.cohort.api.CohortService;
import dev.cohort.api.Document;
import dev.cohort.api.ServiceContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code chaos.orders:placeOrder}, declared {@code retry}: an "order" whose effect is outside the
 * shared database — a line with the caller's ref appended to {@code <effects>/<node>.log} — so a
 * crash after the effect and before the DONE record makes a retry repeat it. It waits 50 ms after
 * the effect, widening the window a crash must hit, so that a short chaos run shows what can
 * happen.
 */
public final class EffectOrders {

  @CohortService("chaos.orders:placeOrder")
  public Document placeOrder(Document input, ServiceContext context) throws Exception {
    String ref = input.requireString("ref");
    Path log = Path.of(input.requireString("effects")).resolve(context.nodeName() + ".log");
    Files.writeString(log, ref + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
    Thread.sleep(50);
    return Document.of("orderId", "effect-" + ref);
  }
}
