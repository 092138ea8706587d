package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.util.CpuTuning;
import io.github.sipf4j.prm.process.DecoderPrm;
import io.github.sipf4j.prm.process.LabeledRationale;
import io.github.sipf4j.prm.process.PrmTrainer;
import io.github.sipf4j.prm.process.PrmTrainerConfig;
import io.github.sipf4j.prm.process.PrmTrainingResult;
import io.github.sipf4j.prm.process.RolloutRequest;
import io.github.sipf4j.prm.process.RolloutSimulator;
import io.github.sipf4j.prm.process.SimulationStats;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.process.StepLabels;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.synthetic.SyntheticSplit;
import io.github.sipf4j.prm.synthetic.SyntheticTaskGenerator;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Process supervision on the synthetic task with a small SFT model: samples rationales, labels their steps by
 * Monte-Carlo simulation with and without early stop (and, for the prefix-reuse saving, with every prefix re-encoded
 * per completion), trains a {@code DecoderPrm} from the SFT backbone on the labels of 80% of the rationales and
 * scores the held-out 20%. Prints a Markdown report.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * io.github.sipf4j.benchmarks.ProcessSupervisionBenchmark SFT_MODEL_DIR [QUESTIONS=150] [SAMPLES=4] [K=4] [PRM_EPOCHS=3] [PRM_LR=5e-4]}
 */
public final class ProcessSupervisionBenchmark {

  private ProcessSupervisionBenchmark() {}

  /**
   * Runs the report.
   *
   * @param args the SFT model directory (model + tokenizer), then optionally questions, samples per question, K, PRM
   *     epochs and PRM learning rate
   * @throws IOException if the model cannot be loaded
   */
  public static void main(String[] args) throws IOException {
    CpuTuning.apply(); // before any DJL call: MKL dispatch on AMD AVX-512 CPUs, malloc thresholds
    Path modelDir = Path.of(args[0]);
    int questions = args.length > 1 ? Integer.parseInt(args[1]) : 150;
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int k = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    int prmEpochs = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    float prmLr = args.length > 5 ? Float.parseFloat(args[5]) : 5e-4f;
    TaskSet tasks = SyntheticTaskGenerator.generate(SyntheticSplit.VALIDATION, questions, 7);
    OutcomeVerifier verifier = OutcomeVerifier.forTaskKind();
    PromptTemplate template = PromptTemplate.DEFAULT;
    try (TextTokenizer tok = TextTokenizer.fromFile(modelDir);
        DecoderLm policy = DecoderLm.load(modelDir, Device.cpu())) {
      Sampler sampler = new Sampler(policy, new SequenceEncoder(tok, template, policy.maxLength()));
      List<String> prompts = new ArrayList<>();
      for (ReasoningTask t : tasks.tasks()) {
        prompts.add(template.format(t.prompt()));
      }
      long t0 = System.nanoTime();
      List<Sample> samples = sampler.sample(prompts, SamplingConfig.builder().temperature(1f).samplesPerPrompt(n)
          .maxNewTokens(200).seed(1).batchSize(128).build());
      double sampleSeconds = (System.nanoTime() - t0) / 1e9;
      long sampledTokens = samples.stream().mapToLong(s -> s.tokenIds().length).sum();
      List<RolloutRequest> requests = new ArrayList<>();
      int correct = 0;
      for (Sample s : samples) {
        ReasoningTask task = tasks.get(s.promptIndex());
        List<String> steps = StepSplitter.newlines().split(s.text());
        if (steps.isEmpty()) {
          continue;
        }
        requests.add(new RolloutRequest(task, prompts.get(s.promptIndex()), steps, false));
        correct += verifier.verify(task, s.text()).correct() ? 1 : 0;
      }
      System.out.printf(Locale.ROOT, "## Process supervision on the synthetic task (%s)%n%n", modelDir);
      System.out.printf(Locale.ROOT, "Sampling: %d questions × %d at T=1: %d rationales, %.1f%% correct, %d tokens "
          + "in %.1f s (%.0f tokens/s)%n%n", questions, n, requests.size(), 100.0 * correct / requests.size(),
          sampledTokens, sampleSeconds, sampledTokens / sampleSeconds);

      SamplingConfig rollout = SamplingConfig.builder().temperature(1f).maxNewTokens(200).seed(1234).batchSize(256)
          .build();
      RolloutSimulator full = new RolloutSimulator(sampler, verifier,
          SimulatorConfig.builder().rolloutsPerStep(k).earlyStop(false).sampling(rollout).build());
      List<StepLabels> fullLabels = full.label(requests);
      SimulationStats fs = full.lastStats();
      RolloutSimulator early = new RolloutSimulator(sampler, verifier,
          SimulatorConfig.builder().rolloutsPerStep(k).earlyStop(true).sampling(rollout).build());
      List<StepLabels> earlyLabels = early.label(requests);
      SimulationStats es = early.lastStats();
      int agree = 0;
      int compared = 0;
      for (int i = 0; i < requests.size(); i++) {
        StepLabels f = fullLabels.get(i);
        int upTo = f.firstWrongStep() < 0 ? f.size() : f.firstWrongStep() + 1;
        for (int j = 0; j < upTo; j++) {
          compared++;
          agree += f.hard()[j] == earlyLabels.get(i).hard()[j] ? 1 : 0;
        }
      }
      // Without prefix reuse: every completion re-encodes its prefix (K copies of each prefix, one sample each).
      List<long[]> copies = new ArrayList<>();
      int reusePrefixes = Math.min(64, requests.size());
      List<long[]> once = new ArrayList<>();
      for (RolloutRequest r : requests.subList(0, reusePrefixes)) {
        long[] ids = sampler.encodePrompt(r.prompt() + r.prefix(1));
        once.add(ids);
        for (int c = 0; c < k; c++) {
          copies.add(ids);
        }
      }
      long r0 = System.nanoTime();
      sampler.sampleContinuationIds(once, k, rollout);
      double reuseSeconds = (System.nanoTime() - r0) / 1e9;
      long r1 = System.nanoTime();
      sampler.sampleIds(copies, rollout.toBuilder().samplesPerPrompt(1).build());
      double copySeconds = (System.nanoTime() - r1) / 1e9;

      int wrongSteps = 0;
      int steps = 0;
      int flawedCorrect = 0;
      int correctRationales = 0;
      for (StepLabels l : fullLabels) {
        steps += l.size();
        for (boolean h : l.hard()) {
          wrongSteps += h ? 0 : 1;
        }
        if (l.outcomeCorrect()) {
          correctRationales++;
          flawedCorrect += l.firstWrongStep() >= 0 && l.firstWrongStep() < l.size() - 1 ? 1 : 0;
        }
      }
      System.out.println("| simulation (K = " + k + ") | prefixes simulated | completions | seconds | completions/s |");
      System.out.println("|---|---:|---:|---:|---:|");
      System.out.printf(Locale.ROOT, "| full scan | %d | %d | %.1f | %.1f |%n", fs.prefixesSimulated(), fs.completions(),
          fs.seconds(), fs.completionsPerSecond());
      System.out.printf(Locale.ROOT, "| early stop | %d | %d | %.1f | %.1f |%n%n", es.prefixesSimulated(),
          es.completions(), es.seconds(), es.completionsPerSecond());
      System.out.printf(Locale.ROOT, "Early stop saves %.0f%% of the completions and %.0f%% of the time; its hard "
          + "labels equal the full scan's on %d/%d steps up to each first wrong step.%n",
          100.0 * (fs.completions() - es.completions()) / fs.completions(),
          100.0 * (fs.seconds() - es.seconds()) / fs.seconds(), agree, compared);
      System.out.printf(Locale.ROOT, "Prefix reuse: %d prefixes × K=%d continuations take %.2f s with each prefix "
          + "encoded once, %.2f s with it encoded per completion (%.2f×); over the full scan it spared %d prefix "
          + "tokens of %d.%n", reusePrefixes, k, reuseSeconds, copySeconds, copySeconds / reuseSeconds,
          fs.prefixTokensSaved(), fs.prefixTokensSaved() + fs.prefixTokensEncoded());
      System.out.printf(Locale.ROOT, "Labels: %d steps, %.1f%% labelled wrong; %d of %d correct rationales have a "
          + "step labelled wrong before the last.%n%n", steps, 100.0 * wrongSteps / steps, flawedCorrect,
          correctRationales);

      List<LabeledRationale> labeled = new ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        labeled.add(new LabeledRationale(tasks.get(samples.get(i).promptIndex()).prompt(), requests.get(i).steps(),
            fullLabels.get(i).labels(false)));
      }
      int split = (int) (labeled.size() * 0.8);
      // Split by question so no held-out question was seen in training.
      while (split < labeled.size() && samples.get(split).promptIndex() == samples.get(split - 1).promptIndex()) {
        split++;
      }
      List<LabeledRationale> train = labeled.subList(0, split);
      List<LabeledRationale> test = labeled.subList(split, labeled.size());
      try (DecoderLm backbone = DecoderLm.load(modelDir, Device.cpu());
          DecoderPrm prm = DecoderPrm.create(backbone, tok, template, 3)) {
        PrmTrainerConfig cfg = PrmTrainerConfig.builder().epochs(prmEpochs).batchSize(16)
            .optimizer(OptimizerConfig.builder().learningRate(prmLr).warmupSteps(10).build()).progressBar(false)
            .build();
        PrmTrainingResult result = new PrmTrainer(prm, cfg).fit(train, test);
        System.out.printf(Locale.ROOT, "PRM (DecoderPrm on the SFT backbone, %d training rationales, %d steps of "
            + "training, %.1f s): held-out %d steps (%d labelled wrong): accuracy %.3f, AUROC %.3f, F1 (wrong) %.3f%n",
            train.size(), result.steps(), result.seconds(), result.validation().steps(),
            result.validation().wrongSteps(), result.validation().accuracy(), result.validation().auroc(),
            result.validation().f1());
        long majority = test.stream().flatMapToDouble(r -> java.util.Arrays.stream(r.labels())).filter(v -> v > 0.5)
            .count();
        System.out.printf(Locale.ROOT, "Majority-class accuracy on the same steps: %.3f%n",
            Math.max(majority, result.validation().steps() - majority) / (double) result.validation().steps());
      }
    }
  }
}
