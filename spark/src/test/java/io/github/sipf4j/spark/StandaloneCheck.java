package io.github.sipf4j.spark;

import io.github.sipf4j.prm.rollout.VerifierSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the tests' tiny run locally and through a {@link SparkRolloutEngine} on a given Spark master (a standalone
 * cluster, say) and compares the rollout files; exits with 0 when they are byte-identical.
 * {@code spark/scripts/standalone.sh} starts a loopback master and worker from the Maven jars and runs it.
 *
 * <p>Arguments: {@code MASTER_URL WORK_DIR [PARTITIONS]}.
 */
public final class StandaloneCheck {

  private StandaloneCheck() {}

  /**
   * Runs the check.
   *
   * @param args the master URL, a work directory every executor reads, and optionally the partitions (default 3)
   * @throws Exception if a run fails
   */
  public static void main(String[] args) throws Exception {
    String master = args[0];
    Path dir = Path.of(args[1]).toAbsolutePath();
    int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Files.createDirectories(dir);
    VerifierSpec verifier = VerifierSpec.of(EvenHashVerifierFactory.KIND);
    Map<String, byte[]> local = TinyRun.artefacts(TinyRun.run(dir.resolve("local"), null, verifier));
    SparkSession spark = SparkSession.builder().master(master).appName("sipf4j-standalone-check").getOrCreate();
    Map<String, byte[]> remote;
    SparkRolloutStats stats;
    try (SparkRolloutEngine engine = SparkRolloutEngine.builder().session(spark).partitions(partitions).build()) {
      remote = TinyRun.artefacts(TinyRun.run(dir.resolve("spark"), engine, verifier));
      stats = engine.stats();
    } finally {
      spark.stop();
    }
    int differ = 0;
    for (Map.Entry<String, byte[]> e : local.entrySet()) {
      if (!Arrays.equals(e.getValue(), remote.get(e.getKey()))) {
        System.out.println("DIFFERENT: " + e.getKey());
        differ++;
      }
    }
    System.out.println(stats);
    System.out.println(differ == 0 && local.keySet().equals(remote.keySet())
        ? "identical: " + local.size() + " rollout files of the tiny run on " + master : "the files differ");
    System.exit(differ == 0 && local.keySet().equals(remote.keySet()) ? 0 : 1);
  }
}
