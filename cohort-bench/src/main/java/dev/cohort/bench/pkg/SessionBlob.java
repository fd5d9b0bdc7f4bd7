package dev.cohort.bench.pkg;

import dev.cohort.api.CohortService;
import dev.cohort.api.Document;
import dev.cohort.api.InvalidInputException;
import dev.cohort.api.ServiceContext;

/**
 * Services of the benchmark-only Bench package: make a session of a chosen size, then change one
 * small attribute of it. {@code cohort-bench/run session-bytes} measures what the second costs
 * between cluster members.
 */
public final class SessionBlob {

  /** The largest attribute {@link #put} makes: 16 MiB. */
  static final int MAX_SIZE = 16 << 20;

  /**
   * {@code {"name":"big","size":N,"seed":S}} → {@code {"size":N,"digest":"…"}}: stores {@code N}
   * random bytes (from {@code seed}) in attribute {@code name}.
   */
  @CohortService("bench.session:put")
  public Document put(Document input, ServiceContext context) {
    String name = input.requireString("name");
    long size = input.requireLong("size");
    if (size < 0 || size > MAX_SIZE) {
      throw new InvalidInputException("field 'size' must be 0 to " + MAX_SIZE);
    }
    Blob blob = new Blob((int) size, input.longValue("seed").orElse(1L));
    context.session().put(name, blob);
    return Document.of("size", blob.size(), "digest", blob.digest());
  }

  /**
   * {@code {"name":"small"}} → {@code {"count":N}}: adds one to the counter in attribute {@code
   * name} (a {@code Long}; absent counts as 0).
   */
  @CohortService("bench.session:touch")
  public Document touch(Document input, ServiceContext context) {
    String name = input.requireString("name");
    long count = context.session().get(name, Long.class).orElse(0L) + 1;
    context.session().put(name, count);
    return Document.of("count", count);
  }

  /**
   * {@code {"name":"big"}} → {@code {"size":N,"digest":"…"}} of the blob in attribute {@code
   * name}, or {@code {"size":-1}} if there is none: shows that a copy of the session holds the
   * same bytes as the node that stored them.
   */
  @CohortService("bench.session:digest")
  public Document digest(Document input, ServiceContext context) {
    return context
        .session()
        .get(input.requireString("name"), Blob.class)
        .map(b -> Document.of("size", b.size(), "digest", b.digest()))
        .orElseGet(() -> Document.of("size", -1));
  }
}
