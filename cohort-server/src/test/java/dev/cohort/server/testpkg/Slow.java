package dev.cohort.server.testpkg;

import dev.cohort.api.Document;
import dev.cohort.api.Service;
import dev.cohort.api.ServiceContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * test.slow:sleep — writes the file named by {@code marker} (so a test knows the call is in
 * flight), then works for {@code millis}.
 */
public final class Slow implements Service {

  @Override
  public Document invoke(Document input, ServiceContext context) throws Exception {
    Files.writeString(Path.of(input.requireString("marker")), "started");
    Thread.sleep(input.requireLong("millis"));
    return Document.of("slept", input.requireLong("millis"));
  }
}
