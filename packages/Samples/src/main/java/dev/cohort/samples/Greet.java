package dev.cohort.samples;

import dev.cohort.api.Document;
import dev.cohort.api.Service;
import dev.cohort.api.ServiceContext;

/** {@code samples.hello:greet}: {@code {"name":"Ada"}} → {@code {"greeting":"Hello, Ada!"}}. Stateless. */
public final class Greet implements Service {

  @Override
  public Document invoke(Document input, ServiceContext context) {
    String name = input.string("name").filter(n -> !n.isBlank()).orElse("World");
    return Document.of("greeting", "Hello, " + name + "!", "node", context.nodeName());
  }
}
