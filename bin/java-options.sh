# Sourced by bin/cohort and cohort-bench/run: the JVM options a node runs with by default.
# default_java_opts prints them; COHORT_JAVA_OPTS comes after them, so it can override each one.
#
# -XX:+UseTransparentHugePages (only where the kernel offers transparent huge pages, i.e.
# /sys/kernel/mm/transparent_hugepage/enabled says [madvise] or [always]): the heap is backed by
# 2 MB pages. What it is for here is failover: a process killed with SIGKILL closes its sockets
# only after the kernel has freed its memory, and freeing a 1 GB heap of 4 KB pages takes
# 55-80 ms on the reference machine, against 5-9 ms with huge pages (docs/benchmarks.md,
# "Failover time"). Until the sockets close, neither the clients nor the other members learn that
# the node is gone. The cost: the heap's resident size grows in 2 MB steps (up to the whole
# -Xmx sooner than with small pages). Turn it off with COHORT_JAVA_OPTS=-XX:-UseTransparentHugePages.
default_java_opts() {
  if grep -qE '\[(madvise|always)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
    echo "-XX:+UseTransparentHugePages"
  fi
}
