package io.github.sipf4j.examples.quickstart;

import ai.djl.Device;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.PositionEncoding;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.LrScheduleType;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.SftTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainingSummary;
import io.github.sipf4j.orpo.util.CpuTuning;
import io.github.sipf4j.orpo.util.HeapOnlyRelaunch;
import io.github.sipf4j.prm.synthetic.SyntheticSplit;
import io.github.sipf4j.prm.synthetic.SyntheticTaskGenerator;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The SFT warm start of the quickstart: a small character-level {@link DecoderLm} trained on gold rationales of the
 * synthetic in-domain split. The saved directory holds the model and its tokenizer.
 *
 * @param modelDir where the model was saved
 * @param summary the training run
 */
public record SftWarmStart(Path modelDir, TrainingSummary summary) {

  /**
   * Returns the model of the embedded default: 4 layers of width 96 with rotary positions (about 0.45 M parameters,
   * the calibration's size), at most 320 tokens.
   *
   * @param vocabSize the tokenizer's vocabulary size
   * @return the configuration
   */
  public static DecoderConfig defaultModel(int vocabSize) {
    return model(vocabSize, 96, 4, 320);
  }

  /**
   * Returns a model of the embedded default's family: 4 heads, rotary positions, the given width, depth and context.
   *
   * @param vocabSize the tokenizer's vocabulary size
   * @param width d_model, a multiple of 4
   * @param layers the transformer layers
   * @param maxLength the longest sequence in tokens
   * @return the configuration
   */
  public static DecoderConfig model(int vocabSize, int width, int layers, int maxLength) {
    return DecoderConfig.builder().vocabSize(vocabSize).dModel(width).layers(layers).heads(4).maxLength(maxLength)
        .positions(PositionEncoding.ROTARY).build();
  }

  /**
   * Trains and saves the warm-start model.
   *
   * @param out the directory for the model, the tokenizer, checkpoints and metrics
   * @param examples the gold rationales to train on
   * @param steps optimizer steps of batch 16
   * @param learningRate the peak learning rate (cosine decay)
   * @param seed the seed of the data, the initialisation and the order
   * @param progress whether to draw a progress bar
   * @return the saved model's directory and the run's summary
   * @throws IOException if saving fails
   */
  public static SftWarmStart train(Path out, int examples, int steps, float learningRate, long seed, boolean progress)
      throws IOException {
    return train(out, SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, examples, seed), steps, learningRate,
        seed, progress);
  }

  /**
   * Trains and saves the warm-start model on the given gold rationales. A run interrupted midway resumes from its
   * last checkpoint in {@code out/sft}.
   *
   * @param out the directory for the model, the tokenizer, checkpoints and metrics
   * @param gold the tasks whose gold rationales are trained on
   * @param steps optimizer steps of batch 16
   * @param learningRate the peak learning rate (cosine decay)
   * @param seed the seed of the initialisation and the order
   * @param progress whether to draw a progress bar
   * @return the saved model's directory and the run's summary
   * @throws IOException if saving fails
   */
  public static SftWarmStart train(Path out, TaskSet gold, int steps, float learningRate, long seed, boolean progress)
      throws IOException {
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      return train(out, gold, defaultModel(tok.vocabSize()), null, steps, learningRate, seed, progress, null).warm();
    }
  }

  /**
   * How the warm start stops early: evaluate greedy accuracy on {@code dev} every {@code evalEvery} steps and keep
   * the best weights (see {@link EarlyStopping}).
   *
   * @param dev the development tasks, never trained on
   * @param evalEvery evaluate after every this many steps, positive
   * @param patience stop after this many evaluations in a row without a better accuracy; 0 never stops early
   * @param maxNewTokens the longest greedy answer
   */
  public record StoppingRule(TaskSet dev, int evalEvery, int patience, int maxNewTokens) {}

  /**
   * A warm start and, with early stopping, what it saw.
   *
   * @param warm the saved model and the training summary
   * @param history the development evaluations and the best step, or null without early stopping
   */
  public record Result(SftWarmStart warm, EarlyStopping.History history) {}

  /**
   * Trains and saves a warm-start model of the given shape, optionally with early stopping on a development set. A
   * run interrupted midway resumes from its last checkpoint in {@code out/sft} (and the early-stopping state in
   * {@code out/early-stopping}).
   *
   * @param out the directory for the model, the tokenizer, checkpoints and metrics
   * @param gold the tasks whose gold rationales are trained on
   * @param shape the configuration of a new model (its vocabulary must be the character tokenizer's)
   * @param initFrom a saved model to continue training instead of a new one (its tokenizer must be the character
   *     tokenizer), or null
   * @param steps optimizer steps of batch 16; with early stopping the most steps
   * @param learningRate the peak learning rate (cosine decay over {@code steps})
   * @param seed the seed of the initialisation and the order
   * @param progress whether to draw a progress bar
   * @param stopping early stopping, or null to train every step and keep the last weights
   * @return the saved model's directory, the run's summary and the early-stopping history
   * @throws IOException if saving fails
   */
  public static Result train(Path out, TaskSet gold, DecoderConfig shape, Path initFrom, int steps,
      float learningRate, long seed, boolean progress, StoppingRule stopping) throws IOException {
    try (TextTokenizer tok = TextTokenizer.characterLevel();
        DecoderLm lm = initFrom == null ? DecoderLm.create(shape, Device.cpu(), seed)
            : DecoderLm.load(initFrom, Device.cpu())) {
      List<EncodedSequence> data = encodeGold(new SequenceEncoder(tok, PromptTemplate.DEFAULT, lm.maxLength()), gold);
      TrainerConfig cfg = TrainerConfig.builder().batchSize(16).maxSteps(steps).seed(seed).workDir(out.resolve("sft"))
          .checkpointEverySteps(200).progressBar(progress).optimizer(OptimizerConfig.builder()
              .learningRate(learningRate).warmupSteps(Math.min(50, steps / 10)).schedule(LrScheduleType.COSINE)
              .minLrRatio(0.05f).build()).build();
      SftTrainer trainer = new SftTrainer(lm, cfg, tok.padId(), NllScope.RESPONSE);
      EarlyStopping es = null;
      if (stopping != null) {
        es = new EarlyStopping(lm, tok, stopping.dev(), stopping.evalEvery(), stopping.patience(),
            out.resolve("early-stopping"), stopping.maxNewTokens());
        trainer.addListener(es);
      }
      TrainingSummary s;
      EarlyStopping.History history = null;
      if (es != null && es.alreadyStopped()) {
        // A finished early-stopped run that died before saving: its best weights are all that is needed.
        s = new TrainingSummary(es.history().evaluations().get(es.history().evaluations().size() - 1).step(), 0, 0,
            Map.of(), Map.of(), List.of(), 0, 0);
      } else {
        s = trainer.fit(data);
      }
      if (es != null) {
        history = es.finish(s.steps());
      }
      Path modelDir = out.resolve("sft-model");
      lm.save(modelDir);
      tok.save(modelDir);
      return new Result(new SftWarmStart(modelDir, s), history);
    }
  }

  /**
   * Encodes the gold rationale of every task as an SFT example (the prompt formatted by the encoder's template).
   *
   * @param encoder the encoder
   * @param gold tasks with gold steps
   * @return one example per task, in order
   */
  public static List<EncodedSequence> encodeGold(SequenceEncoder encoder, TaskSet gold) {
    List<EncodedSequence> data = new ArrayList<>(gold.size());
    for (ReasoningTask t : gold.tasks()) {
      data.add(encoder.encodeQuestion(t.prompt(), t.goldRationale()));
    }
    return data;
  }

  /**
   * Trains a warm-start model from the command line: {@code OUT EXAMPLES STEPS LR SEED}.
   *
   * @param args the arguments
   * @throws IOException if saving fails
   */
  public static void main(String[] args) throws IOException {
    OptionalInt child = HeapOnlyRelaunch.relaunchIfNeeded();
    if (child.isPresent()) {
      System.exit(child.getAsInt());
    }
    CpuTuning.apply(); // this process is ours, as in the sipf4j command line
    SftWarmStart r = train(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
        Float.parseFloat(args[3]), Long.parseLong(args[4]), true);
    System.out.println(r.summary().lastMetrics() + " in " + r.summary().seconds() + " s");
  }
}
