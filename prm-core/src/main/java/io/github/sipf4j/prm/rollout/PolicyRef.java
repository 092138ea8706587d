package io.github.sipf4j.prm.rollout;

import ai.djl.Device;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A saved policy, named by what it takes to load it again anywhere: its directory (as written by
 * {@link CausalLm#save} with the tokenizer beside it), the {@linkplain CausalLmKind#name() name of its model kind}
 * and its tokenizer's special ids. It holds no live object, so it travels to other processes and machines.
 *
 * <pre>{@code
 * PolicyRef ref = PolicyRef.of(Path.of("runs/sipf/iteration-01/policy"), "decoder", tokenizer);
 * try (CausalLm lm = ref.load(Device.cpu(), List.of()); TextTokenizer tok = ref.loadTokenizer()) { ... }
 * }</pre>
 *
 * @param directory the model directory, as a path string
 * @param kind the name of the model kind that loads it: a kind registered with {@link CausalLms} or one handed to
 *     {@link #load(Device, Collection)}
 * @param bosId the tokenizer's beginning-of-sequence id
 * @param eosId the tokenizer's end-of-sequence id
 * @param padId the tokenizer's padding id
 */
public record PolicyRef(String directory, String kind, long bosId, long eosId, long padId) implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Validates the reference.
   *
   * @param directory the {@code directory} component (see the record)
   * @param kind the {@code kind} component (see the record)
   * @param bosId the {@code bosId} component (see the record)
   * @param eosId the {@code eosId} component (see the record)
   * @param padId the {@code padId} component (see the record)
   */
  public PolicyRef {
    Preconditions.checkArgument(directory != null && !directory.isBlank(), "a policy reference needs a directory");
    Preconditions.checkArgument(kind != null && !kind.isBlank(), "a policy reference needs a model kind");
  }

  /**
   * Refers to a saved policy.
   *
   * @param dir the model directory
   * @param kind the model kind's name
   * @param tokenizer the tokenizer saved beside the model (its special ids are recorded)
   * @return the reference
   */
  public static PolicyRef of(Path dir, String kind, TextTokenizer tokenizer) {
    return new PolicyRef(dir.toString(), kind, tokenizer.bosId(), tokenizer.eosId(), tokenizer.padId());
  }

  /**
   * Returns the directory.
   *
   * @return the model directory
   */
  public Path path() {
    return Path.of(directory);
  }

  /**
   * Finds the kind that loads this policy: among {@code extraKinds} first, then among the registered kinds.
   *
   * @param extraKinds kinds handed over by the caller (not registered through {@code ServiceLoader}); may be empty
   * @return the kind
   * @throws IOException if no kind has this reference's name; the message lists the kinds known here
   */
  public CausalLmKind resolveKind(Collection<CausalLmKind> extraKinds) throws IOException {
    for (CausalLmKind k : extraKinds) {
      if (k.name().equals(kind)) {
        return k;
      }
    }
    var registered = CausalLms.kind(kind);
    if (registered.isPresent()) {
      return registered.get();
    }
    Set<String> known = new LinkedHashSet<>();
    extraKinds.forEach(k -> known.add(k.name()));
    CausalLms.kinds().forEach(k -> known.add(k.name()));
    throw new IOException(directory + ": no model kind named '" + kind + "' here (known: " + String.join(", ", known)
        + "); register it in META-INF/services/" + CausalLmKind.class.getName() + " where this policy is loaded");
  }

  /**
   * Loads the policy.
   *
   * @param device where the parameters will live
   * @param extraKinds kinds handed over by the caller, tried before the registered ones; may be empty
   * @return the model; the caller closes it
   * @throws IOException if the kind is unknown or the directory cannot be loaded; the message names the directory
   */
  public CausalLm load(Device device, Collection<CausalLmKind> extraKinds) throws IOException {
    CausalLmKind k = resolveKind(extraKinds);
    try {
      return k.load(path(), device);
    } catch (IOException | RuntimeException e) {
      throw new IOException(directory + ": model kind '" + kind + "' cannot load it: " + e.getMessage(), e);
    }
  }

  /**
   * Loads the tokenizer saved beside the model, with this reference's special ids. When the folder's own
   * special-token configuration (a Hugging Face folder's) names the same ids, it is kept whole: every EOS id of its
   * generation config still ends a sample, and a tokenizer without BOS (Qwen's) still adds none.
   *
   * @return the tokenizer; the caller closes it
   * @throws IOException if the tokenizer file is missing or malformed
   */
  public TextTokenizer loadTokenizer() throws IOException {
    // A model folder's own special-token configs carry more than three ids (every EOS id of generation_config.json,
    // whether BOS is added at all): use them when they agree with the recorded ids.
    if (Files.isDirectory(path())) {
      TextTokenizer own = null;
      try {
        own = TextTokenizer.fromFile(path());
      } catch (IOException | RuntimeException e) {
        // fall through to the recorded ids
      }
      if (own != null) {
        if (own.bosId() == bosId && own.eosId() == eosId && own.padId() == padId) {
          return own;
        }
        own.close();
      }
    }
    return TextTokenizer.fromFile(path(), bosId, eosId, padId);
  }
}
