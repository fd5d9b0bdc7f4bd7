package dev.cohort.server.testpkg;

import dev.cohort.api.CohortService;
import dev.cohort.api.Document;
import dev.cohort.api.ServiceContext;

/** Services that exercise the application-wide attributes. */
public final class AppServices {

  @CohortService("test.app:put")
  public Document put(Document input, ServiceContext context) {
    context.application().put(input.requireString("name"), input.requireString("value"));
    return Document.of("stored", true);
  }

  @CohortService("test.app:get")
  public Document get(Document input, ServiceContext context) {
    Object value = context.application().get(input.requireString("name")).orElse(null);
    return Document.of("value", value == null ? null : value.toString(), "names", String.join(",", new java.util.TreeSet<>(context.application().names())));
  }
}
