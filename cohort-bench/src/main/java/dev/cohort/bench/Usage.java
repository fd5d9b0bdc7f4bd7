package dev.cohort.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * What the machine and this JVM (both servers) used between two points in time: CPU time and heap
 * allocation. Read at the start and end of a measured run, so that a result also says how much
 * work each request cost, not only how fast it went on a machine wrk shares.
 *
 * @param wallNanos elapsed time
 * @param jvmCpuNanos CPU time of this JVM (every thread: handlers, selectors, JIT, GC)
 * @param allocatedBytes heap allocated by this JVM's threads
 * @param machineBusyNanos CPU time of the whole machine (all processes, wrk included), if {@code
 *     /proc/stat} can be read
 */
record Usage(
    long wallNanos, long jvmCpuNanos, long allocatedBytes, Optional<Long> machineBusyNanos) {

  private static final Path PROC_STAT = Path.of("/proc/stat");

  /** The counters now; {@link #since} turns two of them into a {@link Usage}. */
  static Usage now() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    return new Usage(
        System.nanoTime(),
        os.getProcessCpuTime(),
        threads.getTotalThreadAllocatedBytes(),
        machineBusy());
  }

  /** The usage from {@code start} to this. */
  Usage since(Usage start) {
    return new Usage(
        wallNanos - start.wallNanos,
        jvmCpuNanos - start.jvmCpuNanos,
        allocatedBytes - start.allocatedBytes,
        machineBusyNanos.flatMap(end -> start.machineBusyNanos.map(begin -> end - begin)));
  }

  /** Cores this JVM kept busy on average. */
  double jvmCores() {
    return wallNanos == 0 ? 0 : (double) jvmCpuNanos / wallNanos;
  }

  /** Cores the whole machine kept busy on average, if known. */
  Optional<Double> machineCores() {
    return machineBusyNanos.map(busy -> wallNanos == 0 ? 0 : (double) busy / wallNanos);
  }

  /** Busy (non-idle, non-iowait) CPU time of the machine from the first line of /proc/stat. */
  private static Optional<Long> machineBusy() {
    try {
      String cpu = Files.readAllLines(PROC_STAT).getFirst();
      long[] ticks =
          Arrays.stream(cpu.trim().split("\\s+")).skip(1).limit(8).mapToLong(Long::parseLong)
              .toArray();
      // user nice system idle iowait irq softirq steal; ticks are 1/100 s on Linux (USER_HZ).
      long busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7];
      return Optional.of(busy * 10_000_000L);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
