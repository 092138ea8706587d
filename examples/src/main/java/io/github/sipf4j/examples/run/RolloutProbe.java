package io.github.sipf4j.examples.run;

import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.prm.process.RolloutRequest;
import io.github.sipf4j.prm.process.RolloutSimulator;
import io.github.sipf4j.prm.process.SimulationStats;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the policy that starts the iterations does with the run's own settings, on a few of the run's questions: how
 * long its sampled rationales and greedy answers are, how many steps they have, what share of the samples the
 * iteration would simulate (with Monte-Carlo rewards only those of questions that have a correct sample, as the loop
 * chooses them) and what share of their step prefixes the simulator reaches (it stops at the first step labelled
 * wrong when {@code simulation.early_stop} is on). {@link RunPlanner} multiplies its measured costs by these counts
 * instead of by upper bounds. (Its own wall times are not used: on small models a probe this short runs slower per
 * token than a whole phase, whose later chunks run on compiled, warmed-up paths.)
 *
 * @param questions the training questions probed
 * @param sampleLengths the token count (end token included) of every probed sample
 * @param stepsPerSample the mean number of steps of the probed samples that have any
 * @param simulatedShare the share of samples the iteration simulates
 * @param prefixShare the share of the step prefixes (all steps but the last) that the simulator reached, on at most
 *     {@value #SIMULATED} of the samples it would simulate
 * @param evalLengths per evaluation set, the token counts of the greedy answers to its first tasks
 */
record RolloutProbe(int questions, List<Integer> sampleLengths, double stepsPerSample, double simulatedShare,
    double prefixShare, Map<String, List<Integer>> evalLengths) {

  /** The training questions probed (fewer for code tasks, whose answers run in a sandbox). */
  static final int QUESTIONS = 32;
  static final int CODE_QUESTIONS = 8;
  /** The most samples simulated (the first ones the iteration would simulate). */
  static final int SIMULATED = 64;
  /** The tasks of each evaluation set answered greedily. */
  static final int EVAL_TASKS = 64;

  /**
   * Probes a policy. Nothing of the model changes; every draw is seeded.
   *
   * @param s the run's settings
   * @param lm the policy the iterations start from
   * @param sampler a sampler over it
   * @param verifier the run's verifier
   * @param train the training tasks
   * @param eval the evaluation sets
   * @param code whether the tasks are code tasks
   * @return what it did
   */
  static RolloutProbe run(RunSettings s, CausalLm lm, Sampler sampler, OutcomeVerifier verifier, TaskSet train,
      Map<String, TaskSet> eval, boolean code) {
    List<ReasoningTask> tasks = new ArrayList<>(train.tasks());
    Collections.shuffle(tasks, new Random(17));
    tasks = tasks.subList(0, Math.min(code ? CODE_QUESTIONS : QUESTIONS, tasks.size()));
    SamplingConfig sampling = RunSetup.sampling(s).toBuilder().showProgress(false).build();
    List<String> prompts = tasks.stream().map(t -> PromptTemplate.DEFAULT.format(t.prompt())).toList();
    List<Sample> samples = sampler.sample(prompts, sampling);
    StepSplitter splitter = StepSplitter.newlines();
    List<Integer> lengths = new ArrayList<>(samples.size());
    List<List<String>> steps = new ArrayList<>(samples.size());
    boolean[] solved = new boolean[tasks.size()];
    double stepSum = 0;
    int withSteps = 0;
    for (int i = 0; i < samples.size(); i++) {
      Sample x = samples.get(i);
      lengths.add(x.tokenIds().length);
      List<String> st = splitter.split(x.text());
      steps.add(st);
      if (!st.isEmpty()) {
        stepSum += st.size();
        withSteps++;
      }
      solved[x.promptIndex()] |= verifier.verify(tasks.get(x.promptIndex()), x.text()).correct();
    }
    boolean gold = s.getBool("pairs.use_gold_rationales");
    boolean learned = "learned".equals(s.getString("prm.rewards"));
    List<RolloutRequest> requests = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      ReasoningTask t = tasks.get(samples.get(i).promptIndex());
      boolean pairable = learned || solved[samples.get(i).promptIndex()] || gold && !t.goldSteps().isEmpty();
      if (pairable && !steps.get(i).isEmpty()) {
        requests.add(new RolloutRequest(t, prompts.get(samples.get(i).promptIndex()), steps.get(i), false));
      }
    }
    double simulatedShare = samples.isEmpty() ? 0 : (double) requests.size() / samples.size();
    requests = requests.subList(0, Math.min(SIMULATED, requests.size()));
    double prefixShare = 1;
    if ("process".equals(s.getString("mode")) && !requests.isEmpty()) {
      long prefixes = 0;
      for (RolloutRequest r : requests) {
        prefixes += r.steps().size() - 1;
      }
      if (prefixes > 0) {
        RolloutSimulator sim = new RolloutSimulator(sampler, verifier, RunSetup.simulator(s));
        sim.label(requests);
        SimulationStats stats = sim.lastStats();
        prefixShare = (double) stats.prefixesSimulated() / prefixes;
      }
    }
    SamplingConfig greedy = sampling.toBuilder().temperature(0f).samplesPerPrompt(1).build();
    Map<String, List<Integer>> evalLengths = new LinkedHashMap<>();
    for (Map.Entry<String, TaskSet> e : eval.entrySet()) {
      List<ReasoningTask> first = e.getValue().tasks().subList(0, Math.min(EVAL_TASKS, e.getValue().size()));
      List<Integer> l = new ArrayList<>();
      for (Sample x : sampler.sample(first.stream().map(t -> PromptTemplate.DEFAULT.format(t.prompt())).toList(),
          greedy)) {
        l.add(x.tokenIds().length);
      }
      evalLengths.put(e.getKey(), l);
    }
    return new RolloutProbe(tasks.size(), lengths, withSteps == 0 ? 0 : stepSum / withSteps, simulatedShare,
        prefixShare, evalLengths);
  }
}
