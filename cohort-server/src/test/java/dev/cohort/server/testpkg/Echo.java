package dev.cohort.server.testpkg;

import dev.cohort.api.Document;
import dev.cohort.api.Service;
import dev.cohort.api.ServiceContext;

/** test.echo:echo — returns the input with the caller and node. */
public final class Echo implements Service {

  @Override
  public Document invoke(Document input, ServiceContext context) {
    context.logger().log(System.Logger.Level.INFO, "echo for {0}", context.caller().user());
    return Document.of("input", input, "user", context.caller().user())
        .put("node", context.nodeName())
        .put("requestId", context.requestId());
  }
}
