package io.github.sipf4j.orpo.model.hf;

import com.google.gson.JsonObject;

/**
 * How rotary position embeddings are scaled: {@code config.json}'s {@code rope_scaling} (Transformers 4) or {@code
 * rope_parameters} (Transformers 5). Supported types: none ({@code "default"} or an absent field), {@code "linear"}
 * (every inverse frequency divided by {@code factor}) and {@code "llama3"} (Llama 3.1's wavelength-dependent
 * division with smoothing between {@code low_freq_factor} and {@code high_freq_factor} around {@code
 * original_max_position_embeddings}). Other types ({@code dynamic}, {@code yarn}, {@code longrope}, ...) fail at
 * load with the field, its value and this list.
 *
 * @param type the scaling type
 * @param factor the division factor ({@code linear}, {@code llama3}); 1 for none
 * @param lowFreqFactor {@code llama3}'s {@code low_freq_factor}; 0 otherwise
 * @param highFreqFactor {@code llama3}'s {@code high_freq_factor}; 0 otherwise
 * @param originalMaxPositionEmbeddings {@code llama3}'s {@code original_max_position_embeddings}; 0 otherwise
 */
public record RopeScaling(
    Type type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {

  /** The supported scaling types. */
  public enum Type {
    /** No scaling ({@code "default"}). */
    NONE,
    /** Inverse frequencies divided by the factor. */
    LINEAR,
    /** Llama 3.1's scaling. */
    LLAMA3
  }

  /** No scaling. */
  public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1, 0, 0, 0);

  /**
   * Reads the scaling of a config: {@code rope_parameters} when present, else {@code rope_scaling}; the type comes
   * from {@code rope_type} or, in older files, {@code type}.
   */
  static RopeScaling read(ConfigReader r) throws HfFormatException {
    String key = r.isSet("rope_parameters") ? "rope_parameters" : "rope_scaling";
    JsonObject o = r.object(key);
    if (o == null) {
      return NONE;
    }
    String typeKey = o.has("rope_type") ? "rope_type" : "type";
    String type = o.has(typeKey) && !o.get(typeKey).isJsonNull() ? o.get(typeKey).getAsString() : "default";
    switch (type) {
      case "default":
        return NONE;
      case "linear":
        return new RopeScaling(Type.LINEAR, positive(r, o, key, "factor"), 0, 0, 0);
      case "llama3": {
        double factor = positive(r, o, key, "factor");
        double low = positive(r, o, key, "low_freq_factor");
        double high = positive(r, o, key, "high_freq_factor");
        double original = positive(r, o, key, "original_max_position_embeddings");
        if (high <= low) {
          throw r.error(key + ".high_freq_factor", "must exceed low_freq_factor (" + low + "), got " + high);
        }
        return new RopeScaling(Type.LLAMA3, factor, low, high, (int) original);
      }
      default:
        throw r.unsupported(key + "." + typeKey, "\"" + type + "\"",
            "none, \"default\", \"linear\", \"llama3\"");
    }
  }

  private static double positive(ConfigReader r, JsonObject o, String key, String field) throws HfFormatException {
    double v = r.number(o, field, key + "." + field);
    if (v <= 0) {
      throw r.error(key + "." + field, "must be positive, got " + v);
    }
    return v;
  }

  /**
   * Computes the inverse frequencies of the rotated dimensions as Hugging Face does, in float32:
   * \( f_i = 1 / \theta^{2i/d} \) for \( i \lt d/2 \), then scaled by this type.
   *
   * @param rotaryDim the number of rotated dimensions per head \( d \) (even)
   * @param theta the base \( \theta \) ({@code rope_theta})
   * @return the \( d/2 \) inverse frequencies
   */
  public float[] inverseFrequencies(int rotaryDim, double theta) {
    float[] inv = new float[rotaryDim / 2];
    for (int i = 0; i < inv.length; i++) {
      float exponent = (float) (2 * i) / (float) rotaryDim;
      inv[i] = 1.0f / (float) Math.pow(theta, exponent);
      if (type == Type.LINEAR) {
        inv[i] = inv[i] / (float) factor;
      } else if (type == Type.LLAMA3) {
        inv[i] = llama3(inv[i]);
      }
    }
    return inv;
  }

  private float llama3(float inv) {
    float f = (float) factor;
    float lowWavelength = (float) (originalMaxPositionEmbeddings / lowFreqFactor);
    float highWavelength = (float) (originalMaxPositionEmbeddings / highFreqFactor);
    float wavelength = (float) (2 * Math.PI) / inv;
    float scaled = wavelength > lowWavelength ? inv / f : inv;
    boolean medium = !(wavelength < highWavelength) && !(wavelength > lowWavelength);
    if (!medium) {
      return scaled;
    }
    float smooth = ((float) originalMaxPositionEmbeddings / wavelength - (float) lowFreqFactor)
        / ((float) highFreqFactor - (float) lowFreqFactor);
    return (1 - smooth) * scaled / f + smooth * scaled;
  }
}
