package dev.cohort.client;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The durable record of a {@link TContext}'s transactions: an append-only file of JSON lines in its
 * directory, each line forced to disk before the request it announces is sent, so that after a
 * crash at any point the client knows every transaction it may have started and every call it may
 * have made. Entries, by {@code op}:
 *
 * <ul>
 *   <li>{@code start} {tid, ttlSeconds, retries, expiresAt}: a transaction was (re)started; again
 *       for a restart, renewing its TTL;
 *   <li>{@code call} {tid, service, input, mode}: a service is being called under it ({@code
 *       invoke}, {@code submit} or {@code send});
 *   <li>{@code outcome} {tid, state}: the client saw it DONE, FAILED or IN_DOUBT, or (PENDING)
 *       saw that the server has it;
 *   <li>{@code end} {tid}: the application is finished with it.
 * </ul>
 *
 * <p>Opening replays the file into the open transactions. A last line without its newline (a crash
 * mid-write, so its request was never sent) is ignored and cut off. When the file is larger than
 * the compaction threshold and lines of ended transactions are most of it, it is rewritten with
 * only the open ones (a temporary file, forced, then moved over the log). One process at a time:
 * a {@link FileLock} on {@value #LOCK} in the directory.
 */
final class JobLog implements AutoCloseable {

  static final String LOG = "joblog.jsonl";
  static final String LOCK = "joblog.lock";
  private static final String TEMP = "joblog.jsonl.tmp";
  private static final System.Logger LOGGER = System.getLogger(JobLog.class.getName());

  /** How a service was called under a transaction. */
  enum Mode {
    /** {@link TContext#invokeTx}: synchronous. */
    INVOKE,
    /** {@link TContext#submitTx}: asynchronous, the result kept. */
    SUBMIT,
    /** {@link TContext#sendTx}: asynchronous, fire and forget. */
    SEND
  }

  /** The service called under a transaction, as the log has it. */
  record ServiceCall(String service, ObjectNode input, Mode mode) {}

  /** An open (not ended) transaction, as the log has it. */
  record Tx(
      String tid,
      long ttlSeconds,
      int retries,
      Instant expiresAt,
      Optional<ServiceCall> call,
      Optional<TxStatus.State> outcome) {}

  private final Path directory;
  private final Path file;
  private final ObjectMapper mapper;
  private final long compactAfterBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Map<String, Tx> open = new LinkedHashMap<>();
  private FileChannel out;
  private long lines;
  private boolean closed;

  private JobLog(Path directory, ObjectMapper mapper, long compactAfterBytes, FileChannel lockChannel, FileLock lock) {
    this.directory = directory;
    this.file = directory.resolve(LOG);
    this.mapper = mapper;
    this.compactAfterBytes = compactAfterBytes;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens the log in {@code directory} (created if missing), locks it and replays it.
   *
   * @throws CohortClientException another process (or another TContext here) holds the log, or it
   *     cannot be read or is damaged
   */
  static JobLog open(Path directory, ObjectMapper mapper, long compactAfterBytes) {
    FileChannel lockChannel = null;
    try {
      Files.createDirectories(directory);
      lockChannel = FileChannel.open(directory.resolve(LOCK), CREATE, WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new CohortClientException(
            "the job log in " + directory + " is in use by another TContext (it holds " + LOCK
                + "); one TContext, in one process, per job log directory: close the other or give"
                + " this one its own directory");
      }
      JobLog log = new JobLog(directory, mapper, compactAfterBytes, lockChannel, lock);
      log.replay();
      return log;
    } catch (IOException | RuntimeException e) {
      closeQuietly(lockChannel);
      if (e instanceof CohortClientException c) {
        throw c;
      }
      throw new CohortClientException("cannot open the job log in " + directory + ": " + e.getMessage(), e);
    }
  }

  /** Reads the file into {@link #open}; cuts off a torn last line; opens it for appending. */
  private void replay() throws IOException {
    Files.deleteIfExists(directory.resolve(TEMP)); // a compaction that did not finish
    byte[] bytes = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
    int from = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      lines++;
      if (i > from) {
        JsonNode entry;
        try {
          entry = mapper.readTree(bytes, from, i - from);
        } catch (IOException e) {
          throw new CohortClientException(
              "the job log " + file + " is damaged at line " + lines + " (" + e.getMessage()
                  + "); move the file away to start afresh, knowing its transactions are then not resumed",
              e);
        }
        apply(entry);
      }
      from = i + 1;
    }
    out = FileChannel.open(file, CREATE, WRITE, APPEND);
    if (from < bytes.length) {
      // A crash while this line was written: it was not forced, so its request never went out.
      out.truncate(from);
      out.force(true);
    }
  }

  /** Appends a start (or, for an open transaction, a restart renewing its TTL). */
  synchronized void start(String tid, long ttlSeconds, int retries, Instant expiresAt) {
    record(startEntry(tid, ttlSeconds, retries, expiresAt));
  }

  /** Appends a call, unless the transaction's logged call is this one. */
  synchronized void call(String tid, String service, ObjectNode input, Mode mode) {
    ServiceCall call = new ServiceCall(service, input, mode);
    if (!require(tid).call().equals(Optional.of(call))) {
      record(callEntry(tid, call));
    }
  }

  /** Appends an outcome, unless it is the one logged. No-op for a transaction not open. */
  synchronized void outcome(String tid, TxStatus.State state) {
    Tx tx = open.get(tid);
    if (tx != null && !tx.outcome().equals(Optional.of(state))) {
      record(entry("outcome", tid).put("state", state.name()));
    }
  }

  /** Appends an end, then compacts if it is time. No-op for a transaction not open. */
  synchronized void end(String tid) {
    if (find(tid).isPresent()) {
      record(entry("end", tid));
      compactIfDue();
    }
  }

  /** Appends {@code tx} again, whole: it was ended, and is open after all. */
  synchronized void reopen(Tx tx) {
    entriesOf(tx).forEach(this::record);
  }

  /** The open transaction {@code tid}. */
  synchronized Optional<Tx> find(String tid) {
    ensureOpen();
    return Optional.ofNullable(open.get(tid));
  }

  /**
   * The open transaction {@code tid}.
   *
   * @throws IllegalStateException it is not open
   */
  synchronized Tx require(String tid) {
    return find(tid)
        .orElseThrow(() -> new IllegalStateException(
            "tx " + tid + " is not open in the job log " + file + ": it was not started here, or it was ended"));
  }

  /** The open transactions' ids, oldest first. */
  synchronized List<String> pending() {
    ensureOpen();
    return List.copyOf(open.keySet());
  }

  /** What the log's entries do to the open transactions; the same for replay and for appends. */
  private void apply(JsonNode entry) {
    String tid = entry.path("tid").asText();
    switch (entry.path("op").asText()) {
      case "start" -> {
        Optional<ServiceCall> call = Optional.ofNullable(open.get(tid)).flatMap(Tx::call);
        open.put(
            tid,
            new Tx(
                tid,
                entry.path("ttlSeconds").asLong(),
                entry.path("retries").asInt(),
                Instant.parse(entry.path("expiresAt").asText()),
                call,
                Optional.empty()));
      }
      case "call" -> open.computeIfPresent(
          tid,
          (k, tx) -> new Tx(
              tid,
              tx.ttlSeconds(),
              tx.retries(),
              tx.expiresAt(),
              Optional.of(
                  new ServiceCall(
                      entry.path("service").asText(),
                      (ObjectNode) entry.path("input"),
                      Mode.valueOf(entry.path("mode").asText().toUpperCase(Locale.ROOT)))),
              tx.outcome()));
      case "outcome" -> open.computeIfPresent(
          tid,
          (k, tx) -> new Tx(
              tid,
              tx.ttlSeconds(),
              tx.retries(),
              tx.expiresAt(),
              tx.call(),
              Optional.of(TxStatus.State.valueOf(entry.path("state").asText()))));
      case "end" -> open.remove(tid);
      default -> {
        // Written by a newer client: not ours to interpret.
      }
    }
  }

  private void record(ObjectNode entry) {
    ensureOpen();
    long size = -1;
    try {
      size = out.size();
      writeLine(out, entry);
      out.force(false);
    } catch (IOException e) {
      try {
        if (size >= 0) {
          out.truncate(size); // no half line for the next append to follow
        }
      } catch (IOException ignored) {
        // The replay cuts a torn last line off anyway.
      }
      throw new CohortClientException(
          "cannot write to the job log " + file + " (" + e.getMessage() + "); nothing was sent", e);
    }
    lines++;
    apply(entry);
  }

  private void writeLine(FileChannel channel, ObjectNode entry) throws IOException {
    byte[] json = mapper.writeValueAsBytes(entry);
    ByteBuffer buffer = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** Rewrites the log with only the open transactions when it is big and mostly ended ones. */
  private void compactIfDue() {
    List<ObjectNode> live = new ArrayList<>();
    open.values().forEach(tx -> live.addAll(entriesOf(tx)));
    long size;
    try {
      size = out.size();
    } catch (IOException e) {
      return;
    }
    if (size < compactAfterBytes || live.size() * 2L > lines) {
      return;
    }
    Path temp = directory.resolve(TEMP);
    try {
      try (FileChannel channel = FileChannel.open(temp, CREATE, TRUNCATE_EXISTING, WRITE)) {
        for (ObjectNode entry : live) {
          writeLine(channel, entry);
        }
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      LOGGER.log(System.Logger.Level.WARNING, "cannot compact the job log " + file + "; it keeps growing: " + e, e);
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // Deleted on the next open.
      }
      return;
    }
    forceDirectory();
    closeQuietly(out);
    try {
      out = FileChannel.open(file, WRITE, APPEND);
    } catch (IOException e) {
      // out stays closed: every later append fails and says so.
      throw new CohortClientException("cannot reopen the job log " + file + " after compacting it: " + e.getMessage(), e);
    }
    lines = live.size();
  }

  /** Makes the move of the compacted file durable (where the platform allows forcing a directory). */
  private void forceDirectory() {
    try (FileChannel dir = FileChannel.open(directory, READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Not possible on every platform (Windows); the move itself is atomic.
    }
  }

  private List<ObjectNode> entriesOf(Tx tx) {
    List<ObjectNode> entries = new ArrayList<>();
    entries.add(startEntry(tx.tid(), tx.ttlSeconds(), tx.retries(), tx.expiresAt()));
    tx.call().ifPresent(c -> entries.add(callEntry(tx.tid(), c)));
    tx.outcome().ifPresent(s -> entries.add(entry("outcome", tx.tid()).put("state", s.name())));
    return entries;
  }

  private ObjectNode startEntry(String tid, long ttlSeconds, int retries, Instant expiresAt) {
    return entry("start", tid).put("ttlSeconds", ttlSeconds).put("retries", retries).put("expiresAt", expiresAt.toString());
  }

  private ObjectNode callEntry(String tid, ServiceCall call) {
    ObjectNode entry = entry("call", tid).put("service", call.service());
    entry.set("input", call.input());
    return entry.put("mode", call.mode().name().toLowerCase(Locale.ROOT));
  }

  private ObjectNode entry(String op, String tid) {
    return mapper.createObjectNode().put("op", op).put("tid", tid);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(
          "the TContext on " + directory + " is closed; its unfinished transactions stay in the job log"
              + " for the next TContext on that directory");
    }
  }

  /** Releases the directory; the file stays for the next TContext on it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(out);
    try {
      lock.release();
    } catch (IOException e) {
      // Closing the channel releases it too.
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // Nothing more to do for a file being let go.
    }
  }

  @Override
  public String toString() {
    return "JobLog[" + file + "]";
  }
}
