package dev.cohort.server.testing;

import dev.cohort.server.cluster.Grid;
import dev.cohort.server.config.ClusterConfig;
import dev.cohort.server.config.ConfigLoader;
import dev.cohort.server.config.ConfigSources;
import dev.cohort.server.session.grid.SessionSchemaImpl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.ProtocolStack;

/** Stateful-cluster helpers: free transport ports, cluster settings, cutting members off. */
public final class TestGrids {

  public static final String SECRET = "test-secret-0123456789";
  private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

  private TestGrids() {}

  /**
   * {@code n} free TCP ports for cluster transports, each with its failure-detection port ({@code
   * +100}) free too, and none handed out before in this JVM.
   */
  public static List<Integer> transportPorts(int n) {
    List<Integer> ports = new ArrayList<>();
    while (ports.size() < n) {
      ports.add(pick(100));
    }
    return ports;
  }

  /**
   * A free TCP port for a server to listen on, not handed out before in this JVM. Unlike a port
   * from {@code new ServerSocket(0)}, it lies below the kernel's ephemeral range (32768 and up
   * here), so no outgoing connection can take it as its source port between now and the moment
   * the server binds it.
   */
  public static int listenPort() {
    return pick(0);
  }

  /** A port from 20000-32000 that is free, with {@code port + offset} free too. */
  private static synchronized int pick(int offset) {
    int start = 20_000 + (int) (ProcessHandle.current().pid() % 200) * 50;
    for (int i = 0; i < 12_000; i++) {
      int candidate = 20_000 + (start - 20_000 + i) % 12_000;
      int other = candidate + offset;
      if (!handedOut.contains(candidate)
          && !handedOut.contains(other)
          && free(candidate)
          && free(other)) {
        handedOut.add(candidate);
        handedOut.add(other);
        return candidate;
      }
    }
    throw new IllegalStateException("no free port in 20000-32100");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The settings that make a node a member of a stateful cluster on loopback.
   *
   * @param port this member's transport port
   * @param ports every member's transport port
   */
  public static Map<String, String> statefulSettings(int port, List<Integer> ports) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("cluster.enabled", "true");
    s.put("cluster.mode", "stateful");
    s.put("cluster.name", "test-grid-" + ports.get(0));
    s.put("cluster.secret", SECRET);
    s.put("cluster.transport.host", "127.0.0.1");
    s.put("cluster.transport.port", Integer.toString(port));
    s.put(
        "cluster.transport.members",
        ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    s.put("cluster.heartbeat-frequency", "200ms");
    s.put("cluster.drop-time", "1500ms");
    return s;
  }

  /**
   * A node of a stateful cluster on loopback with the PostgreSQL database {@code databaseUrl}
   * (from {@link TestPostgres#newDatabase}); {@code port} is its transport port among {@code
   * ports}. Further settings can be added before {@code start()}.
   */
  public static TestNode.Builder statefulNode(
      Path dataDir,
      Path packagesDir,
      String databaseUrl,
      String name,
      int port,
      List<Integer> ports) {
    TestNode.Builder builder =
        TestNode.builder(dataDir, packagesDir)
            .set("node.name", name)
            .set("database.url", databaseUrl)
            .set("database.user", "postgres")
            .set("database.password", "postgres");
    statefulSettings(port, ports).forEach(builder::set);
    return builder;
  }

  /** A cluster config from {@code settings} (plus a PostgreSQL URL that is never used). */
  public static ClusterConfig clusterConfig(Map<String, String> settings) {
    ConfigSources sources = ConfigSources.none().with("database.url", "jdbc:postgresql://127.0.0.1:1/unused");
    for (Map.Entry<String, String> e : settings.entrySet()) {
      sources = sources.with(e.getKey(), e.getValue());
    }
    return ConfigLoader.load(sources).config().cluster();
  }

  /**
   * Starts a grid member named {@code name}, its data (passivated sessions) in a temporary
   * directory that is deleted when the test JVM exits.
   */
  public static Grid grid(String name, Map<String, String> settings) {
    try {
      Path dataDir = Files.createTempDirectory("cohort-grid-" + name);
      dataDirs.add(dataDir);
      Grid grid = Grid.start(clusterConfig(settings), name, new SessionSchemaImpl(), dataDir);
      dataDirOf.put(grid, dataDir);
      return grid;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The data directory of a member started by {@link #grid}. */
  public static Path dataDir(Grid grid) {
    return Objects.requireNonNull(dataDirOf.get(grid), "not started by TestGrids.grid");
  }

  private static final Map<Grid, Path> dataDirOf = Collections.synchronizedMap(new WeakHashMap<>());

  /** Grid data directories, deleted when the JVM exits (by then the tests have closed their grids). */
  private static final Set<Path> dataDirs = ConcurrentHashMap.newKeySet();

  static {
    // File.deleteOnExit deletes only empty directories.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> dataDirs.forEach(TestGrids::deleteTree), "cohort-test-grid-cleanup"));
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort: a leftover temporary directory is not worth failing the build over.
    }
  }

  /**
   * Makes {@code grid} drop all traffic from and to the members named {@code others} (a DISCARD
   * protocol right above the transport), as a cut network would.
   */
  public static void cutOff(Grid grid, Set<String> others) {
    DISCARD discard = discard(grid);
    var view = grid.jgroupsChannel().getView();
    for (var member : view.getMembers()) {
      // JGroups prints Infinispan's members as "name(v=16.0.x)"; either form may be given.
      if (others.contains(member.toString())
          || others.contains(member.toString().replaceFirst("\\(.*$", ""))) {
        discard.addIgnoreMember(member);
      }
    }
  }

  /** Undoes {@link #cutOff}. */
  public static void heal(Grid grid) {
    discard(grid).resetIgnoredMembers();
  }

  private static DISCARD discard(Grid grid) {
    ProtocolStack stack = grid.jgroupsChannel().getProtocolStack();
    DISCARD discard = stack.findProtocol(DISCARD.class);
    if (discard == null) {
      discard = new DISCARD();
      try {
        stack.insertProtocol(discard, ProtocolStack.Position.ABOVE, TCP.class);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return discard;
  }

}
