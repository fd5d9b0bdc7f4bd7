package dev.cohort.bench;

import java.util.Optional;

/**
 * One measured wrk run against node processes, with what the nodes and the machine used
 * meanwhile.
 *
 * @param row what was loaded, as the report names it
 * @param result what wrk measured
 * @param wallNanos how long the run took by this JVM's clock
 * @param nodeCpuNanos CPU time of the loaded deployment's node JVMs (all of them)
 * @param cores how busy the machine was meanwhile: all the benchmark's nodes, wrk, and other
 *     processes; empty if unknown
 */
record LoadRun(
    String row,
    WrkResult result,
    long wallNanos,
    long nodeCpuNanos,
    Optional<Machine.Cores> cores) {

  /** Service calls per second (logouts excluded; they only count against the time). */
  double callsPerSecond() {
    return result.callsPerSecond();
  }

  /** Node CPU time per service call, in microseconds (logouts' cost included). */
  double nodeCpuMicrosPerCall() {
    long calls = result.requests() - result.logouts();
    return calls == 0 ? 0 : nodeCpuNanos / 1_000.0 / calls;
  }

  /** This run's calls/s as a share of {@code reference}'s. */
  double ratioTo(LoadRun reference) {
    double base = reference.callsPerSecond();
    return base == 0 ? 0 : callsPerSecond() / base;
  }

  /** {@code reference}'s node CPU per call as a share of this run's. */
  double cpuRatioTo(LoadRun reference) {
    double cost = nodeCpuMicrosPerCall();
    return cost == 0 ? 0 : reference.nodeCpuMicrosPerCall() / cost;
  }
}
