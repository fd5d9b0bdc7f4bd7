package dev.cohort.samples;

import dev.cohort.api.Document;
import dev.cohort.api.InvalidInputException;
import dev.cohort.api.Service;
import dev.cohort.api.ServiceContext;

/**
 * {@code samples.hello:greet}: {@code {"name":"Ada"}} → {@code {"greeting":"Hello, Ada!"}}.
 * Stateless. {@code "delayMillis"} (up to 10000) makes it take that long first — for trying
 * timeouts and what a client sees when its node fails mid-call.
 */
public final class Greet implements Service {

  private static final long MAX_DELAY_MILLIS = 10_000;

  @Override
  public Document invoke(Document input, ServiceContext context) throws InterruptedException {
    String name = input.string("name").filter(n -> !n.isBlank()).orElse("World");
    long delay = input.longValue("delayMillis").orElse(0L);
    if (delay < 0 || delay > MAX_DELAY_MILLIS) {
      throw new InvalidInputException("field 'delayMillis' must be 0 to " + MAX_DELAY_MILLIS);
    }
    if (delay > 0) {
      context.logger().log(System.Logger.Level.INFO, "greeting {0} in {1} ms", name, String.valueOf(delay));
      Thread.sleep(delay);
    }
    return Document.of("greeting", "Hello, " + name + "!", "node", context.nodeName());
  }
}
