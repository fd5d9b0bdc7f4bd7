package dev.cohort.server.session.grid;

import dev.cohort.server.cluster.Grid;
import dev.cohort.server.session.AppAttributeStore;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;

/**
 * Application-wide attributes in a cache replicated to every member ({@code
 * cohort-app-attributes}): a put returns once every member holds the value; reads are local.
 */
public final class GridAppAttributeStore implements AppAttributeStore {

  public static final String CACHE = "cohort-app-attributes";

  private final Grid grid;

  public GridAppAttributeStore(Grid grid) {
    this.grid = grid;
    cache();
  }

  private AdvancedCache<String, byte[]> cache() {
    return grid.cache(CACHE, Grid.Copies.EVERYWHERE, null);
  }

  @Override
  public Optional<byte[]> get(String pkg, String name) {
    return call(() -> Optional.ofNullable(cache().get(AppAttributeStore.key(pkg, name))));
  }

  @Override
  public void put(String pkg, String name, byte[] value) {
    call(() -> cache().withFlags(Flag.IGNORE_RETURN_VALUES).put(AppAttributeStore.key(pkg, name), value));
  }

  @Override
  public void remove(String pkg, String name) {
    call(() -> cache().withFlags(Flag.IGNORE_RETURN_VALUES).remove(AppAttributeStore.key(pkg, name)));
  }

  @Override
  public Set<String> names(String pkg) {
    return call(() -> AppAttributeStore.namesIn(cache().withFlags(Flag.CACHE_MODE_LOCAL).keySet(), pkg));
  }

  private static <T> T call(Supplier<T> action) {
    return GridCalls.call("use application attributes", action);
  }
}
