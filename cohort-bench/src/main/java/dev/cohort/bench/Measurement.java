package dev.cohort.bench;

/**
 * The measured run of one target.
 *
 * @param target what was loaded
 * @param result what wrk measured
 * @param usage what the JVM and the machine used meanwhile
 */
record Measurement(Target target, WrkResult result, Usage usage) {

  /** JVM CPU time per completed request, in microseconds (both servers, JIT and GC included). */
  double cpuMicrosPerRequest() {
    return result.requests() == 0 ? 0 : usage.jvmCpuNanos() / 1_000.0 / result.requests();
  }

  /** Heap allocated per completed request, in KiB. */
  double allocatedKibPerRequest() {
    return result.requests() == 0 ? 0 : usage.allocatedBytes() / 1024.0 / result.requests();
  }

  /**
   * {@code reference}'s JVM CPU time per request as a share of this target's: how fast this target
   * would go relative to the reference if the server had the cores to itself.
   */
  double cpuRatioTo(Measurement reference) {
    double cost = cpuMicrosPerRequest();
    return cost == 0 ? 0 : reference.cpuMicrosPerRequest() / cost;
  }

  /** This target's requests/s as a share of {@code reference}'s. */
  double ratioTo(Measurement reference) {
    double base = reference.result().requestsPerSecond();
    return base == 0 ? 0 : result.requestsPerSecond() / base;
  }
}
