package io.github.sipf4j.orpo.lora;

import ai.djl.Device;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.AdaptableLm;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.model.LoadOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PEFT adapter folders as a model kind of {@link io.github.sipf4j.orpo.model.CausalLms}: a folder with {@value
 * LoraModel#CONFIG_FILE} loads as a {@link LoraModel} on the base model its {@code base_model_name_or_path} names
 * ({@link LoraModel#load(Path, Device, LoadOptions)}; the options apply to the base). Every such folder is recognised,
 * so that an adapter sipf4j cannot load gets {@link LoraModel}'s error naming the field rather than "no model found".
 *
 * <p>{@link #onBase(AdaptableLm)} makes a kind of the same name that puts every adapter folder it loads on one base
 * model already in memory, {@linkplain LoraModel#sharingBase() shared}: a run that trains adapters keeps a single
 * frozen base however many adapters it loads (each iteration's policy, a process reward model's backbone).
 *
 * <pre>{@code
 * CausalLmKind kind = LoraKind.onBase(policy.base());
 * try (CausalLm earlier = kind.load(Path.of("runs/sipf/iteration-01/policy"), policy.getDevice())) { ... }
 * }</pre>
 */
public final class LoraKind implements CausalLmKind {

  /** The kind's name. */
  public static final String NAME = "lora";

  private final AdaptableLm sharedBase;

  /** Creates the kind (for {@link java.util.ServiceLoader} and {@link io.github.sipf4j.orpo.model.CausalLms}). */
  public LoraKind() {
    this(null);
  }

  private LoraKind(AdaptableLm sharedBase) {
    this.sharedBase = sharedBase;
  }

  /**
   * Returns a kind, named {@value #NAME} too, that loads adapter folders onto a base model in memory instead of the
   * base their {@code base_model_name_or_path} names. Each model it loads {@linkplain LoraModel#sharingBase() shares}
   * the base (closing it releases the adapters alone) and keeps the folder's {@code base_model_name_or_path} as its
   * {@linkplain LoraModel#baseReference(String) base reference}, so saving it again names the same base. The
   * recorded base name is not compared with the base's (the caller says which base the adapters belong to); every
   * tensor's key and shape are checked as {@link LoraModel#load(AdaptableLm, Path, boolean)} checks them.
   *
   * @param base the base model; it stays the caller's and must outlive every model the kind loads
   * @return the kind
   */
  public static LoraKind onBase(AdaptableLm base) {
    return new LoraKind(Preconditions.checkNotNull(base, "base"));
  }

  /**
   * Returns the base model this kind puts adapters on, when it was made by {@link #onBase(AdaptableLm)}.
   *
   * @return the shared base, or null when adapters are loaded with the base their folder names
   */
  public AdaptableLm sharedBase() {
    return sharedBase;
  }

  /** {@inheritDoc} */
  @Override
  public String name() {
    return NAME;
  }

  /** {@inheritDoc} */
  @Override
  public boolean recognises(Path dir) {
    return Files.isRegularFile(dir.resolve(LoraModel.CONFIG_FILE));
  }

  /**
   * Loads an adapter folder with the base its {@code base_model_name_or_path} names, or onto the {@linkplain
   * #sharedBase() shared base}.
   *
   * @param dir an adapter folder
   * @param device where the parameters will live (the shared base's device, when there is one)
   * @return the model; the caller closes it
   * @throws IOException if a file is missing or malformed, the adapter does not fit the base, or the device is not
   *     the shared base's
   */
  @Override
  public CausalLm load(Path dir, Device device) throws IOException {
    if (sharedBase == null) {
      return LoraModel.load(dir, device);
    }
    if (!sharedBase.getDevice().equals(device)) {
      throw new IOException(dir + ": the shared base model lives on " + sharedBase.getDevice() + ", not on "
          + device);
    }
    String reference = AdapterConfigFile.read(dir.resolve(LoraModel.CONFIG_FILE)).baseModelNameOrPath();
    return LoraModel.load(sharedBase, dir, false).sharingBase().baseReference(reference);
  }

  /**
   * Loads an adapter folder with its base loaded with the given options; onto the {@linkplain #sharedBase() shared
   * base} the options have no effect (that base is loaded already).
   *
   * @param dir an adapter folder
   * @param device where the parameters will live
   * @param options the base's parameter type
   * @return the model; the caller closes it
   * @throws IOException if a file is missing or malformed, or the adapter does not fit the base
   */
  @Override
  public CausalLm load(Path dir, Device device, LoadOptions options) throws IOException {
    return sharedBase == null ? LoraModel.load(dir, device, options) : load(dir, device);
  }
}
