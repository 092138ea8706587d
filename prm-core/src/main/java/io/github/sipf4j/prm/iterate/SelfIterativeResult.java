package io.github.sipf4j.prm.iterate;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link SelfIterativeTrainer#run()}.
 *
 * @param baseline greedy accuracy of the starting policy, by evaluation set name (empty without evaluation sets)
 * @param iterations one report per iteration, in order
 * @param finalPolicyDir the directory holding the final policy and its tokenizer (loadable by {@code CausalLms.load}
 *     and {@code TextTokenizer.fromFile})
 * @param workDir the run's working directory
 */
public record SelfIterativeResult(
    Map<String, EvalResult> baseline, List<IterationReport> iterations, Path finalPolicyDir, Path workDir) {

  /**
   * Copies the collections.
   *
   * @param baseline the {@code baseline} component (see the record)
   * @param iterations the {@code iterations} component (see the record)
   * @param finalPolicyDir the {@code finalPolicyDir} component (see the record)
   * @param workDir the {@code workDir} component (see the record)
   */
  public SelfIterativeResult {
    baseline = Map.copyOf(baseline);
    iterations = List.copyOf(iterations);
  }

  /**
   * Returns the last iteration's report.
   *
   * @return the report
   */
  public IterationReport last() {
    return iterations.get(iterations.size() - 1);
  }
}
