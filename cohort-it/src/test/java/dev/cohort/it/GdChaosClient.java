package dev.cohort.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cohort.client.CohortClient;
import dev.cohort.client.TContext;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The chaos test's client, a process of its own so that the test can SIGKILL it: places {@code
 * count} orders with guaranteed delivery through a {@link TContext} whose job log is in {@code
 * log}, from {@code threads} threads. At start it first finishes the transactions its job log
 * says are pending (a killed predecessor's). It records, fsynced, {@code S tid} before invoking a
 * transaction and {@code D tid orderId} once it is DONE (before ending it), in {@code out}.
 *
 * <pre>
 * GdChaosClient servers password log out count threads service [effectsDir]
 * </pre>
 */
public final class GdChaosClient {

  private final TContext tc;
  private final FileChannel out;
  private final String service;
  private final String effects;

  private GdChaosClient(TContext tc, FileChannel out, String service, String effects) {
    this.tc = tc;
    this.out = out;
    this.service = service;
    this.effects = effects;
  }

  public static void main(String[] args) throws Exception {
    List<URI> servers = new ArrayList<>();
    for (String s : args[0].split(",")) {
      servers.add(URI.create(s));
    }
    Path outFile = Path.of(args[3]);
    int count = Integer.parseInt(args[4]);
    int threads = Integer.parseInt(args[5]);
    String service = args[6];
    String effects = args.length > 7 ? args[7] : null;

    Records before = Records.read(outFile);
    CohortClient client =
        CohortClient.builder()
            .servers(servers.toArray(URI[]::new))
            .credentials("Administrator", args[1])
            .failoverTimeout(Duration.ofSeconds(60))
            .requestTimeout(Duration.ofSeconds(30))
            .build();
    try (TContext tc = TContext.builder().client(client).jobLog(Path.of(args[2])).build();
        FileChannel out =
            FileChannel.open(outFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      GdChaosClient chaos = new GdChaosClient(tc, out, service, effects);
      List<String> pending = tc.pending();
      System.out.println("resuming " + pending.size() + " pending transaction(s)");
      for (String tid : pending) {
        chaos.finish(tid, before.done().contains(tid));
      }
      AtomicInteger started = new AtomicInteger(before.started().size());
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        workers.add(
            Thread.ofPlatform().start(
                () -> {
                  while (started.getAndIncrement() < count) {
                    String tid = tc.startTx(Duration.ofMinutes(10), 100);
                    chaos.record("S " + tid);
                    chaos.finish(tid, false);
                  }
                }));
      }
      for (Thread w : workers) {
        w.join();
      }
      System.out.println("all " + count + " transaction(s) done");
    }
    client.close();
  }

  /** Invokes (or replays) {@code tid}, records it DONE, ends it. */
  private void finish(String tid, boolean recorded) {
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("sku", "chaos");
    input.put("qty", 1);
    input.put("ref", tid);
    if (effects != null) {
      input.put("effects", effects);
    }
    JsonNode result = tc.invokeTx(tid, service, input);
    if (!recorded) {
      record("D " + tid + " " + result.path("orderId").asText());
    }
    tc.endTx(tid);
  }

  private synchronized void record(String line) {
    try {
      out.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      out.force(false);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * What a client's {@code out} file says: the tids started and those DONE with their order ids.
   * A torn last line (the process killed mid-write) is ignored.
   */
  record Records(Set<String> started, Map<String, String> doneWith) {

    Set<String> done() {
      return doneWith.keySet();
    }

    static Records read(Path file) throws IOException {
      Set<String> started = new HashSet<>();
      Map<String, String> done = new LinkedHashMap<>();
      if (Files.exists(file)) {
        String text = Files.readString(file);
        int end = text.lastIndexOf('\n');
        for (String line : text.substring(0, end + 1).split("\n")) {
          String[] f = line.split(" ");
          if (f.length >= 2 && f[0].equals("S")) {
            started.add(f[1]);
          } else if (f.length >= 3 && f[0].equals("D")) {
            done.putIfAbsent(f[1], f[2]);
          }
        }
      }
      return new Records(started, done);
    }
  }
}
