package dev.cohort.server.testpkg;

import dev.cohort.api.CohortService;
import dev.cohort.api.Document;
import dev.cohort.api.ServiceContext;

/** Services guarded by the Anonymous and Administrators ACLs in the manifest. */
public final class Open {

  @CohortService("test.open:ping")
  public Document ping(Document input, ServiceContext context) {
    return Document.of("pong", true, "user", context.caller().user());
  }

  @CohortService("test.admin:secret")
  public Document secret(Document input, ServiceContext context) {
    return Document.of("secret", 42);
  }

  /** Tries to reach a server-internal class: packages must not see them. */
  @CohortService("test.open:reachServer")
  public Document reachServer(Document input, ServiceContext context) {
    try {
      Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, Open.class.getClassLoader());
      return Document.of("visible", true);
    } catch (ClassNotFoundException e) {
      return Document.of("visible", false);
    }
  }
}
