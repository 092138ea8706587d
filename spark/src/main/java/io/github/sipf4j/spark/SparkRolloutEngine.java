package io.github.sipf4j.spark;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.RolloutJob;
import io.github.sipf4j.prm.rollout.RolloutJobs;
import io.github.sipf4j.prm.rollout.RolloutPartition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the loop's rollouts on Apache Spark executors. Each job is shipped as JSON ({@link RolloutJobs#toJson}, in a
 * broadcast variable); its shards are split into {@link Builder#partitions partitions}, one Spark task each; a task
 * runs {@link RolloutPartition} on its shards with the executor's copy of the policy (loaded from the policy's
 * directory once per executor and policy, then reused by later tasks and jobs) on the task's device
 * ({@link ExecutorDevice}); the driver collects the records in shard order. The records are those of
 * {@link io.github.sipf4j.prm.rollout.LocalRolloutEngine} byte for byte where the executors run the same kernels as
 * the driver (on CPUs: {@code MKL_CBWR=COMPATIBLE} and the same PyTorch thread count in every JVM; within one JVM, as
 * in {@code local[N]} mode, always), so the loop writes the same files either way, and a task that Spark retries (an
 * exception, a lost executor) gives the same records again.
 *
 * <p>What executors need: the run's work directory readable at the same path (a shared file system; a directory
 * they cannot read fails the phase with a message naming it and the executor), sipf4j and its model kinds and
 * verifier factories on their class path, and the PyTorch native library (DJL's CPU or CUDA build). Verifiers travel
 * as {@link io.github.sipf4j.prm.rollout.VerifierSpec}s only.
 *
 * <pre>{@code
 * SparkSession spark = SparkSession.builder().appName("sipf").getOrCreate();
 * try (SparkRolloutEngine engine = SparkRolloutEngine.builder().session(spark).partitions(8).build()) {
 *   SelfIterativeTrainer.builder() ...
 *       .verifier(VerifierSpec.forTaskKind())
 *       .rolloutEngine(engine)
 *       .rolloutShards(new RolloutShards(64, 256))   // at least one shard per partition
 *       .build().run();
 * }
 * }</pre>
 */
public final class SparkRolloutEngine implements RolloutEngine {

  private static final Logger LOG = LoggerFactory.getLogger(SparkRolloutEngine.class);

  private final JavaSparkContext spark;
  private final int partitions;
  private final ExecutorDevice device;
  private final boolean stopSparkOnClose;
  private final LongAccumulator loads;
  private final LongAccumulator loadNanos;
  private final LongAccumulator computeNanos;
  private long jobs;
  private long tasks;
  private long wallNanos;

  private SparkRolloutEngine(Builder b) {
    this.spark = b.spark;
    this.partitions = b.partitions > 0 ? b.partitions : Math.max(1, spark.defaultParallelism());
    this.device = b.device;
    this.stopSparkOnClose = b.stopSparkOnClose;
    this.loads = spark.sc().longAccumulator("sipf4j policy loads");
    this.loadNanos = spark.sc().longAccumulator("sipf4j policy load nanos");
    this.computeNanos = spark.sc().longAccumulator("sipf4j rollout compute nanos");
  }

  /**
   * Starts a builder.
   *
   * @return a builder without a Spark context
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the number of partitions (Spark tasks) each job is split into, at most one per shard.
   *
   * @return at least 1
   */
  public int partitions() {
    return partitions;
  }

  /**
   * Returns the device policy of the tasks.
   *
   * @return the policy
   */
  public ExecutorDevice device() {
    return device;
  }

  /**
   * Returns what the engine has done so far.
   *
   * @return the totals since the engine was built
   */
  public SparkRolloutStats stats() {
    return new SparkRolloutStats(jobs, tasks, loads.value(), loadNanos.value() / 1e9, computeNanos.value() / 1e9,
        wallNanos / 1e9);
  }

  @Override
  public <R> List<R> run(RolloutJob<R> job) throws IOException {
    if (job.size() == 0) {
      return List.of();
    }
    if (job.verifies() && job.verifier() == null) {
      throw new IllegalArgumentException("rollout job '" + job.name() + "' names no verifier specification; Spark "
          + "executors build verifiers from VerifierSpecs only: give the loop verifier(VerifierSpec)");
    }
    List<int[]> ranges = RolloutPartition.split(job.shards(), partitions);
    if (ranges.size() < partitions) {
      LOG.info("rollout job '{}' has {} shards for {} partitions; smaller rolloutShards spread it wider",
          job.name(), job.shards(), partitions);
    }
    long t0 = System.nanoTime();
    Broadcast<String> json = spark.broadcast(RolloutJobs.toJson(job));
    List<byte[]> parts;
    try {
      spark.setJobDescription("sipf4j " + job.name() + " (" + job.units() + " " + job.unit() + ")");
      parts = spark.parallelize(ranges, ranges.size())
          .map(new PartitionTask(json, device, loads, loadNanos, computeNanos)).collect();
    } catch (Exception e) { // SparkException is checked in Java's eyes but not declared by Scala
      throw new IOException("rollout job '" + job.name() + "' failed on Spark: " + rootMessage(e), e);
    } finally {
      spark.setJobDescription(null);
      json.destroy();
    }
    List<R> out = new ArrayList<>((int) job.units());
    for (byte[] p : parts) {
      out.addAll(this.<R>decode(p));
    }
    if (out.size() != job.units()) {
      throw new IllegalStateException("rollout job '" + job.name() + "': Spark returned " + out.size()
          + " records where " + job.units() + " were due");
    }
    jobs++;
    tasks += ranges.size();
    wallNanos += System.nanoTime() - t0;
    LOG.info("rollout job '{}': {} {} in {} Spark tasks, {} s", job.name(), out.size(), job.unit(), ranges.size(),
        String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    return out;
  }

  /**
   * Releases the policies loaded in this JVM (the executor in {@code local} mode) and stops Spark when the engine was
   * built to.
   */
  @Override
  public void close() {
    ExecutorPolicies.clear();
    if (stopSparkOnClose) {
      spark.stop();
    }
  }

  @SuppressWarnings("unchecked")
  private <R> List<R> decode(byte[] bytes) throws IOException {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), loader)) {
      return (List<R>) in.readObject();
    } catch (ClassNotFoundException e) {
      throw new IOException("cannot read records returned by Spark: " + e.getMessage(), e);
    }
  }

  /**
   * The message of the deepest cause: what the executor reported, without Spark's "Job aborted due to stage failure"
   * wrapping (which, where the original exception did not travel back, is all there is).
   */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.toString() : t.getMessage();
    int stack = m.indexOf("\n\tat ");
    return stack > 0 ? m.substring(0, stack) : m;
  }

  /** Resolves classes through a given loader first (the driver's application classes under spark-submit). */
  private static final class LoaderObjectInputStream extends ObjectInputStream {
    private final ClassLoader loader;

    LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      if (loader != null) {
        try {
          return Class.forName(desc.getName(), false, loader);
        } catch (ClassNotFoundException e) {
          // fall back to the default resolution
        }
      }
      return super.resolveClass(desc);
    }
  }

  /** Builds a {@link SparkRolloutEngine}; the Spark context is required, everything else has a default. */
  public static final class Builder {
    private JavaSparkContext spark;
    private int partitions;
    private ExecutorDevice device = ExecutorDevice.AUTO;
    private boolean stopSparkOnClose;

    private Builder() {}

    /**
     * Uses a Spark session's context.
     *
     * @param session the session
     * @return this builder
     */
    public Builder session(SparkSession session) {
      Preconditions.checkNotNull(session, "session");
      this.spark = JavaSparkContext.fromSparkContext(session.sparkContext());
      return this;
    }

    /**
     * Uses a Spark context.
     *
     * @param context the context
     * @return this builder
     */
    public Builder sparkContext(JavaSparkContext context) {
      this.spark = Preconditions.checkNotNull(context, "context");
      return this;
    }

    /**
     * Sets how many partitions (Spark tasks) each job is split into (default: the context's default parallelism,
     * the cores of a {@code local[N]} master or of all executors). A job never has more partitions than shards.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder partitions(int v) {
      Preconditions.checkArgument(v >= 1, "partitions must be at least 1, got %s", v);
      this.partitions = v;
      return this;
    }

    /**
     * Sets where tasks put the policy (default {@link ExecutorDevice#AUTO}: the task's GPU if Spark assigned one).
     *
     * @param v the device policy
     * @return this builder
     */
    public Builder device(ExecutorDevice v) {
      this.device = Preconditions.checkNotNull(v, "device");
      return this;
    }

    /**
     * Sets whether {@link SparkRolloutEngine#close()} stops the Spark context (default false: the context belongs
     * to the application).
     *
     * @param v true to stop it
     * @return this builder
     */
    public Builder stopSparkOnClose(boolean v) {
      this.stopSparkOnClose = v;
      return this;
    }

    /**
     * Builds the engine.
     *
     * @return the engine
     * @throws IllegalStateException if no Spark session or context was given, or it is stopped
     */
    public SparkRolloutEngine build() {
      Preconditions.checkState(spark != null, "SparkRolloutEngine needs session(SparkSession) or "
          + "sparkContext(JavaSparkContext)");
      Preconditions.checkState(!spark.sc().isStopped(), "the Spark context is stopped");
      return new SparkRolloutEngine(this);
    }
  }
}
