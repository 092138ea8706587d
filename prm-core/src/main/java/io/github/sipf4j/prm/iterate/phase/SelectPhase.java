package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import com.google.gson.annotations.SerializedName;
import io.github.sipf4j.prm.iterate.Phase;
import java.io.IOException;

/**
 * Builds the iteration's training data with the {@link TrainingSetBuilder} (preference pairs, or RFT's supervised
 * examples) and adds it to the data of earlier iterations: {@code dataset.jsonl} and the builder's own files.
 */
public final class SelectPhase extends AbstractPhase<SelectPhase.Summary> {

  /**
   * The marker of the phase.
   *
   * @param fresh the examples (pairs or SFT examples) selected this iteration
   * @param added how many of them were not already in the accumulated data
   * @param total the size of the data the policy trains on
   * @param goldChosen new pairs whose chosen rationale is a gold rationale (for RFT: gold examples)
   * @param correctRejected new pairs whose rejected rationale has a correct final answer
   */
  public record Summary(@SerializedName("new") int fresh, int added, int total,
      @SerializedName("gold_chosen") int goldChosen, @SerializedName("correct_rejected") int correctRejected) {}

  private final TrainingSetBuilder builder;

  /**
   * Creates the phase.
   *
   * @param builder how the training data is built
   */
  public SelectPhase(TrainingSetBuilder builder) {
    super(Phase.SELECT, Summary.class);
    this.builder = Preconditions.checkNotNull(builder, "builder");
  }

  @Override
  public Summary run(IterationScope scope) throws IOException {
    return builder.select(scope);
  }
}
