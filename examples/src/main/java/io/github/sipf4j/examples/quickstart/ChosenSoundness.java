package io.github.sipf4j.examples.quickstart;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.data.PreferenceJsonl;
import io.github.sipf4j.orpo.data.PreferencePair;
import io.github.sipf4j.prm.process.StepScoringInput;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.synthetic.SyntheticStepChecker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Measures how clean an iteration's self-generated training targets are: the share of the rationales the policy
 * wrote itself that became an NLL target (the chosen side of {@code pairs.jsonl}, or RFT's {@code sft-new.jsonl}) and
 * that a {@link SyntheticStepChecker} finds sound at every step. Gold rationales are left out. All of them reached the
 * right answer; the rest of the share reached it through a wrong step.
 */
public final class ChosenSoundness {

  private final SyntheticStepChecker checker;

  /**
   * Creates the measure.
   *
   * @param checker the checker; a checker with references must be keyed by the formatted prompts the files hold
   */
  public ChosenSoundness(SyntheticStepChecker checker) {
    this.checker = checker;
  }

  /**
   * Returns the share of sound self-generated targets of one iteration, by the checker of arithmetic and chaining.
   *
   * @param iterationDir the iteration's folder
   * @param goldTexts the gold rationales of the iteration's questions, left out of the count
   * @return the share in [0, 1], or NaN when the iteration wrote no targets of its own
   * @throws IOException if a file cannot be read
   */
  public static double shareOf(Path iterationDir, Set<String> goldTexts) throws IOException {
    return new ChosenSoundness(new SyntheticStepChecker()).share(iterationDir, goldTexts);
  }

  /**
   * Returns the share of sound self-generated targets of one iteration.
   *
   * @param iterationDir the iteration's folder
   * @param goldTexts the gold rationales of the iteration's questions, left out of the count
   * @return the share in [0, 1], or NaN when the iteration wrote no targets of its own
   * @throws IOException if a file cannot be read
   */
  public double share(Path iterationDir, Set<String> goldTexts) throws IOException {
    List<String[]> own = new ArrayList<>();
    Path pairs = iterationDir.resolve("pairs.jsonl");
    Path sft = iterationDir.resolve("sft-new.jsonl");
    if (Files.exists(pairs)) {
      for (PreferencePair p : PreferenceJsonl.read(pairs)) {
        own.add(new String[] {p.prompt(), p.chosen()});
      }
    } else if (Files.exists(sft)) {
      for (String line : Files.readAllLines(sft)) {
        if (!line.isBlank()) {
          JsonObject o = JsonParser.parseString(line).getAsJsonObject();
          own.add(new String[] {o.get("prompt").getAsString(), o.get("completion").getAsString()});
        }
      }
    }
    own.removeIf(t -> goldTexts.contains(t[1]));
    if (own.isEmpty()) {
      return Double.NaN;
    }
    StepSplitter splitter = StepSplitter.newlines();
    List<StepScoringInput> inputs = own.stream().map(t -> new StepScoringInput(t[0], splitter.split(t[1]), true))
        .toList();
    int sound = 0;
    for (double[] s : checker.scoreSteps(inputs)) {
      sound += s[s.length - 1] == 1 ? 1 : 0;
    }
    return sound / (double) own.size();
  }
}
