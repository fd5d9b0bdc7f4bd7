package dev.cohort.server.cluster;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.infinispan.commons.executors.ThreadPoolExecutorFactory;
import org.infinispan.factories.KnownComponentNames;
import org.infinispan.factories.threads.CoreExecutorFactory;
import org.infinispan.remoting.inboundhandler.TrianglePerCacheInboundInvocationHandler;
import org.infinispan.util.concurrent.BlockingRunnable;

/**
 * Infinispan's non-blocking executor, except that a backup copy of a write, handed to it by a
 * thread delivering a received message ({@link Delivering#delivering()}), is applied at once on
 * that thread.
 *
 * <p>Infinispan applies a backup copy on its non-blocking executor (a new virtual thread per task),
 * not on the thread that delivered it: on a backup owner, every session write would cost one more
 * thread start and wake-up. Applying a backup copy takes no lock and never blocks (Infinispan moves
 * anything that may, such as passivation to disk, to its blocking executor, and counts JGroups'
 * threads, which are virtual threads, as threads that must not block), so the delivering thread,
 * itself a thread of JGroups' pool, can run it as well as a new one. Everything else still goes to
 * the pool: running any non-blocking task inline also ran one command's continuation inside
 * another's lock release, and a lock was then never released (seen in GridSessionStoreTest).
 *
 * <p>A backup copy is recognised by its class: Infinispan 16's triangle handler creates it as its
 * one anonymous runnable. {@code ReceiveThreadTest} fails if a later version changes that.
 */
final class InlineBackupCopies implements ThreadPoolExecutorFactory<ExecutorService> {

  private final ThreadPoolExecutorFactory<? extends ExecutorService> pool =
      CoreExecutorFactory.executorFactory(
          KnownComponentNames.getDefaultThreads(KnownComponentNames.NON_BLOCKING_EXECUTOR),
          KnownComponentNames.getDefaultQueueSize(KnownComponentNames.NON_BLOCKING_EXECUTOR),
          true);

  @Override
  public ExecutorService createExecutor(ThreadFactory factory) {
    return new Executor(pool.createExecutor(factory));
  }

  @Override
  public void validate() {
    pool.validate();
  }

  @Override
  public boolean createsNonBlockingThreads() {
    return true;
  }

  /** Whether {@code task} applies a backup copy of a write (see the class comment). */
  static boolean backupCopy(Runnable task) {
    return task instanceof BlockingRunnable
        && task.getClass().getEnclosingClass() == TrianglePerCacheInboundInvocationHandler.class;
  }

  private static final class Executor extends AbstractExecutorService {
    private final ExecutorService pool;

    Executor(ExecutorService pool) {
      this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
      if (Delivering.delivering() && backupCopy(task)) {
        task.run();
      } else {
        pool.execute(task);
      }
    }

    @Override
    public void shutdown() {
      pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return pool.awaitTermination(timeout, unit);
    }
  }
}
