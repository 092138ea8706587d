package io.github.sipf4j.prm.iterate;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.prm.rollout.EvaluateJob;
import io.github.sipf4j.prm.rollout.PredictionRecord;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy accuracy of a policy on a task set: one batched greedy decode per task (temperature 0), each output checked
 * by the verifier. The loop evaluates the same way through its rollout engine ({@link EvaluateJob}).
 *
 * <pre>{@code
 * PolicyEvaluator eval = new PolicyEvaluator(policy, tokenizer, PromptTemplate.DEFAULT, OutcomeVerifier.forTaskKind());
 * EvalResult r = eval.evaluate("gsm8k-test", tasks).result();
 * }</pre>
 */
public final class PolicyEvaluator {

  /** The most new tokens a greedy answer may have by default. */
  public static final int DEFAULT_MAX_NEW_TOKENS = 256;

  private final CausalLm policy;
  private final SequenceEncoder encoder;
  private final PromptTemplate template;
  private final OutcomeVerifier verifier;
  private final SamplingConfig greedy;

  /**
   * Creates an evaluator with at most {@value #DEFAULT_MAX_NEW_TOKENS} new tokens per answer, batches of 128.
   *
   * @param policy the policy
   * @param tokenizer its tokenizer
   * @param template the prompt template
   * @param verifier checks final answers
   */
  public PolicyEvaluator(CausalLm policy, TextTokenizer tokenizer, PromptTemplate template, OutcomeVerifier verifier) {
    this(policy, tokenizer, template, verifier,
        SamplingConfig.builder().maxNewTokens(DEFAULT_MAX_NEW_TOKENS).batchSize(128).build());
  }

  /**
   * Creates an evaluator.
   *
   * @param policy the policy
   * @param tokenizer its tokenizer
   * @param template the prompt template
   * @param verifier checks final answers
   * @param decoding the decoding settings; its temperature is set to 0 and its samples per prompt to 1
   */
  public PolicyEvaluator(CausalLm policy, TextTokenizer tokenizer, PromptTemplate template, OutcomeVerifier verifier,
      SamplingConfig decoding) {
    this.policy = Preconditions.checkNotNull(policy, "policy");
    this.template = Preconditions.checkNotNull(template, "template");
    this.verifier = Preconditions.checkNotNull(verifier, "verifier");
    this.encoder = new SequenceEncoder(tokenizer, template, Math.max(2, policy.maxLength()));
    this.greedy = decoding.toBuilder().temperature(0f).samplesPerPrompt(1).showProgress(false).build();
  }

  /**
   * One evaluated task.
   *
   * @param task the task's id
   * @param output the greedy output
   * @param extracted the answer the verifier extracted, or null
   * @param correct whether it is correct
   */
  public record Prediction(String task, String output, String extracted, boolean correct) {}

  /**
   * An evaluation: the accuracy and every prediction.
   *
   * @param result the accuracy with its interval
   * @param predictions one per task, in task order
   */
  public record Evaluation(EvalResult result, List<Prediction> predictions) {

    /**
     * Copies the predictions.
     *
     * @param result the {@code result} component (see the record)
     * @param predictions the {@code predictions} component (see the record)
     */
    public Evaluation {
      predictions = List.copyOf(predictions);
    }
  }

  /**
   * Evaluates the policy.
   *
   * @param name the name to report
   * @param tasks the tasks, at least one
   * @return the accuracy and the predictions
   */
  public Evaluation evaluate(String name, TaskSet tasks) {
    Preconditions.checkArgument(tasks.size() > 0, "evaluation set %s is empty", name);
    List<Prediction> predictions = new ArrayList<>(tasks.size());
    int correct = 0;
    for (PredictionRecord p : EvaluateJob.decode(policy, encoder, template, verifier, greedy, tasks.tasks(), null)) {
      predictions.add(new Prediction(p.task(), p.output(), p.extracted(), p.correct()));
      correct += p.correct() ? 1 : 0;
    }
    return new Evaluation(EvalResult.of(name, correct, tasks.size()), predictions);
  }
}
