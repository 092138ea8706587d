package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.util.ProgressBar;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import io.github.sipf4j.prm.verify.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Labels reasoning steps by Monte-Carlo "inference simulation" (Math-Shepherd, as used by SIPF): from the prefix
 * ending at each step, sample K completions with a {@link Sampler} (the policy, or any other {@code CausalLm} such as
 * a stronger simulator model), verify each completed answer with the task's {@link OutcomeVerifier}, and label the
 * step hard (more than δ of the K completions correct) and soft (the share). See {@link StepLabels}.
 *
 * <p>Cost: the work is done in rounds, one step index per round, batching the prefixes of all rationales still
 * active; each prefix is encoded once and its key/value cache row duplicated K times (the sampler's prefix
 * continuation). With early stop a rationale leaves the rounds after its first step labelled wrong. Gold rationales
 * are labelled correct without simulation. The completions of step {@code j} of rationale {@code i} come from a
 * random stream keyed by {@code (seed, i, j)} (or by the caller's key of the rationale and {@code j}, see
 * {@link #label(List, List)}), so the labels are deterministic under a seed and do not depend on batching, and early
 * stop gives exactly the labels of the full scan up to and including the first wrong step.
 *
 * <pre>{@code
 * RolloutSimulator sim = new RolloutSimulator(new Sampler(policy, encoder), OutcomeVerifier.forTaskKind(),
 *     SimulatorConfig.builder().rolloutsPerStep(4).build());
 * List<StepLabels> labels = sim.label(requests);
 * SimulationStats cost = sim.lastStats();
 * }</pre>
 */
public final class RolloutSimulator {

  private final Sampler sampler;
  private final OutcomeVerifier verifier;
  private final SimulatorConfig config;
  private SimulationStats lastStats;

  /**
   * Creates the simulator.
   *
   * @param sampler samples completions (its model is the simulator model)
   * @param verifier judges completed answers
   * @param config K, δ, early stop and sampling
   */
  public RolloutSimulator(Sampler sampler, OutcomeVerifier verifier, SimulatorConfig config) {
    this.sampler = Preconditions.checkNotNull(sampler, "sampler");
    this.verifier = Preconditions.checkNotNull(verifier, "verifier");
    this.config = Preconditions.checkNotNull(config, "config");
  }

  /**
   * Labels the steps of every rationale.
   *
   * @param requests the rationales
   * @return one {@link StepLabels} per request, in order
   */
  public List<StepLabels> label(List<RolloutRequest> requests) {
    return label(requests, null);
  }

  /**
   * Labels the steps of every rationale, drawing the completions of step {@code j} of request {@code i} from the
   * stream {@code (seed, prefixKey(requestKeys[i], j))} instead of {@code (seed, i, j)}: a request with the same key
   * gets the same completions whatever else is in the call, so the requests may be split into any parts (the loop
   * keys a rationale by its task id and sample index).
   *
   * @param requests the rationales
   * @param requestKeys one key per request, or null for the positions in {@code requests}
   * @return one {@link StepLabels} per request, in order
   */
  public List<StepLabels> label(List<RolloutRequest> requests, List<Long> requestKeys) {
    Preconditions.checkArgument(requestKeys == null || requestKeys.size() == requests.size(),
        "one key per request: %s keys, %s requests", requestKeys == null ? 0 : requestKeys.size(), requests.size());
    long start = System.nanoTime();
    int n = requests.size();
    int k = config.rolloutsPerStep();
    double[][] soft = new double[n][];
    boolean[][] hard = new boolean[n][];
    int[][] rollouts = new int[n][];
    int[][] correct = new int[n][];
    boolean[] outcome = new boolean[n];
    int[] firstWrong = new int[n];
    boolean[] active = new boolean[n];
    int maxSteps = 0;
    long totalPrefixes = 0;
    long skipped = 0;
    for (int i = 0; i < n; i++) {
      RolloutRequest r = requests.get(i);
      int s = r.steps().size();
      soft[i] = new double[s];
      hard[i] = new boolean[s];
      rollouts[i] = new int[s];
      correct[i] = new int[s];
      firstWrong[i] = -1;
      if (r.gold()) {
        Arrays.fill(soft[i], 1.0);
        Arrays.fill(hard[i], true);
        outcome[i] = true;
        skipped += s;
        continue;
      }
      outcome[i] = verifier.verify(r.task(), r.text()).correct();
      // The last step is the rationale itself: its label is the verified outcome, no rollouts needed.
      soft[i][s - 1] = outcome[i] ? 1.0 : 0.0;
      hard[i][s - 1] = outcome[i];
      skipped++;
      active[i] = s > 1;
      totalPrefixes += s - 1;
      maxSteps = Math.max(maxSteps, s - 1);
    }
    long simulated = 0;
    long completions = 0;
    long correctCount = 0;
    long generated = 0;
    long encoded = 0;
    SamplingConfig sampling = config.sampling();
    try (ProgressBar bar = new ProgressBar("simulate", totalPrefixes, "prefix", config.showProgress())) {
      long done = 0;
      for (int j = 0; j < maxSteps; j++) {
        List<Integer> who = new ArrayList<>();
        List<long[]> prefixes = new ArrayList<>();
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          RolloutRequest r = requests.get(i);
          if (!active[i] || j >= r.steps().size() - 1) {
            continue;
          }
          who.add(i);
          long[] ids = sampler.encodePrompt(r.prompt() + r.prefix(j + 1));
          prefixes.add(ids);
          keys.add(requestKeys == null ? streamKey(i, j) : prefixKey(requestKeys.get(i), j));
          encoded += ids.length;
        }
        if (who.isEmpty()) {
          break;
        }
        List<Sample> samples = sampler.sampleContinuationIds(prefixes, keys, k, sampling, null);
        List<List<Sample>> grouped = Sampler.byPrompt(samples, prefixes.size());
        for (int g = 0; g < who.size(); g++) {
          int i = who.get(g);
          RolloutRequest r = requests.get(i);
          String prefix = r.prefix(j + 1);
          List<String> texts = new ArrayList<>(k);
          for (Sample s : grouped.get(g)) {
            texts.add(prefix + s.text());
            generated += s.tokenIds().length;
          }
          int ok = 0;
          for (Verdict v : verifier.verifyAll(r.task(), texts)) {
            ok += v.correct() ? 1 : 0;
          }
          simulated++;
          completions += texts.size();
          correctCount += ok;
          rollouts[i][j] = texts.size();
          correct[i][j] = ok;
          soft[i][j] = (double) ok / texts.size();
          hard[i][j] = soft[i][j] > config.delta();
          if (!hard[i][j] && firstWrong[i] < 0) {
            firstWrong[i] = j;
            if (config.earlyStop()) {
              active[i] = false;
              int last = r.steps().size() - 1;
              for (int later = j + 1; later < last; later++) {
                soft[i][later] = soft[i][j];
                hard[i][later] = false;
                skipped++;
                done++;
              }
            }
          }
          done++;
        }
        bar.update(done, String.format(java.util.Locale.ROOT, "%d completions", completions));
      }
    }
    List<StepLabels> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (firstWrong[i] < 0) {
        for (int j = 0; j < hard[i].length; j++) {
          if (!hard[i][j]) {
            firstWrong[i] = j;
            break;
          }
        }
      }
      out.add(new StepLabels(soft[i], hard[i], rollouts[i], correct[i], outcome[i], firstWrong[i]));
    }
    lastStats = new SimulationStats(n, simulated, skipped, completions, correctCount, generated, encoded,
        encoded * (k - 1), (System.nanoTime() - start) / 1e9);
    return out;
  }

  /** The key of step {@code j} of rationale {@code i}'s random stream. */
  static long streamKey(int i, int j) {
    return ((long) i << 20) | j;
  }

  /**
   * Returns the stream key of the prefix ending at step {@code step} of a request keyed {@code requestKey} (see
   * {@link #label(List, List)}).
   *
   * @param requestKey the request's key
   * @param step the index of the prefix's last step, from 0
   * @return the key (SplitMix64 finaliser of the key plus a multiple of the step)
   */
  public static long prefixKey(long requestKey, int step) {
    long z = requestKey + 0xC2B2AE3D27D4EB4FL * (step + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Returns the cost of the last {@link #label} call.
   *
   * @return the statistics, or null before the first call
   */
  public SimulationStats lastStats() {
    return lastStats;
  }
}
