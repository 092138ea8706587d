package io.github.sipf4j.examples.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.data.PreferenceJsonl;
import io.github.sipf4j.orpo.data.PreferencePair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChosenSoundnessTest {

  static final String GOLD = "6*3=18\n18+5=23\nThe answer is 23";
  static final String SOUND = "4*3=12\n12+5=17\nThe answer is 17";
  static final String LUCKY = "6*3=18\n18+5=23\n23+2=20\n20/5=5\nThe answer is 5";

  @Test
  void sharesOfPairsAndOfRftExamplesLeaveGoldOut(@TempDir Path dir) throws IOException {
    Path orpo = Files.createDirectories(dir.resolve("orpo"));
    PreferenceJsonl.write(orpo.resolve("pairs.jsonl"), List.of(new PreferencePair("q1", GOLD, "x"),
        new PreferencePair("q2", SOUND, "y"), new PreferencePair("q3", LUCKY, "z"),
        new PreferencePair("q4", LUCKY + "\n", "w")));
    assertEquals(1 / 3.0, ChosenSoundness.shareOf(orpo, Set.of(GOLD)), 1e-12);
    assertEquals(2 / 4.0, ChosenSoundness.shareOf(orpo, Set.of()), 1e-12);
    Path rft = Files.createDirectories(dir.resolve("rft"));
    Files.writeString(rft.resolve("sft-new.jsonl"), "{\"prompt\":\"q1\",\"completion\":\"" + SOUND.replace("\n", "\\n")
        + "\"}\n{\"prompt\":\"q2\",\"completion\":\"" + GOLD.replace("\n", "\\n") + "\"}\n");
    assertEquals(1.0, ChosenSoundness.shareOf(rft, Set.of(GOLD)), 0);
    assertTrue(Double.isNaN(ChosenSoundness.shareOf(rft, Set.of(GOLD, SOUND))), "only gold: nothing to measure");
    assertTrue(Double.isNaN(ChosenSoundness.shareOf(Files.createDirectories(dir.resolve("sft")), Set.of())));
  }
}
