package io.github.sipf4j.orpo.train;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.text.EncodedSequence;
import java.util.List;

/**
 * Supervised "anchor" sequences mixed into every optimizer step of a trainer: besides its own examples, each step
 * reads {@code perStep} anchor sequences and adds {@code weight} times their mean token NLL to the loss. Used to keep
 * the gold rationales of an SFT set in view while ORPO trains on the model's own samples (a self-training run that
 * sees only its own samples drifts; see the project's experiment notes).
 *
 * <p>The anchors form their own endless stream: position {@code p} of the stream is example {@code perm_e[p mod n]}
 * of epoch {@code e = p / n}, each epoch a permutation seeded from the trainer's seed. Step {@code s} reads positions
 * {@code [s * perStep, (s + 1) * perStep)}, spread over the step's micro-batches, so the anchors depend only on the
 * step index and a resumed run reads exactly what the interrupted one would have.
 *
 * <p>With anchors, a step's metrics gain {@code anchor_nll} (the anchors' mean token NLL) and {@code loss} is the
 * total: the trainer's own loss plus {@code weight * anchor_nll}.
 *
 * <pre>{@code
 * List<EncodedSequence> gold = ...; // encoder.encode(prompt, goldRationale)
 * orpo.fit(pairs, new AnchorSet(gold, 16, 1f, NllScope.RESPONSE, tokenizer.padId()));
 * }</pre>
 *
 * @param sequences the anchor sequences, at least one
 * @param perStep anchor sequences per optimizer step, at least 1; a step with {@code M} micro-batches gives each
 *     about {@code perStep / M} of them (at least one)
 * @param weight the weight of the anchors' NLL in the loss, finite and positive
 * @param scope which tokens the anchors' NLL covers
 * @param padId the tokenizer's padding id
 */
public record AnchorSet(List<EncodedSequence> sequences, int perStep, float weight, NllScope scope, long padId) {

  /**
   * Validates the anchors.
   *
   * @param sequences the {@code sequences} component (see the record)
   * @param perStep the {@code perStep} component (see the record)
   * @param weight the {@code weight} component (see the record)
   * @param scope the {@code scope} component (see the record)
   * @param padId the {@code padId} component (see the record)
   */
  public AnchorSet {
    Preconditions.checkNotNull(sequences, "sequences");
    Preconditions.checkArgument(!sequences.isEmpty(), "an anchor set needs at least one sequence");
    sequences = List.copyOf(sequences);
    Preconditions.checkArgument(perStep > 0, "anchors per step must be positive, got %s", perStep);
    Preconditions.checkArgument(weight > 0 && Float.isFinite(weight), "anchor weight must be finite and > 0, got %s",
        weight);
    Preconditions.checkNotNull(scope, "scope");
  }
}
