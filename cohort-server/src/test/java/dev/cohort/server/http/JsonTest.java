package dev.cohort.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cohort.api.Document;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JsonTest {

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /**
   * Every call runs on a new (virtual) thread, so buffers kept per thread would be allocated
   * afresh for each reply. The JDK cannot count a virtual thread's allocations, so this uses new
   * platform threads, which a per-thread pool treats the same way.
   */
  @Test
  void aReplyWrittenOnANewThreadReusesTheEncodersBuffers() throws InterruptedException {
    Map<String, Object> reply = Map.of("greeting", "Hello, alice", "count", 3);
    for (int i = 0; i < 200; i++) {
      bytesAllocatedWritingOnANewThread(reply);
    }
    long allocated = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      allocated = Math.min(allocated, bytesAllocatedWritingOnANewThread(reply));
    }
    // A per-thread pool allocates an 8,000-byte output buffer and a 2,000-char buffer (4 KB)
    // for each new thread; the reply itself and the generator take well under 3 KB.
    assertThat(allocated).isLessThan(6_000);
  }

  @Test
  void writesAndReadsBackAfterBuffersAreReused() throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      String text = "x".repeat(i * 300);
      byte[][] written = new byte[1][];
      Thread t = Thread.ofVirtual().start(() -> written[0] = Json.write(Map.of("text", text)));
      t.join();
      Document back = Json.readDocument(written[0]);
      assertThat(back.requireString("text")).isEqualTo(text);
      assertThat(new String(written[0], StandardCharsets.UTF_8)).startsWith("{\"text\":\"");
    }
  }

  @Test
  void aBurstOfConcurrentWritersLeavesNoMoreBuffersBehindThanTheBound() throws IOException {
    // Each open generator holds a set of buffers; closing it returns the set to the pool.
    List<JsonGenerator> open = new ArrayList<>();
    for (int i = 0; i < 3 * Json.RECYCLED_BUFFER_SETS; i++) {
      open.add(Json.mapper().createGenerator(OutputStream.nullOutputStream()));
    }
    for (JsonGenerator g : open) {
      g.close();
    }
    int pooled = Json.mapper().getFactory()._getRecyclerPool().pooledCount();
    assertThat(pooled).isPositive().isLessThanOrEqualTo(Json.RECYCLED_BUFFER_SETS);
  }

  private static long bytesAllocatedWritingOnANewThread(Object value) throws InterruptedException {
    AtomicLong allocated = new AtomicLong(-1);
    AtomicLong written = new AtomicLong();
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  long before = THREADS.getCurrentThreadAllocatedBytes();
                  byte[] bytes = Json.write(value);
                  allocated.set(THREADS.getCurrentThreadAllocatedBytes() - before);
                  written.set(bytes.length);
                });
    t.join();
    // Checked here: an assertion failing on the other thread would not fail the test.
    assertThat(written.get()).isPositive();
    assertThat(allocated.get()).isNotNegative();
    return allocated.get();
  }
}
