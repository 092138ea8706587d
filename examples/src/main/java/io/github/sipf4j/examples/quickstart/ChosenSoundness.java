package io.github.sipf4j.examples.quickstart;

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
 * that {@link SyntheticStepChecker} finds sound at every step. Gold rationales are left out. All of them reached the
 * right answer; the rest of the share reached it through a wrong step.
 */
public final class ChosenSoundness {

  private ChosenSoundness() {}

  /**
   * Returns the share of sound self-generated targets of one iteration.
   *
   * @param iterationDir the iteration's folder
   * @param goldTexts the gold rationales of the iteration's questions, left out of the count
   * @return the share in [0, 1], or NaN when the iteration wrote no targets of its own
   * @throws IOException if a file cannot be read
   */
  public static double share(Path iterationDir, Set<String> goldTexts) throws IOException {
    List<String> own = new ArrayList<>();
    Path pairs = iterationDir.resolve("pairs.jsonl");
    Path sft = iterationDir.resolve("sft-new.jsonl");
    if (Files.exists(pairs)) {
      for (PreferencePair p : PreferenceJsonl.read(pairs)) {
        own.add(p.chosen());
      }
    } else if (Files.exists(sft)) {
      for (String line : Files.readAllLines(sft)) {
        if (!line.isBlank()) {
          own.add(JsonParser.parseString(line).getAsJsonObject().get("completion").getAsString());
        }
      }
    }
    own.removeIf(goldTexts::contains);
    if (own.isEmpty()) {
      return Double.NaN;
    }
    SyntheticStepChecker checker = new SyntheticStepChecker();
    StepSplitter splitter = StepSplitter.newlines();
    List<StepScoringInput> inputs = own.stream().map(t -> new StepScoringInput("", splitter.split(t), true)).toList();
    int sound = 0;
    for (double[] s : checker.scoreSteps(inputs)) {
      sound += s[s.length - 1] == 1 ? 1 : 0;
    }
    return sound / (double) own.size();
  }
}
