import java.io.*; import java.net.*; import java.util.*;

/**
 * How long a SIGKILLed JVM keeps its sockets open: starts {@link Srv} with the given JVM options
 * (it fills {@code mb} MB of heap with live arrays, starts 200 threads and listens on 45999),
 * connects to it, sends SIGKILL and times until the connection reads EOF. Repeats {@code n} times.
 *
 * <pre>
 * javac -d /tmp/teardown cohort-bench/teardown/*.java
 * java -cp /tmp/teardown Drv 7 600 -Xms1g -Xmx1g
 * java -cp /tmp/teardown Drv 7 600 -Xms1g -Xmx1g -XX:+UseTransparentHugePages
 * </pre>
 */
public class Drv {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]); int mb = Integer.parseInt(a[1]);
    List<String> flags = Arrays.asList(a).subList(2, a.length);
    String java = ProcessHandle.current().info().command().get();
    List<Double> eof = new ArrayList<>(), reaped = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> cmd = new ArrayList<>(List.of(java)); cmd.addAll(flags); cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "Srv", "" + mb));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
      String line = r.readLine(); if (!"ready".equals(line)) throw new IllegalStateException(line);
      Socket s = new Socket(InetAddress.getLoopbackAddress(), 45999);
      Thread.sleep(300);
      long rss = rss(p.pid());
      long t0 = System.nanoTime();
      new ProcessBuilder("kill", "-9", "" + p.pid()).start().waitFor();
      long tk = System.nanoTime();
      int c; try { c = s.getInputStream().read(); } catch (IOException e) { c = -2; }
      long t1 = System.nanoTime();
      p.waitFor(); long t2 = System.nanoTime();
      eof.add((t1 - tk) / 1e6); reaped.add((t2 - tk) / 1e6);
      System.out.printf("rss %d MB  eof %.1f ms  reaped %.1f ms (kill cmd %.1f ms) read=%d%n", rss / 1024, (t1 - tk) / 1e6, (t2 - tk) / 1e6, (tk - t0) / 1e6, c);
      s.close();
    }
    Collections.sort(eof); Collections.sort(reaped);
    System.out.printf("%s: eof median %.1f ms, min %.1f max %.1f%n", flags, eof.get(n / 2), eof.get(0), eof.get(n - 1));
  }
  static long rss(long pid) throws IOException {
    for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status")))
      if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
    return -1;
  }
}
