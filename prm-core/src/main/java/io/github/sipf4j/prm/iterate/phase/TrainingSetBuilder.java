package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.prm.process.PairSelector;
import java.io.IOException;

/**
 * How an iteration's training data is built from its scored samples: the strategy behind {@link SelectPhase}.
 * {@link #preferencePairs} feeds ORPO ({@link PolicyUpdate#orpo}); {@link #sftExamples} feeds rejection-sampling
 * fine-tuning ({@link PolicyUpdate#sft}).
 */
public interface TrainingSetBuilder {

  /**
   * Tells whether the builder reads step scores, so that the iteration must score its samples.
   *
   * @return true for preference pairs
   */
  boolean needsScores();

  /**
   * Builds the iteration's data and the accumulated data set, and puts them as artefacts.
   *
   * @param scope the iteration
   * @return the phase's summary
   * @throws IOException if an artefact cannot be read or written
   */
  SelectPhase.Summary select(IterationScope scope) throws IOException;

  /**
   * Chosen/rejected pairs per question by the {@link PairSelector}, a task's gold rationale joining the candidates
   * as a perfect one: {@code pairs.jsonl}, {@code pairs-info.jsonl} and the accumulated {@code dataset.jsonl}.
   *
   * @param template formats the prompts of the pairs
   * @param selector selects the pairs of a question
   * @param goldRationales whether gold rationales are candidates
   * @param accumulate whether the data set keeps earlier iterations' pairs
   * @return the builder
   */
  static TrainingSetBuilder preferencePairs(PromptTemplate template, PairSelector selector, boolean goldRationales,
      boolean accumulate) {
    return new PreferencePairsBuilder(template, selector, goldRationales, accumulate);
  }

  /**
   * The policy's own verified-correct samples (and gold rationales) as supervised examples: {@code sft-new.jsonl}
   * and the accumulated {@code dataset.jsonl}.
   *
   * @param template formats the prompts of the examples
   * @param goldRationales whether gold rationales are examples
   * @param accumulate whether the data set keeps earlier iterations' examples
   * @return the builder
   */
  static TrainingSetBuilder sftExamples(PromptTemplate template, boolean goldRationales, boolean accumulate) {
    return new SftExamplesBuilder(template, goldRationales, accumulate);
  }
}
