package dev.cohort.server.testpkg;

import dev.cohort.api.CohortService;
import dev.cohort.api.Document;
import dev.cohort.api.InvalidInputException;
import dev.cohort.api.ServiceContext;
import dev.cohort.api.ServiceException;

/** Services that fail in each way a service can. */
public final class Failing {

  @CohortService("test.fail:boom")
  public Document boom(Document input, ServiceContext context) {
    throw new IllegalStateException("internal detail the caller must not see");
  }

  @CohortService("test.fail:refuse")
  public Document refuse(Document input, ServiceContext context) {
    throw new ServiceException("refused: the warehouse is closed");
  }

  @CohortService("test.fail:invalid")
  public Document invalid(Document input, ServiceContext context) {
    input.requireLong("qty");
    return Document.create();
  }

  @CohortService("test.fail:nothing")
  public Document nothing(Document input, ServiceContext context) {
    return null;
  }
}
