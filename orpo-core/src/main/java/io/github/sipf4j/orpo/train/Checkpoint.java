package io.github.sipf4j.orpo.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * A training checkpoint in {@code workDir/checkpoint/}: {@code model.safetensors} (the weights), {@code
 * optimizer.safetensors} (AdamW's moments and update count) and {@code trainer-state.json} (the next step and the
 * skipped-step count). A checkpoint is written into {@code checkpoint.tmp/} and then swapped in with directory
 * renames, so a crash at any moment leaves either the old or the new checkpoint whole.
 *
 * @param nextStep the index of the first step still to take
 * @param skippedSteps steps skipped so far for non-finite values
 * @param totalSteps the number of steps of the run the checkpoint belongs to
 */
public record Checkpoint(long nextStep, long skippedSteps, long totalSteps) {

  /** The checkpoint directory's name inside a work directory. */
  public static final String DIR = "checkpoint";

  private static final String STATE = "trainer-state.json";
  private static final String WEIGHTS = "model.safetensors";
  private static final String OPTIMIZER = "optimizer.safetensors";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  /**
   * Saves a checkpoint.
   *
   * @param workDir the work directory
   * @param model the model whose weights to save
   * @param optimizer the optimizer whose state to save
   * @param state the counters
   * @throws IOException if writing fails
   */
  public static void save(Path workDir, CausalLm model, AdamW optimizer, Checkpoint state) throws IOException {
    save(workDir, TrainableWeights.of(model), optimizer, state);
  }

  /**
   * Saves a checkpoint of any trained weights.
   *
   * @param workDir the work directory
   * @param weights the weights to save
   * @param optimizer the optimizer whose state to save
   * @param state the counters
   * @throws IOException if writing fails
   */
  public static void save(Path workDir, TrainableWeights weights, AdamW optimizer, Checkpoint state)
      throws IOException {
    Path target = workDir.resolve(DIR);
    Path tmp = workDir.resolve(DIR + ".tmp");
    Path old = workDir.resolve(DIR + ".old");
    AtomicFiles.deleteRecursively(tmp);
    Files.createDirectories(tmp);
    weights.save(tmp.resolve(WEIGHTS));
    optimizer.save(tmp.resolve(OPTIMIZER));
    Files.writeString(tmp.resolve(STATE), GSON.toJson(state), StandardCharsets.UTF_8);
    AtomicFiles.deleteRecursively(old);
    if (Files.exists(target)) {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    AtomicFiles.deleteRecursively(old);
  }

  /**
   * Loads the checkpoint of a work directory into a model and optimizer, if there is one.
   *
   * @param workDir the work directory
   * @param model the model to restore
   * @param optimizer the optimizer to restore
   * @return the counters, or empty when the directory holds no checkpoint
   * @throws IOException if a checkpoint exists but cannot be read
   */
  public static Optional<Checkpoint> load(Path workDir, CausalLm model, AdamW optimizer) throws IOException {
    return load(workDir, TrainableWeights.of(model), optimizer);
  }

  /**
   * Loads the checkpoint of a work directory into any trained weights and their optimizer, if there is one.
   *
   * @param workDir the work directory
   * @param weights the weights to restore
   * @param optimizer the optimizer to restore
   * @return the counters, or empty when the directory holds no checkpoint
   * @throws IOException if a checkpoint exists but cannot be read
   */
  public static Optional<Checkpoint> load(Path workDir, TrainableWeights weights, AdamW optimizer)
      throws IOException {
    Path dir = workDir.resolve(DIR);
    if (!Files.isDirectory(dir)) {
      Path old = workDir.resolve(DIR + ".old");
      if (!Files.isDirectory(old)) {
        return Optional.empty();
      }
      dir = old; // a crash between the two renames: the previous checkpoint is whole
    }
    Path stateFile = dir.resolve(STATE);
    Checkpoint state;
    try {
      state = GSON.fromJson(Files.readString(stateFile, StandardCharsets.UTF_8), Checkpoint.class);
    } catch (JsonParseException e) {
      throw new IOException(stateFile + ": malformed trainer state: " + e.getMessage(), e);
    }
    if (state == null) {
      throw new IOException(stateFile + ": empty trainer state");
    }
    weights.load(dir.resolve(WEIGHTS));
    optimizer.load(dir.resolve(OPTIMIZER));
    return Optional.of(state);
  }

}
