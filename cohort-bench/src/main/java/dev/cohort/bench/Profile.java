package dev.cohort.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of one measured target (the JDK's {@code profile} settings, with Java stacks
 * sampled every millisecond; virtual threads included) and a summary of where the samples fall: by
 * area of code (a sample counts for every area that has a frame on its stack), by the method on
 * top of the stack, by Cohort method anywhere on the stack, and by the Cohort method nearest the
 * top (what a pipeline step costs with the library code it calls, without the deeper Cohort steps);
 * plus the time spent in GC pauses.
 *
 * <p>Run the JVM with {@code -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints} (the run
 * script does with {@code --profile}): without it, samples taken between safepoints in inlined code
 * are charged to the wrong callers.
 */
final class Profile implements AutoCloseable {

  /** An area of code: the classes whose names start with one of the prefixes. */
  private record Area(String name, List<String> prefixes) {

    boolean contains(String type) {
      return prefixes.stream().anyMatch(type::startsWith);
    }
  }

  private static final List<Area> AREAS =
      List.of(
          new Area("Jetty (HTTP parsing, I/O, dispatch)", List.of("org.eclipse.jetty.")),
          new Area("Cohort pipeline (any dev.cohort frame)", List.of("dev.cohort.")),
          new Area("JSON (Jackson)", List.of("com.fasterxml.jackson.")),
          new Area(
              "credential cache (HMAC-SHA256 of user+password)",
              List.of("dev.cohort.server.security.CredentialCache")),
          new Area("password hash (Argon2id)", List.of("org.bouncycastle.")),
          new Area(
              "session attribute (de)serialization",
              List.of(
                  "dev.cohort.server.session.AttributeCodec",
                  "java.io.ObjectOutputStream",
                  "java.io.ObjectInputStream")),
          new Area("session store update", List.of("dev.cohort.server.session.InMemorySessionStore")),
          new Area("metrics (Micrometer timer)", List.of("io.micrometer.", "io.prometheus.")),
          new Area("logging context (SLF4J MDC, Logback)", List.of("org.slf4j.", "ch.qos.logback.")),
          new Area(
              "SecureRandom (session ids, CSRF tokens)",
              List.of(
                  "java.security.SecureRandom",
                  "sun.security.provider.NativePRNG",
                  "sun.security.provider.SecureRandom",
                  "sun.security.provider.AbstractDrbg",
                  "sun.security.provider.HashDrbg")),
          new Area("java.util.regex", List.of("java.util.regex.")));

  private static final int TOP = 15;

  private final Recording recording;
  private final Path file;

  private Profile(Recording recording, Path file) {
    this.recording = recording;
    this.file = file;
  }

  /** Starts recording into {@code file} (written when the profile is stopped). */
  static Profile start(Path file) throws IOException, ParseException {
    Map<String, String> settings =
        new HashMap<>(Configuration.getConfiguration("profile").getSettings());
    settings.put("jdk.ExecutionSample#period", "1 ms");
    Recording recording = new Recording(settings);
    recording.setName(file.getFileName().toString());
    recording.setToDisk(true);
    recording.start();
    return new Profile(recording, file);
  }

  /** Stops recording, writes the file and prints the summary to {@code out}. */
  void stopAndSummarize(String title, PrintStream out) throws IOException {
    recording.stop();
    recording.dump(file);
    summarize(
        title, file, Duration.between(recording.getStartTime(), recording.getStopTime()), out);
  }

  @Override
  public void close() {
    recording.close();
  }

  private static void summarize(String title, Path file, Duration span, PrintStream out)
      throws IOException {
    Map<String, Integer> areas = new HashMap<>();
    Map<String, Integer> topFrames = new HashMap<>();
    Map<String, Integer> cohortMethods = new HashMap<>();
    Map<String, Integer> nearestCohort = new HashMap<>();
    int samples = 0;
    int collections = 0;
    Duration paused = Duration.ZERO;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      if (event.getEventType().getName().equals("jdk.GarbageCollection")) {
        collections++;
        paused = paused.plus(event.getDuration("sumOfPauses"));
        continue;
      }
      if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = stack.getFrames();
      topFrames.merge(method(frames.getFirst()), 1, Integer::sum);
      Set<String> seenAreas = new HashSet<>();
      Set<String> seenMethods = new HashSet<>();
      for (RecordedFrame frame : frames) {
        String type = frame.getMethod().getType().getName();
        for (Area area : AREAS) {
          if (area.contains(type)) {
            seenAreas.add(area.name());
          }
        }
        if (type.startsWith("dev.cohort.")) {
          if (seenMethods.isEmpty()) {
            nearestCohort.merge(method(frame), 1, Integer::sum);
          }
          seenMethods.add(method(frame));
        }
      }
      seenAreas.forEach(a -> areas.merge(a, 1, Integer::sum));
      seenMethods.forEach(m -> cohortMethods.merge(m, 1, Integer::sum));
    }
    out.printf("%nProfile of %s: %,d stack samples (%s)%n", title, samples, file);
    out.printf(
        Locale.ROOT,
        "  GC: %d collections, %d ms paused in all (%.1f%% of the %.1f s recorded)%n",
        collections,
        paused.toMillis(),
        span.isZero() ? 0 : 100.0 * paused.toNanos() / span.toNanos(),
        span.toMillis() / 1000.0);
    if (samples == 0) {
      return;
    }
    out.println("  by area (a sample counts for every area on its stack, so these overlap):");
    for (Area area : AREAS) {
      out.printf("    %5.1f%%  %s%n", percent(areas.getOrDefault(area.name(), 0), samples),
          area.name());
    }
    print(out, "  top of stack (self time):", topFrames, samples);
    print(out, "  Cohort methods on the stack (inclusive time):", cohortMethods, samples);
    print(
        out,
        "  nearest Cohort method to the top of the stack (a step with the library code it calls):",
        nearestCohort,
        samples);
  }

  private static void print(PrintStream out, String heading, Map<String, Integer> counts,
      int samples) {
    out.println(heading);
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
        .limit(TOP)
        .forEach(e -> out.printf("    %5.1f%%  %s%n", percent(e.getValue(), samples), e.getKey()));
  }

  private static String method(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  private static double percent(int count, int total) {
    return 100.0 * count / total;
  }
}
