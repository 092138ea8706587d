package io.github.sipf4j.examples.quickstart;

import com.google.common.base.Preconditions;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.StepResult;
import io.github.sipf4j.orpo.train.TrainerListener;
import io.github.sipf4j.orpo.util.AtomicFiles;
import io.github.sipf4j.prm.iterate.PolicyEvaluator;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Early stopping on greedy accuracy for a supervised warm start: a {@link TrainerListener} that evaluates the model on
 * a development set every {@code evalEvery} optimizer steps, writes the weights whenever the accuracy is the best so
 * far (ties keep the earlier weights), and asks the trainer to stop after {@code patience} evaluations in a row
 * without a better one. {@link #finish} evaluates once more after the last step (unless that step was just
 * evaluated) and loads the best weights into the model.
 *
 * <p>Its state lives in a directory ({@code history.json} and {@code best.safetensors}), so a warm start killed
 * midway resumes with the evaluations it already made and the best weights found so far; the trainer resumes from
 * its own checkpoint.
 *
 * <pre>{@code
 * EarlyStopping es = new EarlyStopping(lm, tok, devTasks, 100, 5, dir.resolve("early-stopping"), 96);
 * new SftTrainer(lm, config, tok.padId(), NllScope.RESPONSE).addListener(es).fit(data);
 * EarlyStopping.History h = es.finish(summary.steps()); // lm now holds the best weights
 * }</pre>
 */
public final class EarlyStopping implements TrainerListener {

  private static final Logger LOG = LoggerFactory.getLogger(EarlyStopping.class);
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();
  private static final String HISTORY = "history.json";
  private static final String BEST = "best.safetensors";

  /**
   * One evaluation.
   *
   * @param step the optimizer steps done when it was made
   * @param accuracy the greedy accuracy on the development set
   */
  public record Evaluation(long step, double accuracy) {}

  /**
   * What early stopping saw.
   *
   * @param evaluations every evaluation, in order
   * @param bestStep the steps done at the best evaluation
   * @param bestAccuracy the best accuracy
   * @param stopped whether training was stopped before its last step
   */
  public record History(List<Evaluation> evaluations, long bestStep, double bestAccuracy, boolean stopped) {

    /**
     * Copies the evaluations.
     *
     * @param evaluations the {@code evaluations} component (see the record)
     * @param bestStep the {@code bestStep} component (see the record)
     * @param bestAccuracy the {@code bestAccuracy} component (see the record)
     * @param stopped the {@code stopped} component (see the record)
     */
    public History {
      evaluations = List.copyOf(evaluations);
    }
  }

  private final CausalLm model;
  private final DoubleSupplier accuracy;
  private final int evalEvery;
  private final int patience;
  private final Path dir;
  private final List<Evaluation> evaluations = new ArrayList<>();
  private long bestStep = -1;
  private double bestAccuracy = -1;
  private int sinceBest;
  private boolean stopped;

  /**
   * Creates the listener; when {@code dir} holds the state of an interrupted run, continues from it.
   *
   * @param model the model being trained
   * @param tokenizer its tokenizer
   * @param dev the development tasks (never trained on)
   * @param evalEvery evaluate after every this many steps, positive
   * @param patience stop after this many evaluations in a row without a better accuracy; 0 never stops early
   * @param dir where the history and the best weights are kept
   * @param maxNewTokens the longest greedy answer
   * @throws IOException if an existing history cannot be read
   */
  public EarlyStopping(CausalLm model, TextTokenizer tokenizer, TaskSet dev, int evalEvery, int patience, Path dir,
      int maxNewTokens) throws IOException {
    this(model, greedyAccuracy(model, tokenizer, dev, maxNewTokens), evalEvery, patience, dir);
  }

  /**
   * Creates the listener with another measure of the model (tests script one).
   *
   * @param model the model being trained
   * @param accuracy measures the model as it is now; higher is better
   * @param evalEvery evaluate after every this many steps, positive
   * @param patience stop after this many evaluations in a row without a better accuracy; 0 never stops early
   * @param dir where the history and the best weights are kept
   * @throws IOException if an existing history cannot be read
   */
  EarlyStopping(CausalLm model, DoubleSupplier accuracy, int evalEvery, int patience, Path dir) throws IOException {
    Preconditions.checkArgument(evalEvery > 0, "evalEvery must be positive, got %s", evalEvery);
    Preconditions.checkArgument(patience >= 0, "patience must be >= 0, got %s", patience);
    this.model = model;
    this.accuracy = accuracy;
    this.evalEvery = evalEvery;
    this.patience = patience;
    this.dir = dir;
    Files.createDirectories(dir);
    Path history = dir.resolve(HISTORY);
    if (Files.exists(history)) {
      History h = GSON.fromJson(Files.readString(history), History.class);
      for (Evaluation e : h.evaluations()) {
        record(e);
      }
      stopped = h.stopped();
    }
  }

  @Override
  public void onStep(int epoch, StepResult result) {
    long done = result.step() + 1;
    if (done % evalEvery == 0 && evaluations.stream().noneMatch(e -> e.step() == done)) {
      evaluate(done);
    }
  }

  @Override
  public boolean stopRequested(long stepsDone) {
    if (patience > 0 && sinceBest >= patience) {
      stopped = true;
      writeHistory();
      return true;
    }
    return false;
  }

  /**
   * Whether an earlier run of this warm start already stopped early (its model then needs no more training).
   *
   * @return true when the saved history says training stopped
   */
  public boolean alreadyStopped() {
    return stopped;
  }

  /**
   * Evaluates after the last step when that step has no evaluation yet, then loads the best weights into the model.
   *
   * @param stepsDone the steps the training run ended at
   * @return the history
   * @throws IOException if the best weights cannot be read
   */
  public History finish(long stepsDone) throws IOException {
    if (evaluations.stream().noneMatch(e -> e.step() == stepsDone)) {
      evaluate(stepsDone);
    }
    model.loadWeights(dir.resolve(BEST));
    LOG.info("early stopping: best development accuracy {} after {} steps ({} evaluations{})",
        String.format(Locale.ROOT, "%.3f", bestAccuracy), bestStep, evaluations.size(), stopped ? ", stopped" : "");
    return history();
  }

  /**
   * Returns what was seen so far.
   *
   * @return the history
   */
  public History history() {
    return new History(evaluations, bestStep, bestAccuracy, stopped);
  }

  private static DoubleSupplier greedyAccuracy(CausalLm model, TextTokenizer tokenizer, TaskSet dev,
      int maxNewTokens) {
    Preconditions.checkArgument(dev.size() > 0, "the development set is empty");
    PolicyEvaluator evaluator = new PolicyEvaluator(model, tokenizer, PromptTemplate.DEFAULT,
        OutcomeVerifier.forTaskKind(), SamplingConfig.builder().maxNewTokens(maxNewTokens).batchSize(128).build());
    return () -> evaluator.evaluate("development", dev).result().accuracy();
  }

  private void evaluate(long done) {
    double accuracy = this.accuracy.getAsDouble();
    boolean better = record(new Evaluation(done, accuracy));
    try {
      if (better) {
        model.saveWeights(dir.resolve(BEST));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writeHistory();
    LOG.info("early stopping: development accuracy {} after {} steps{}", String.format(Locale.ROOT, "%.3f",
        accuracy), done, better ? " (best)" : "");
  }

  /** Adds an evaluation; returns whether it is the best so far. */
  private boolean record(Evaluation e) {
    evaluations.add(e);
    if (e.accuracy() > bestAccuracy) {
      bestAccuracy = e.accuracy();
      bestStep = e.step();
      sinceBest = 0;
      return true;
    }
    sinceBest++;
    return false;
  }

  private void writeHistory() {
    try {
      AtomicFiles.writeString(dir.resolve(HISTORY), GSON.toJson(history()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
