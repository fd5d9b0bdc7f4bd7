package dev.cohort.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The machine's CPU time as Linux counts it, split into the benchmark's own share and everybody
 * else's: on a shared machine other processes (builds, tests) take cores the nodes would have
 * had, and a run taken while they did is not comparable to one taken while they did not.
 *
 * <p>Counters: the machine's busy time ({@code /proc/stat}), this JVM's own and its waited-for
 * children's (wrk) CPU time ({@code /proc/self/stat}), and the nodes' ({@code nodeCpu}).
 *
 * @param wallNanos {@link System#nanoTime}
 * @param busyNanos the machine's busy CPU time
 * @param selfNanos this JVM's CPU time (utime + stime)
 * @param childrenNanos CPU time of this JVM's finished, waited-for children (wrk)
 * @param nodeNanos CPU time of the nodes
 */
record Machine(long wallNanos, long busyNanos, long selfNanos, long childrenNanos, long nodeNanos) {

  private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

  /** A reading now; {@code nodeCpu} gives the nodes' CPU time so far. */
  static Optional<Machine> now(LongSupplier nodeCpu) {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst();
      String[] t = cpu.trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal
      long busy =
          List.of(1, 2, 3, 6, 7, 8).stream().mapToLong(i -> Long.parseLong(t[i])).sum() * TICK_NANOS;
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long self = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
      long children = (Long.parseLong(f[13]) + Long.parseLong(f[14])) * TICK_NANOS;
      return Optional.of(
          new Machine(System.nanoTime(), busy, self, children, nodeCpu.getAsLong()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * What was used from {@code start} to this reading, in cores (CPU time / wall time).
   *
   * @param all the whole machine
   * @param nodes the nodes
   * @param load wrk (and this JVM, which only waits for it)
   * @param other everything else on the machine
   */
  record Cores(double all, double nodes, double load, double other) {}

  Cores since(Machine start) {
    double wall = Math.max(1, wallNanos - start.wallNanos);
    double all = (busyNanos - start.busyNanos) / wall;
    double nodes = (nodeNanos - start.nodeNanos) / wall;
    double load =
        ((selfNanos - start.selfNanos) + (childrenNanos - start.childrenNanos)) / wall;
    return new Cores(all, nodes, load, Math.max(0, all - nodes - load));
  }

  /**
   * Waits until other processes have kept less than {@code maxOther} cores busy over a whole
   * second, for at most {@code patience}.
   *
   * @return how long it waited, or empty if the machine never got that quiet
   */
  static Optional<Duration> awaitQuiet(LongSupplier nodeCpu, double maxOther, Duration patience)
      throws InterruptedException {
    long t0 = System.nanoTime();
    while (System.nanoTime() - t0 < patience.toNanos()) {
      Optional<Machine> a = now(nodeCpu);
      Thread.sleep(1_000);
      Optional<Machine> b = now(nodeCpu);
      if (a.isEmpty() || b.isEmpty()) {
        return Optional.of(Duration.ZERO);
      }
      if (b.get().since(a.get()).other() < maxOther) {
        return Optional.of(Duration.ofNanos(System.nanoTime() - t0));
      }
    }
    return Optional.empty();
  }
}
