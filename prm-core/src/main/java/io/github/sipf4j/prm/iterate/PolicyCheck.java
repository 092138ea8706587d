package io.github.sipf4j.prm.iterate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks {@code build()} makes on a model before a run trusts it for days: that {@code forward} keeps
 * {@link CausalLm}'s contract on a small left-padded batch, and that the model saves and reloads (through its
 * {@link CausalLmKind}) to the same parameters, so that every phase, and a resumed run, can load it again.
 */
final class PolicyCheck {

  private PolicyCheck() {}

  /**
   * Runs {@code forward} once on a left-padded (2, 3) batch and checks the output's shape and type.
   *
   * @param what the model's role, for messages ("the policy")
   * @param lm the model
   * @param bos a token id to feed (the tokenizer's BOS)
   * @param pad the padding id
   * @return the problem, or null when the output is (2, 3, vocab) float32
   */
  static String forwardProblem(String what, CausalLm lm, long bos, long pad) {
    int vocab = lm.vocabSize();
    if (vocab < 1 || lm.maxLength() < 3) {
      return what + " has vocabSize " + vocab + " and maxLength " + lm.maxLength() + "; both must be usable (at "
          + "least 1 and 3)";
    }
    long tok = Math.floorMod(bos, vocab);
    long padId = Math.floorMod(pad, vocab);
    long other = Math.min(vocab - 1, tok + 1);
    Shape expected = new Shape(2, 3, vocab);
    try (NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(new long[] {padId, tok, other, tok, other, tok}, new Shape(2, 3));
      NDArray mask = m.create(new long[] {0, 1, 1, 1, 1, 1}, new Shape(2, 3));
      NDArray out = lm.forward(ids, mask, false);
      if (out == null) {
        return what + ": forward returned null; CausalLm's contract is logits of shape (batch, time, vocab) = "
            + expected + ", float32";
      }
      if (!out.getShape().equals(expected) || out.getDataType() != DataType.FLOAT32) {
        return what + " (" + lm.getClass().getSimpleName() + "): forward on input ids and attention mask of shape "
            + "(2, 3) returned " + out.getDataType().name().toLowerCase(java.util.Locale.ROOT) + " logits of shape "
            + out.getShape() + "; CausalLm's contract is (batch, time, vocab) = " + expected + ", float32";
      }
      return null;
    } catch (RuntimeException e) {
      return what + " (" + lm.getClass().getSimpleName() + "): forward failed on input ids and attention mask of "
          + "shape (2, 3) (int64, left-padded): " + e;
    }
  }

  /**
   * Saves the model into a temporary directory, loads it back with its kind and compares every parameter.
   *
   * @param what the model's role, for messages
   * @param lm the model
   * @param given a kind handed over by the caller, used before the registered ones, or null
   * @param near a directory beside which the temporary one is made (the work directory's parent), or null for the
   *     system's temporary directory
   * @param problems where a problem is added
   * @return the kind that reloads the model, or null after a problem
   */
  static CausalLmKind reloadKind(String what, CausalLm lm, CausalLmKind given, Path near, List<String> problems) {
    Path tmp = null;
    try {
      tmp = near != null && Files.isDirectory(near) ? Files.createTempDirectory(near, ".sipf4j-model-check-")
          : Files.createTempDirectory("sipf4j-model-check-");
      lm.save(tmp);
      CausalLmKind kind = given != null ? given : CausalLms.recognise(tmp);
      try (CausalLm again = kind.load(tmp, lm.getDevice())) {
        String mismatch = compare(lm, again);
        if (mismatch != null) {
          problems.add(what + " (" + lm.getClass().getSimpleName() + ") saved and reloaded by model kind '"
              + kind.name() + "' differs: " + mismatch + "; its save and its kind's load must round-trip every "
              + "parameter");
          return null;
        }
      }
      return kind;
    } catch (IOException | RuntimeException e) {
      problems.add(what + " (" + lm.getClass().getSimpleName() + ") cannot be saved and loaded again, which every "
          + "phase and every resume needs: " + e.getMessage() + ". Register a CausalLmKind for its folders in "
          + "META-INF/services/" + CausalLmKind.class.getName() + ", or hand one over with "
          + (what.startsWith("the simulator") ? "simulatorKind" : "policyKind") + "(CausalLmKind)");
      return null;
    } finally {
      if (tmp != null) {
        try {
          AtomicFiles.deleteRecursively(tmp);
        } catch (IOException e) {
          problems.add("cannot delete the temporary directory " + tmp + ": " + e.getMessage());
        }
      }
    }
  }

  /** Returns the first difference of parameter names, shapes or values, or null. */
  private static String compare(CausalLm a, CausalLm b) {
    Map<String, Parameter> theirs = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : b.getBlock().getParameters()) {
      theirs.put(p.getKey(), p.getValue());
    }
    for (Pair<String, Parameter> p : a.getBlock().getParameters()) {
      Parameter q = theirs.get(p.getKey());
      if (q == null) {
        return "parameter '" + p.getKey() + "' is missing after loading";
      }
      NDArray x = p.getValue().getArray();
      NDArray y = q.getArray();
      if (!x.getShape().equals(y.getShape())) {
        return "parameter '" + p.getKey() + "' has shape " + x.getShape() + " before and " + y.getShape() + " after";
      }
      try (NDArray yHere = y.toDevice(x.getDevice(), true).toType(x.getDataType(), true)) {
        if (!x.contentEquals(yHere)) {
          return "parameter '" + p.getKey() + "' holds other values after loading";
        }
      }
    }
    return null;
  }
}
