package io.github.sipf4j.prm.rollout;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.sample.SamplingListener;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import io.github.sipf4j.prm.verify.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy answers of a saved policy to one evaluation set, each checked by the verifier. Greedy decoding draws no
 * random numbers; sharding fixes which tasks are decoded together, so the outputs do not depend on the partitions.
 *
 * @param policy the policy to evaluate
 * @param verifier the verifier, or null for the engine's own verifier object
 * @param set the evaluation set's name
 * @param template formats each task's prompt
 * @param tasks the tasks, in order
 * @param decoding the decoding settings; temperature 0 and one sample per task are forced, the progress bar is off
 * @param shardSize the most tasks per shard
 */
public record EvaluateJob(PolicyRef policy, VerifierSpec verifier, String set, PromptTemplate template,
    List<ReasoningTask> tasks, SamplingConfig decoding, int shardSize) implements RolloutJob<PredictionRecord> {

  /**
   * Validates the job and copies the tasks.
   *
   * @param policy the {@code policy} component (see the record)
   * @param verifier the {@code verifier} component (see the record)
   * @param set the {@code set} component (see the record)
   * @param template the {@code template} component (see the record)
   * @param tasks the {@code tasks} component (see the record)
   * @param decoding the {@code decoding} component (see the record)
   * @param shardSize the {@code shardSize} component (see the record)
   */
  public EvaluateJob {
    Preconditions.checkNotNull(policy, "policy");
    Preconditions.checkNotNull(set, "set");
    Preconditions.checkNotNull(template, "template");
    Preconditions.checkNotNull(decoding, "decoding");
    Preconditions.checkArgument(shardSize > 0, "shardSize must be positive, got %s", shardSize);
    tasks = List.copyOf(tasks);
  }

  @Override
  public String name() {
    return "evaluate " + set;
  }

  @Override
  public int size() {
    return tasks.size();
  }

  @Override
  public String unit() {
    return "task";
  }

  @Override
  public List<PredictionRecord> runShard(int shard, RolloutContext context) {
    return decode(context.model(), context.encoder(template), template, context.verifier(), decoding,
        tasks.subList(shardStart(shard), shardEnd(shard)), context.listener());
  }

  /**
   * Decodes every task greedily in one batched job and verifies the outputs: the work of one shard, and of
   * {@code PolicyEvaluator}.
   *
   * @param model the model
   * @param encoder encodes the prompts
   * @param template formats each task's prompt
   * @param verifier checks the answers
   * @param decoding the decoding settings; temperature 0 and one sample per task are forced, the progress bar is off
   * @param tasks the tasks
   * @param listener sees every finished answer, or null
   * @return one prediction per task, in task order
   */
  public static List<PredictionRecord> decode(CausalLm model, SequenceEncoder encoder, PromptTemplate template,
      OutcomeVerifier verifier, SamplingConfig decoding, List<ReasoningTask> tasks, SamplingListener listener) {
    SamplingConfig greedy = decoding.toBuilder().temperature(0f).samplesPerPrompt(1).showProgress(false).build();
    List<String> prompts = tasks.stream().map(t -> template.format(t.prompt())).toList();
    List<Sample> outs = new Sampler(model, encoder).sample(prompts, greedy, listener);
    PredictionRecord[] predictions = new PredictionRecord[tasks.size()];
    for (Sample o : outs) {
      ReasoningTask t = tasks.get(o.promptIndex());
      Verdict v = verifier.verify(t, o.text());
      predictions[o.promptIndex()] = new PredictionRecord(t.id(), o.text(), v.extracted(), v.correct());
    }
    return new ArrayList<>(Arrays.asList(predictions));
  }
}
