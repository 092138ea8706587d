package io.github.sipf4j.prm.iterate.phase;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.util.InPlace;
import io.github.sipf4j.prm.rollout.PolicyRef;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy a run trains, in memory, and which saved weights it holds. Policies are saved and loaded only through
 * the model's own {@link CausalLm#save} and its {@link CausalLmKind}: no file name is assumed. Restoring saved weights
 * into the policy loads them with the kind and copies every parameter of {@link CausalLm#getBlock()} by name, so the
 * caller's policy object keeps being the one that trains.
 */
public final class PolicyState {

  /** The file that marks a saved policy folder complete; it also names the model kind. */
  public static final String SAVED_FILE = "saved.json";

  private final CausalLm policy;
  private final TextTokenizer tokenizer;
  private final CausalLmKind kind;
  private final List<CausalLmKind> extraKinds;
  private PolicyRef holds;

  /**
   * Creates the state of a policy whose weights are not known to be saved anywhere.
   *
   * @param policy the policy (the caller's; never closed here)
   * @param tokenizer its tokenizer, saved beside every policy
   * @param kind the kind that loads the folders {@code policy.save} writes
   * @param extraKinds kinds handed to the run (not registered), tried before the registered ones
   */
  public PolicyState(CausalLm policy, TextTokenizer tokenizer, CausalLmKind kind, List<CausalLmKind> extraKinds) {
    this.policy = Preconditions.checkNotNull(policy, "policy");
    this.tokenizer = Preconditions.checkNotNull(tokenizer, "tokenizer");
    this.kind = Preconditions.checkNotNull(kind, "kind");
    this.extraKinds = List.copyOf(extraKinds);
  }

  /**
   * Returns the policy object.
   *
   * @return the policy, holding whatever weights it holds now
   */
  public CausalLm policy() {
    return policy;
  }

  /**
   * Returns the tokenizer.
   *
   * @return the tokenizer
   */
  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * Returns the device of the policy's parameters.
   *
   * @return the device
   */
  public Device device() {
    return policy.getDevice();
  }

  /**
   * Returns the model kinds handed to the run.
   *
   * @return the kinds tried before the registered ones
   */
  public List<CausalLmKind> extraKinds() {
    return extraKinds;
  }

  /**
   * Refers to a policy folder of this run.
   *
   * @param store the store
   * @param name the folder's name
   * @return the reference (this policy's kind and tokenizer ids)
   */
  public PolicyRef ref(ArtefactStore store, String name) {
    return PolicyRef.of(store.location(name), kind.name(), tokenizer);
  }

  /**
   * Tells whether a policy folder was saved completely.
   *
   * @param store the store
   * @param name the folder's name
   * @return true when its {@value #SAVED_FILE} exists
   * @throws IOException if the store cannot be read
   */
  public static boolean isSaved(ArtefactStore store, String name) throws IOException {
    return store.exists(name + "/" + SAVED_FILE);
  }

  /**
   * Saves the policy with its tokenizer as a folder artefact, atomically, and remembers that it holds these weights.
   *
   * @param store the store
   * @param name the folder's name
   * @return the reference to the saved policy
   * @throws IOException if writing fails
   */
  public PolicyRef save(ArtefactStore store, String name) throws IOException {
    store.writeDirectory(name, dir -> {
      policy.save(dir);
      tokenizer.save(dir);
      Map<String, Object> saved = new LinkedHashMap<>();
      saved.put("complete", true);
      saved.put("kind", kind.name());
      io.github.sipf4j.orpo.util.AtomicFiles.writeString(dir.resolve(SAVED_FILE), Json.PRETTY.toJson(saved) + "\n");
    });
    holds = ref(store, name);
    return holds;
  }

  /**
   * Makes the policy hold a saved policy's weights: nothing happens when it already does; otherwise the folder is
   * loaded by its kind and every parameter copied into the policy.
   *
   * @param ref the saved policy
   * @return the policy, holding those weights
   * @throws IOException if the folder cannot be loaded or its parameters do not match the policy's
   */
  public CausalLm restore(PolicyRef ref) throws IOException {
    if (!ref.equals(holds)) {
      holds = null;
      try (CausalLm saved = load(ref)) {
        copyParameters(saved, policy, ref);
      }
      holds = ref;
    }
    return policy;
  }

  /**
   * Loads a saved policy as a new model (for a PRM backbone, say), leaving the policy as it is.
   *
   * @param ref the saved policy
   * @return the model; the caller closes it
   * @throws IOException if the folder cannot be loaded
   */
  public CausalLm load(PolicyRef ref) throws IOException {
    return ref.load(policy.getDevice(), extraKinds);
  }

  /**
   * Tells the state that the policy's weights are about to change (training): it holds no saved weights any more.
   */
  public void modified() {
    holds = null;
  }

  /**
   * Returns the saved policy whose weights the policy holds.
   *
   * @return the reference, or null when unknown
   */
  public PolicyRef holds() {
    return holds;
  }

  /**
   * Copies every parameter of one model into another of the same architecture, by name.
   *
   * @param from the source
   * @param to the target, overwritten in place
   * @param source what the source is, for messages
   * @throws IOException if a parameter is missing from the source or has another shape
   */
  static void copyParameters(CausalLm from, CausalLm to, PolicyRef source) throws IOException {
    Map<String, Parameter> loaded = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : from.getBlock().getParameters()) {
      loaded.put(p.getKey(), p.getValue());
    }
    for (Pair<String, Parameter> p : to.getBlock().getParameters()) {
      Parameter src = loaded.get(p.getKey());
      if (src == null) {
        throw new IOException(source.directory() + ": the model loaded by kind '" + source.kind() + "' has no "
            + "parameter '" + p.getKey() + "' (it has " + loaded.keySet() + ")");
      }
      if (!src.getArray().getShape().equals(p.getValue().getArray().getShape())) {
        throw new IOException(source.directory() + ": parameter '" + p.getKey() + "' has shape "
            + src.getArray().getShape() + " there and " + p.getValue().getArray().getShape() + " in the policy");
      }
      InPlace.copy(p.getValue().getArray(), src.getArray());
    }
  }
}
