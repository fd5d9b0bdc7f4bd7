package dev.cohort.server.cluster;

import dev.cohort.server.config.ClusterConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.infinispan.AdvancedCache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.global.ShutdownHookBehavior;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.persistence.file.SingleFileStoreConfigurationBuilder;
import org.infinispan.protostream.SerializationContextInitializer;
import org.infinispan.remoting.transport.jgroups.JGroupsChannelConfigurator;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.MPING;
import org.jgroups.protocols.PerDestinationBundler;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateful cluster's data grid: an embedded Infinispan cache manager over a JGroups TCP
 * channel whose traffic is sealed with the cluster secret ({@link Seal}). It owns the caches that
 * capabilities define through {@link #cache}, reports the cache view ({@link #status}) and
 * carries out the operator's failover actions ({@link #promote}, {@link #restart}).
 */
public final class Grid implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Grid.class);

  /**
   * Discovery requests a joining node sends within the join timeout, spread over it. One is not
   * enough: a node restarted on its old address races the members' own connection attempts to
   * that address (MERGE3 keeps probing it), and when both connect at once JGroups keeps one
   * connection and drops the other with whatever it carried. A lost lone request made the node
   * found a cluster of its own and merge seconds later (seen in the failover benchmark).
   */
  static final int DISCOVERY_RUNS = 3;

  /** How a cache keeps its copies. */
  public enum Copies {
    /** As {@code cluster.replication} says (sessions). */
    CONFIGURED,
    /** On every member, whatever {@code cluster.replication} says (small shared state). */
    EVERYWHERE
  }

  private final ClusterConfig config;
  private final String nodeName;
  private final SerializationContextInitializer schema;
  private final Map<String, ConfigurationBuilder> definitions = new ConcurrentHashMap<>();
  private volatile Running running;
  private volatile long generation;

  private record Running(JChannel channel, EmbeddedCacheManager manager) {}

  private final java.nio.file.Path dataDir;

  private Grid(
      ClusterConfig config,
      String nodeName,
      SerializationContextInitializer schema,
      java.nio.file.Path dataDir) {
    this.dataDir = dataDir;
    this.config = config;
    this.nodeName = nodeName;
    this.schema = schema;
  }

  /**
   * Joins (or forms) the cluster.
   *
   * @param schema marshallers for the values and functions the capabilities put in caches
   * @param dataDir where entries beyond {@code cluster.max-sessions-in-memory} wait (its {@code
   *     grid} sub-directory, emptied at start)
   */
  public static Grid start(
      ClusterConfig config,
      String nodeName,
      SerializationContextInitializer schema,
      java.nio.file.Path dataDir) {
    Grid grid = new Grid(config, nodeName, schema, dataDir);
    grid.running = grid.connect();
    return grid;
  }

  /**
   * Defines (on first call) and returns the cache {@code name}. Its copies follow {@code copies};
   * when a split heals, {@code merge} reconciles the entries the sides hold (availability mode).
   */
  public <K, V> AdvancedCache<K, V> cache(
      String name, Copies copies, EntryMergePolicy<K, V> merge) {
    ConfigurationBuilder definition = definitions.computeIfAbsent(name, n -> definition(n, copies, merge));
    Running r = running();
    synchronized (this) {
      if (!r.manager.cacheConfigurationExists(name)) {
        r.manager.defineConfiguration(name, definition.build());
      }
    }
    return r.manager.<K, V>getCache(name).getAdvancedCache();
  }

  private ConfigurationBuilder definition(
      String name, Copies copies, EntryMergePolicy<?, ?> merge) {
    ConfigurationBuilder b = new ConfigurationBuilder();
    if (copies == Copies.CONFIGURED && config.maxSessionsInMemory() > 0) {
      // The seeds' "Maximum Elements In Memory": the least recently used copies wait on this
      // node's disk and come back when used; the store is local and emptied at start. A single-file
      // store keeps the keys it holds in memory, so that the common case, a session that was
      // never passivated, costs no disk work: creating it looks the id up in memory instead of in
      // an on-disk index, and removing it (logout, expiry) writes nothing, where a log-structured
      // store appends a tombstone for every removal, passivated or not.
      java.nio.file.Path store = dataDir.resolve("grid").resolve(name);
      b.memory().maxCount(config.maxSessionsInMemory());
      b.persistence()
          .passivation(true)
          .addStore(SingleFileStoreConfigurationBuilder.class)
          .location(store.toString())
          .shared(false)
          .preload(false)
          .purgeOnStartup(true);
    }
    boolean everywhere =
        copies == Copies.EVERYWHERE || config.replication() == ClusterConfig.Replication.ALL;
    b.clustering()
        .cacheMode(everywhere ? CacheMode.REPL_SYNC : CacheMode.DIST_SYNC)
        .remoteTimeout(config.syncTimeout().toMillis());
    if (!everywhere) {
      b.clustering().hash().numOwners(config.backups() + 1);
    }
    // A (re)joining member serves at once; entries it does not have yet are read from their
    // previous owners while they are copied over.
    b.clustering().stateTransfer().awaitInitialTransfer(false);
    b.clustering()
        .partitionHandling()
        .whenSplit(
            config.failoverPriority() == ClusterConfig.FailoverPriority.CONSISTENCY
                ? PartitionHandling.DENY_READ_WRITES
                : PartitionHandling.ALLOW_READ_WRITES)
        .mergePolicy(merge == null ? MergePolicy.PREFERRED_NON_NULL : merge);
    return b;
  }

  private Running connect() {
    JChannel channel = channel();
    GlobalConfigurationBuilder global = new GlobalConfigurationBuilder();
    global.transport()
        .defaultTransport()
        .addProperty(JGroupsTransport.CHANNEL_CONFIGURATOR, new FixedChannel(channel))
        .clusterName(config.effectiveName())
        .nodeName(nodeName);
    global.serialization().addContextInitializer(schema);
    global.shutdown().hookBehavior(ShutdownHookBehavior.DONT_REGISTER);
    global.cacheContainer().statistics(false);
    global.jmx().disable();
    DefaultCacheManager manager = new DefaultCacheManager(global.build(), false);
    definitions.forEach((name, b) -> manager.defineConfiguration(name, b.build()));
    manager.addListener(new ViewListener());
    // Caches defined later are defined through manager.defineConfiguration in cache().
    manager.start();
    if (!channel.isConnected()) {
      // Never run on a stack other than the sealed one built here.
      manager.stop();
      throw new IllegalStateException("the cache manager did not use Cohort's sealed cluster transport");
    }
    generation++;
    LOG.info(
        "COH.0700.0011I joined cluster transport {} as {} on {}:{}; view {}",
        config.effectiveName(),
        manager.getAddress(),
        config.transport().host(),
        config.transport().port(),
        manager.getMembers());
    return new Running(channel, manager);
  }

  private Running running() {
    Running r = running;
    if (r == null) {
      throw new GridUnavailableException("the cluster transport is restarting");
    }
    return r;
  }

  JChannel channel() {
    ClusterConfig.Transport t = config.transport();
    try {
      InetAddress bind = InetAddress.getByName(t.host());
      TCP tcp = new TCP();
      tcp.setBindAddr(bind);
      tcp.setBindPort(t.port());
      tcp.setPortRange(0);
      // Session writes are small synchronous round trips: never hold them back (Nagle).
      tcp.tcpNodelay(true);
      // Byte counters for cohort_cluster_sent/received_bytes_total (off by default in JGroups).
      tcp.enableStats(true);
      tcp.getMessageStats().enable(true);
      // A sender thread per destination, not JGroups' default single sender thread: in that mode
      // JGroups 5.5.5's PerDestinationBundler drops the messages still queued for a member that
      // left without lowering its count of waiting messages, and its thread then loops forever
      // finding none. A spinning virtual thread keeps its carrier, so on two cores a node
      // stalled (seen in StatefulClusterTest: a node's close never finished).
      tcp.setBundler(new PerDestinationBundler().useSingleSenderThread(false));
      Protocol discovery;
      if (t.discovery() == ClusterConfig.Discovery.MULTICAST) {
        discovery =
            new MPING()
                .setMcastAddr(InetAddress.getByName(t.multicastAddress()))
                .setMcastPort(t.multicastPort())
                .setBindAddr(bind)
                .numDiscoveryRuns(DISCOVERY_RUNS);
      } else {
        List<InetSocketAddress> hosts = new ArrayList<>();
        hosts.add(new InetSocketAddress(bind, t.port()));
        for (String member : t.members()) {
          // Checked by the config loader; resolved here, when the node starts.
          InetSocketAddress address = ClusterConfig.Transport.address(member).orElseThrow();
          hosts.add(new InetSocketAddress(address.getHostString(), address.getPort()));
        }
        discovery =
            new TCPPING().setInitialHosts(hosts).setPortRange(0).numDiscoveryRuns(DISCOVERY_RUNS);
      }
      long heartbeat = t.heartbeat().toMillis();
      long drop = t.dropTime().toMillis();
      FD_SOCK2 socketDetection = new FD_SOCK2();
      socketDetection.setBindAddress(bind);
      List<Protocol> stack =
          List.of(
              tcp,
              new Seal(t.secret().reveal(), config.effectiveName()),
              new ReceiverHandoff(),
              discovery,
              new MERGE3().setMinInterval(Math.max(1_000, drop / 2)).setMaxInterval(Math.max(2_000, drop)),
              // Heartbeat timeouts (a hung or cut-off member) are verified before the member is
              // dropped; a closed failure-detection connection (a crashed process) is not: it
              // sits above the verification, so a crash changes the view at once and session
              // writes move to the surviving owners within milliseconds.
              new FD_ALL3().setInterval(heartbeat).setTimeout(drop),
              new VERIFY_SUSPECT2().setTimeout(Math.max(100, heartbeat)),
              socketDetection,
              new NAKACK2().useMcastXmit(false),
              new UNICAST3(),
              new STABLE(),
              new GMS().setJoinTimeout(Math.max(1_000, drop / 2)),
              new UFC(),
              new MFC(),
              new FRAG4(),
              new ReceiverSends());
      JChannel channel = new JChannel(stack);
      // Each connection's receiver passes cache traffic up itself (DirectDelivery); the rest goes
      // to the thread pool (ReceiverHandoff), and a receiver's own sends skip flow control
      // (ReceiverSends). A delivery that takes a third of the drop time is logged with its stack.
      // Set once the stack is initialized: the transport's init installs the policy its
      // message_processing_policy property names, over any set before.
      DirectDelivery delivery = new DirectDelivery(nodeName, Duration.ofMillis(Math.max(250, drop / 3)));
      tcp.msgProcessingPolicy(delivery);
      delivery.init(tcp);
      channel.name(nodeName);
      return channel;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown cluster transport host: " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IllegalStateException("could not build the cluster transport: " + e, e);
    }
  }

  /** Hands Infinispan the channel built here (secret, discovery and timings included). */
  private record FixedChannel(JChannel channel) implements JGroupsChannelConfigurator {
    @Override
    public String getName() {
      return "cohort-sealed-tcp";
    }

    @Override
    public JChannel createChannel(String name) {
      return channel;
    }

    @Override
    public void setSocketFactory(org.jgroups.util.SocketFactory socketFactory) {}

    @Override
    public void setDataSource(javax.sql.DataSource dataSource) {}

    @Override
    public String getProtocolStackString() {
      return channel.getProtocolStack().printProtocolSpecAsPlainString();
    }

    @Override
    public List<org.jgroups.conf.ProtocolConfiguration> getProtocolStack() {
      return List.of();
    }

    @Override
    public String toString() {
      return getName();
    }
  }

  @Listener(sync = false)
  public final class ViewListener {
    @ViewChanged
    public void viewChanged(ViewChangedEvent event) {
      LOG.info(
          "COH.0700.0012I cluster view changed: {} (was {})",
          event.getNewMembers(),
          event.getOldMembers());
    }
  }

  /** The logical names of the members in the current view, coordinator first. */
  public List<String> members() {
    Running r = running;
    if (r == null) {
      return List.of();
    }
    return r.manager.getMembers().stream().map(Object::toString).toList();
  }

  /** Increases whenever the cluster transport restarts ({@link #restart}). */
  public long generation() {
    return generation;
  }

  /** The cache view: members, coordinator and each cache's availability and rebalancing. */
  public GridStatus status() {
    Running r = running;
    if (r == null) {
      return new GridStatus(
          config.effectiveName(), nodeName, "", List.of(), replicationName(), failoverName(),
          List.of());
    }
    List<String> members = members();
    List<GridStatus.CacheStatus> caches = new ArrayList<>();
    for (String name : definitions.keySet().stream().sorted().toList()) {
      if (!r.manager.isRunning(name)) {
        continue;
      }
      AdvancedCache<?, ?> cache = r.manager.getCache(name).getAdvancedCache();
      DistributionManager dm = cache.getDistributionManager();
      var topology = dm == null ? null : dm.getCacheTopology();
      List<String> owners =
          topology == null ? List.of() : topology.getMembers().stream().map(Object::toString).toList();
      caches.add(
          new GridStatus.CacheStatus(
              name,
              cache.getCacheConfiguration().clustering().cacheMode().friendlyCacheModeString().toLowerCase(Locale.ROOT),
              cache.getAvailability().name().toLowerCase(Locale.ROOT),
              topology != null
                  && topology.getPhase() != org.infinispan.topology.CacheTopology.Phase.NO_REBALANCE,
              topology == null ? 0 : topology.getTopologyId(),
              owners,
              new java.util.HashSet<>(owners).equals(new java.util.HashSet<>(members)),
              cache.getDataContainer().sizeIncludingExpired()));
    }
    return new GridStatus(
        config.effectiveName(),
        nodeName,
        String.valueOf(r.manager.getCoordinator()),
        members,
        replicationName(),
        failoverName(),
        caches);
  }

  private String replicationName() {
    return config.replication().name().toLowerCase(Locale.ROOT);
  }

  private String failoverName() {
    return config.failoverPriority().name().toLowerCase(Locale.ROOT);
  }

  /** Whether every cache on this node is available for reads and writes. */
  public boolean available() {
    Running r = running;
    if (r == null) {
      return false;
    }
    for (String name : definitions.keySet()) {
      if (r.manager.isRunning(name)
          && r.manager.getCache(name).getAdvancedCache().getAvailability()
              != AvailabilityMode.AVAILABLE) {
        return false;
      }
    }
    return true;
  }

  /**
   * Terracotta's {@code --promote}: makes this side's degraded caches available again, for when the
   * operator knows the other side is really gone.
   *
   * @return the caches that were degraded and are now available
   */
  public List<String> promote() {
    Running r = running();
    List<String> promoted = new ArrayList<>();
    for (String name : definitions.keySet()) {
      if (!r.manager.isRunning(name)) {
        continue;
      }
      AdvancedCache<?, ?> cache = r.manager.getCache(name).getAdvancedCache();
      if (cache.getAvailability() != AvailabilityMode.AVAILABLE) {
        makeAvailable(name, cache);
        promoted.add(name);
      }
    }
    LOG.warn("COH.0700.0013W failover action promote: caches {} made available on this side", promoted);
    return promoted;
  }

  /**
   * Makes {@code cache} available and waits until this node sees it so. Right after a split the
   * coordinator of this side may still be settling the cache's member list, and Infinispan refuses
   * the change until it has; this retries for up to 10 s.
   */
  private static void makeAvailable(String name, AdvancedCache<?, ?> cache) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        cache.setAvailability(AvailabilityMode.AVAILABLE);
        // The new topology reaches this node's cache a moment later; answer only then, so
        // that the status the operator sees next is the promoted one.
        if (cache.getAvailability() == AvailabilityMode.AVAILABLE) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "cache " + name + " is still not available after promoting it; see cohort cluster"
                  + " status");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
      } catch (org.infinispan.commons.CacheException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not make cache " + name + " available: " + e.getMessage()
                  + "; try again when cohort cluster status shows this side settled",
              e);
        }
        LOG.debug("cache {} not ready to be promoted yet: {}", name, e.toString());
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
      }
    }
  }

  /**
   * Terracotta's {@code --restart}: leaves the cluster, drops every locally held entry and joins
   * again with empty caches, taking the current state from the other members.
   */
  public synchronized void restart() {
    LOG.warn("COH.0700.0014W failover action restart: dropping local cache state and rejoining");
    Running old = running;
    running = null;
    if (old != null) {
      stop(old);
    }
    running = connect();
    for (String name : definitions.keySet()) {
      running.manager.getCache(name);
    }
  }

  /**
   * Payload bytes this member has sent to other members since it (re)joined: sealed messages,
   * excluding TCP/IP framing. A multicast counts once, however many members it goes to.
   */
  public long bytesSent() {
    Running r = running;
    return r == null ? 0 : r.channel.getProtocolStack().getTransport().getMessageStats().getNumBytesSent();
  }

  /** Payload bytes this member has received from other members since it (re)joined. */
  public long bytesReceived() {
    Running r = running;
    return r == null
        ? 0
        : r.channel.getProtocolStack().getTransport().getMessageStats().getNumBytesReceived();
  }

  /** The JGroups channel, for tests that cut members off (insert a DISCARD protocol). */
  public JChannel jgroupsChannel() {
    return running().channel;
  }

  private static void stop(Running r) {
    try {
      r.manager.stop();
    } finally {
      r.channel.close();
    }
  }

  @Override
  public synchronized void close() {
    Running r = running;
    running = null;
    if (r != null) {
      stop(r);
    }
  }
}
