package io.github.sipf4j.orpo.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDList;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.translate.Batchifier;
import io.github.sipf4j.orpo.model.CausalLm;
import java.util.Map;

/**
 * Feeds DJL's own {@link TrainingListener}s (logging, evaluator, time-measure listeners, or a user's) from a sipf4j
 * trainer. DJL listeners expect a DJL {@link Trainer}: this adapter holds one around the model's block, used only as
 * the listeners' host (it trains nothing), and records every step's metrics in its {@link Metrics} under the
 * trainer's names. {@code onTrainingBatch} receives the last micro-batch of each step; the loss passed here is what
 * evaluator listeners accumulate, and {@link io.github.sipf4j.orpo.loss.OrpoLoss} reuses its value instead of
 * computing it twice.
 *
 * <pre>{@code
 * trainer.addListener(new DjlListeners(lm, orpo.loss(), TrainingListener.Defaults.logging()));
 * }</pre>
 */
public final class DjlListeners implements TrainerListener {

  private final CausalLm model;
  private final Loss loss;
  private final TrainingListener[] listeners;
  private Model djlModel;
  private Trainer host;
  private long progress;
  private long total;

  /**
   * Creates the adapter.
   *
   * @param model the model being trained
   * @param loss the loss DJL evaluator listeners should accumulate
   * @param listeners DJL listeners to feed
   */
  public DjlListeners(CausalLm model, Loss loss, TrainingListener... listeners) {
    this.model = model;
    this.loss = loss;
    this.listeners = listeners.clone();
  }

  /**
   * Returns the DJL trainer hosting the listeners (null before training begins).
   *
   * @return the host trainer
   */
  public Trainer hostTrainer() {
    return host;
  }

  @Override
  public void onTrainingBegin(long firstStep, long totalSteps) {
    progress = firstStep;
    total = totalSteps;
    djlModel = Model.newInstance("sipf4j", model.getDevice());
    djlModel.setBlock(model.getBlock());
    DefaultTrainingConfig cfg = new DefaultTrainingConfig(loss).optDevices(new Device[] {model.getDevice()})
        .addTrainingListeners(listeners);
    host = djlModel.newTrainer(cfg);
    host.setMetrics(new Metrics());
  }

  @Override
  public void onMicroBatch(LossTerms terms) {
    if (host == null) {
      return;
    }
    NDList data = new NDList();
    Batch batch = new Batch(terms.labels().head().getManager(), data, terms.labels(), terms.examples(),
        Batchifier.STACK, Batchifier.STACK, ++progress, total);
    Map<Device, NDList> labels = Map.of(model.getDevice(), terms.labels());
    Map<Device, NDList> preds = Map.of(model.getDevice(), terms.predictions());
    TrainingListener.BatchData bd = new TrainingListener.BatchData(batch, labels, preds);
    host.notifyListeners(l -> l.onTrainingBatch(host, bd));
  }

  @Override
  public void onStep(int epoch, StepResult result) {
    if (host == null) {
      return;
    }
    Metrics m = host.getMetrics();
    result.metrics().forEach((k, v) -> m.addMetric(k, v));
    m.addMetric("learning_rate", result.learningRate());
    m.addMetric("grad_norm", result.gradNorm());
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Float> means) {
    if (host != null) {
      host.notifyListeners(l -> l.onEpoch(host));
    }
  }

  @Override
  public void onTrainingEnd(TrainingSummary summary) {
    if (host != null) {
      host.close();
      djlModel.close();
      host = null;
    }
  }
}
