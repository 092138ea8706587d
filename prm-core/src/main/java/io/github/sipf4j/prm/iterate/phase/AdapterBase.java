package io.github.sipf4j.prm.iterate.phase;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.common.base.Preconditions;
import com.google.gson.reflect.TypeToken;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.AdaptableLm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The frozen base of a policy that trains LoRA adapters ({@link LoraModel}) in a run. Every policy the run saves is an
 * adapter folder whose {@code base_model_name_or_path} names the base's folder, so the base has to be on disk once: a
 * base loaded from a folder (or one the {@linkplain LoraModel#baseReference(String) base reference} names) is
 * referred to where it is, and a base made in memory is saved once to {@value #DIR} in the work directory.
 * {@value #FILE} records that folder and a fingerprint of the base's parameters (a CRC-32C of every parameter's
 * bytes, by name); a resumed run checks that its base still has that fingerprint, so that adapters are never put on
 * another base than the one they were trained on.
 */
public final class AdapterBase {

  /** The folder, inside the work directory, holding a base made in memory. */
  public static final String DIR = "base-model";

  /** The file, inside the work directory, naming the base's folder and its fingerprint. */
  public static final String FILE = "base-model.json";

  private AdapterBase() {}

  /**
   * Makes sure the policy's base is saved and that the policy's adapter folders name it: on a fresh run it refers to
   * the base's own folder or saves the base to {@value #DIR}, and records the folder and fingerprint in {@value
   * #FILE}; on a resumed run it checks the fingerprint. Either way it sets the policy's {@linkplain
   * LoraModel#baseReference(String) base reference} to the folder's absolute path.
   *
   * @param store the run's store
   * @param policy the policy; its base reference is set
   * @return the base's folder
   * @throws IOException if the base cannot be saved or {@value #FILE} cannot be read or written
   * @throws IllegalStateException if the run was started on a base with other parameters
   */
  public static Path prepare(ArtefactStore store, LoraModel policy) throws IOException {
    Preconditions.checkArgument(!policy.isMerged(), "the policy's adapters are merged into its base: unmerge them "
        + "before training");
    String fingerprint = fingerprint(policy.base());
    Path folder;
    if (store.exists(FILE)) {
      Map<String, String> r = store.readJson(FILE, new TypeToken<LinkedHashMap<String, String>>() {}.getType());
      if (r.get("folder") == null || r.get("fingerprint") == null) {
        throw new DataFormatException(store.location(FILE), 1, null, "needs the fields \"folder\" and "
            + "\"fingerprint\"");
      }
      Preconditions.checkState(fingerprint.equals(r.get("fingerprint")), "%s: the policy's base model has other "
          + "parameters than the base this run started with (fingerprint %s, recorded %s, of %s); resume with the "
          + "same base, or use another work directory", store.location(FILE), fingerprint, r.get("fingerprint"),
          r.get("folder"));
      folder = Path.of(r.get("folder"));
    } else {
      folder = ownFolder(policy);
      if (folder == null) {
        store.writeDirectory(DIR, policy.base()::save);
        folder = store.location(DIR).toAbsolutePath().normalize();
      }
      Map<String, String> record = new LinkedHashMap<>();
      record.put("folder", folder.toString());
      record.put("fingerprint", fingerprint);
      store.writeJson(FILE, record);
    }
    policy.baseReference(folder.toString());
    return folder;
  }

  /** The folder the policy's base is saved in already, or null. */
  private static Path ownFolder(LoraModel policy) {
    String name = policy.baseModelNameOrPath().orElse(null);
    if (name == null || name.isBlank()) {
      return null;
    }
    Path p = Path.of(name);
    return Files.isDirectory(p) ? p.toAbsolutePath().normalize() : null;
  }

  /**
   * Returns a fingerprint of a model's parameters: a CRC-32C over every parameter's name, type, shape and bytes.
   *
   * @param base the model
   * @return eight hexadecimal digits
   */
  static String fingerprint(AdaptableLm base) {
    CRC32C crc = new CRC32C();
    for (Pair<String, Parameter> p : base.getBlock().getParameters()) {
      NDArray a = p.getValue().getArray();
      crc.update((p.getKey() + a.getDataType() + a.getShape()).getBytes(StandardCharsets.UTF_8));
      if (a.getDevice().equals(Device.cpu())) {
        crc.update(a.toByteBuffer());
      } else {
        try (NDArray host = a.toDevice(Device.cpu(), true)) {
          crc.update(host.toByteBuffer());
        }
      }
    }
    return String.format(Locale.ROOT, "%08x", crc.getValue());
  }
}
