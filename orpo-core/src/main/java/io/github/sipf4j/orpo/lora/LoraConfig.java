package io.github.sipf4j.orpo.lora;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The settings of a LoRA adapter (Hu et al. 2021), field for field PEFT's {@code LoraConfig} as {@code
 * adapter_config.json} stores it: each targeted projection \( y = x W^\top + b \) of a base model becomes \( y = x
 * W^\top + b + s \cdot \mathrm{drop}(x) A^\top B^\top \) with \( A \) of shape (r, in), \( B \) of shape (out, r) and
 * \( s = \alpha / r \), or \( \alpha / \sqrt{r} \) with rank-stabilised scaling (rsLoRA, Kalajdzievski 2023).
 *
 * <p>Which projections are adapted follows PEFT's rules on module paths such as {@code
 * model.layers.3.self_attn.q_proj}: a name in {@link #targetModules()} matches a path equal to it or ending in
 * {@code .NAME} ({@code q_proj}, or {@code attn.qkv} for a {@link io.github.sipf4j.orpo.model.DecoderLm}); {@value
 * #ALL_LINEAR} matches every projection the model offers (never the output head); a {@link #targetModulesRegex()}
 * must match the whole path; {@link #excludeModules()} removes paths by the same rules; {@link #layersToTransform()}
 * keeps only the layers with those indices. {@link #rankPattern()} and {@link #alphaPattern()} give some projections
 * another rank or alpha: the first key {@code K} (in order) for which the path matches {@code (.*\.)?(K)$} wins.
 *
 * <p>The defaults, named once here: {@code r} = {@value #DEFAULT_R}, {@code lora_alpha} = {@value
 * #DEFAULT_ALPHA} (PEFT's), no dropout, every projection ({@value #ALL_LINEAR}; PEFT would pick {@code q_proj} and
 * {@code v_proj}), no rank stabilisation, every layer, {@link LoraInit#KAIMING_UNIFORM}. The paper's policy adapter
 * is {@code r(256).loraAlpha(128).loraDropout(0.05).targetModules("q_proj", "k_proj", "v_proj", "o_proj",
 * "gate_proj", "up_proj", "down_proj")}.
 *
 * <pre>{@code
 * LoraConfig config = LoraConfig.builder().r(16).loraAlpha(32).loraDropout(0.05)
 *     .targetModules("q_proj", "v_proj").build();
 * }</pre>
 *
 * @param r the rank \( r \) of every adapter (unless {@link #rankPattern()} says otherwise)
 * @param loraAlpha \( \alpha \) (unless {@link #alphaPattern()} says otherwise)
 * @param loraDropout the dropout probability on each adapter's input while training, in [0, 1)
 * @param targetModules module names (or {@value #ALL_LINEAR}); empty when {@link #targetModulesRegex()} is set
 * @param targetModulesRegex a regular expression matching whole module paths, or null
 * @param excludeModules module names never adapted
 * @param useRslora whether \( s = \alpha / \sqrt{r} \) instead of \( \alpha / r \)
 * @param layersToTransform the layer indices to adapt; empty for all
 * @param layersPattern the names of the layer lists in module paths ({@code layers}, {@code h}) used with {@link
 *     #layersToTransform()}; empty for any
 * @param rankPattern ranks of particular projections, by pattern, in order
 * @param alphaPattern alphas of particular projections, by pattern, in order
 * @param init how a fresh adapter starts
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, List<String> targetModules,
    String targetModulesRegex, List<String> excludeModules, boolean useRslora, List<Integer> layersToTransform,
    List<String> layersPattern, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern, LoraInit init) {

  /** PEFT's name for "every dense projection except the output head". */
  public static final String ALL_LINEAR = "all-linear";

  /** The default rank, PEFT's. */
  public static final int DEFAULT_R = 8;

  /** The default alpha, PEFT's. */
  public static final double DEFAULT_ALPHA = 8;

  /** PEFT's layer index in a module path when no {@link #layersPattern()} is given: {@code ...NAME.INDEX.}. */
  private static final Pattern ANY_LAYER = Pattern.compile("(?:.*\\.)?[^.]+\\.(\\d+)\\..*");

  /**
   * Checks and copies the settings.
   *
   * @param r the rank
   * @param loraAlpha alpha
   * @param loraDropout the dropout probability
   * @param targetModules module names
   * @param targetModulesRegex a regular expression over module paths, or null
   * @param excludeModules module names never adapted
   * @param useRslora rank-stabilised scaling
   * @param layersToTransform layer indices; empty for all
   * @param layersPattern layer list names; empty for any
   * @param rankPattern ranks by pattern
   * @param alphaPattern alphas by pattern
   * @param init how a fresh adapter starts
   * @throws IllegalArgumentException if a value is out of range, both or neither of the target forms are given, or a
   *     regular expression does not compile
   */
  public LoraConfig {
    Preconditions.checkArgument(r > 0, "r must be positive, got %s", r);
    Preconditions.checkArgument(Double.isFinite(loraAlpha) && loraAlpha > 0, "lora_alpha must be positive, got %s",
        loraAlpha);
    Preconditions.checkArgument(loraDropout >= 0 && loraDropout < 1, "lora_dropout must be in [0, 1), got %s",
        loraDropout);
    targetModules = List.copyOf(Preconditions.checkNotNull(targetModules, "targetModules"));
    Preconditions.checkArgument(targetModules.isEmpty() != (targetModulesRegex == null),
        "give either target module names or a target regular expression");
    if (targetModulesRegex != null) {
      compile(targetModulesRegex, "target_modules");
    }
    excludeModules = List.copyOf(Preconditions.checkNotNull(excludeModules, "excludeModules"));
    layersToTransform = List.copyOf(Preconditions.checkNotNull(layersToTransform, "layersToTransform"));
    layersToTransform.forEach(i -> Preconditions.checkArgument(i >= 0, "layer indices must be >= 0, got %s", i));
    layersPattern = List.copyOf(Preconditions.checkNotNull(layersPattern, "layersPattern"));
    rankPattern = Collections.unmodifiableMap(new LinkedHashMap<>(rankPattern));
    rankPattern.forEach((k, v) -> {
      compile(k, "rank_pattern");
      Preconditions.checkArgument(v != null && v > 0, "rank_pattern %s: the rank must be positive, got %s", k, v);
    });
    alphaPattern = Collections.unmodifiableMap(new LinkedHashMap<>(alphaPattern));
    alphaPattern.forEach((k, v) -> {
      compile(k, "alpha_pattern");
      Preconditions.checkArgument(v != null && Double.isFinite(v) && v > 0,
          "alpha_pattern %s: alpha must be positive, got %s", k, v);
    });
    Preconditions.checkNotNull(init, "init");
  }

  private static Pattern compile(String regex, String what) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(what + ": not a regular expression: " + regex + " (" + e.getDescription()
          + ")", e);
    }
  }

  /**
   * Returns the defaults.
   *
   * @return the default settings
   */
  public static LoraConfig defaults() {
    return builder().build();
  }

  /**
   * Returns a builder holding the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding these settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.r = r;
    b.loraAlpha = loraAlpha;
    b.loraDropout = loraDropout;
    b.targetModules = new ArrayList<>(targetModules);
    b.targetModulesRegex = targetModulesRegex;
    b.excludeModules = new ArrayList<>(excludeModules);
    b.useRslora = useRslora;
    b.layersToTransform = new ArrayList<>(layersToTransform);
    b.layersPattern = new ArrayList<>(layersPattern);
    b.rankPattern = new LinkedHashMap<>(rankPattern);
    b.alphaPattern = new LinkedHashMap<>(alphaPattern);
    b.init = init;
    return b;
  }

  /**
   * Tells whether these settings adapt the projection at a module path, by PEFT's rules (see the class comment).
   *
   * @param module a module path such as {@code model.layers.0.self_attn.q_proj}
   * @return true when the projection gets an adapter
   */
  public boolean targets(String module) {
    boolean match = targetModulesRegex != null ? Pattern.compile(targetModulesRegex).matcher(module).matches()
        : targetModules.contains(ALL_LINEAR) || matchesName(targetModules, module);
    if (!match || matchesName(excludeModules, module)) {
      return false;
    }
    if (layersToTransform.isEmpty()) {
      return true;
    }
    Integer layer = layerIndex(module);
    return layer != null && layersToTransform.contains(layer);
  }

  private static boolean matchesName(List<String> names, String module) {
    for (String n : names) {
      if (module.equals(n) || module.endsWith("." + n)) {
        return true;
      }
    }
    return false;
  }

  private Integer layerIndex(String module) {
    if (layersPattern.isEmpty()) {
      Matcher m = ANY_LAYER.matcher(module);
      return m.matches() ? Integer.valueOf(m.group(1)) : null;
    }
    for (String p : layersPattern) {
      Matcher m = Pattern.compile("(?:.*\\.)?" + Pattern.quote(p) + "\\.(\\d+)\\..*").matcher(module);
      if (m.matches()) {
        return Integer.valueOf(m.group(1));
      }
    }
    return null;
  }

  /**
   * Returns the rank of the adapter on a projection: {@link #rankPattern()}'s first matching entry, else {@link #r()}.
   *
   * @param module the module path
   * @return the rank
   */
  public int rankFor(String module) {
    String key = patternKey(rankPattern.keySet(), module);
    return key == null ? r : rankPattern.get(key);
  }

  /**
   * Returns alpha of the adapter on a projection: {@link #alphaPattern()}'s first matching entry, else {@link
   * #loraAlpha()}.
   *
   * @param module the module path
   * @return alpha
   */
  public double alphaFor(String module) {
    String key = patternKey(alphaPattern.keySet(), module);
    return key == null ? loraAlpha : alphaPattern.get(key);
  }

  /**
   * Returns the factor \( s \) of the adapter on a projection: \( \alpha / r \), or \( \alpha / \sqrt{r} \) with
   * {@link #useRslora()}.
   *
   * @param module the module path
   * @return the scaling
   */
  public double scalingFor(String module) {
    int rank = rankFor(module);
    return alphaFor(module) / (useRslora ? Math.sqrt(rank) : rank);
  }

  private static String patternKey(Iterable<String> keys, String module) {
    for (String k : keys) {
      if (Pattern.compile("(.*\\.)?(" + k + ")$").matcher(module).matches()) {
        return k;
      }
    }
    return null;
  }

  /** Builds a {@link LoraConfig}; every setter's default is the one named in {@link LoraConfig}. */
  public static final class Builder {
    private int r = DEFAULT_R;
    private double loraAlpha = DEFAULT_ALPHA;
    private double loraDropout;
    private List<String> targetModules = new ArrayList<>(List.of(ALL_LINEAR));
    private String targetModulesRegex;
    private List<String> excludeModules = new ArrayList<>();
    private boolean useRslora;
    private List<Integer> layersToTransform = new ArrayList<>();
    private List<String> layersPattern = new ArrayList<>();
    private Map<String, Integer> rankPattern = new LinkedHashMap<>();
    private Map<String, Double> alphaPattern = new LinkedHashMap<>();
    private LoraInit init = LoraInit.KAIMING_UNIFORM;

    private Builder() {}

    /**
     * Sets the rank (default {@value LoraConfig#DEFAULT_R}).
     *
     * @param v the rank, positive
     * @return this builder
     */
    public Builder r(int v) {
      this.r = v;
      return this;
    }

    /**
     * Sets alpha (default {@value LoraConfig#DEFAULT_ALPHA}).
     *
     * @param v alpha, positive
     * @return this builder
     */
    public Builder loraAlpha(double v) {
      this.loraAlpha = v;
      return this;
    }

    /**
     * Sets the dropout probability on each adapter's input while training (default 0).
     *
     * @param v the probability, in [0, 1)
     * @return this builder
     */
    public Builder loraDropout(double v) {
      this.loraDropout = v;
      return this;
    }

    /**
     * Sets the targeted module names (default {@value LoraConfig#ALL_LINEAR}) and clears a regular expression.
     *
     * @param names module names such as {@code q_proj}, or {@value LoraConfig#ALL_LINEAR}
     * @return this builder
     */
    public Builder targetModules(String... names) {
      return targetModules(List.of(names));
    }

    /**
     * Sets the targeted module names (default {@value LoraConfig#ALL_LINEAR}) and clears a regular expression.
     *
     * @param names module names such as {@code q_proj}, or {@value LoraConfig#ALL_LINEAR}
     * @return this builder
     */
    public Builder targetModules(List<String> names) {
      this.targetModules = new ArrayList<>(names);
      this.targetModulesRegex = null;
      return this;
    }

    /**
     * Targets the module paths a regular expression matches in full, instead of names.
     *
     * @param regex the expression, such as {@code .*\.(q_proj|v_proj)}
     * @return this builder
     */
    public Builder targetModulesRegex(String regex) {
      this.targetModulesRegex = regex;
      this.targetModules = new ArrayList<>();
      return this;
    }

    /**
     * Sets module names never adapted (default none).
     *
     * @param names module names
     * @return this builder
     */
    public Builder excludeModules(List<String> names) {
      this.excludeModules = new ArrayList<>(names);
      return this;
    }

    /**
     * Sets rank-stabilised scaling \( \alpha / \sqrt{r} \) (default false: \( \alpha / r \)).
     *
     * @param v whether to stabilise
     * @return this builder
     */
    public Builder useRslora(boolean v) {
      this.useRslora = v;
      return this;
    }

    /**
     * Sets the layer indices to adapt (default all).
     *
     * @param layers the indices
     * @return this builder
     */
    public Builder layersToTransform(List<Integer> layers) {
      this.layersToTransform = new ArrayList<>(layers);
      return this;
    }

    /**
     * Sets the names of the layer lists in module paths that {@link #layersToTransform} counts in (default any).
     *
     * @param names such as {@code layers}
     * @return this builder
     */
    public Builder layersPattern(List<String> names) {
      this.layersPattern = new ArrayList<>(names);
      return this;
    }

    /**
     * Sets the ranks of particular projections (default none).
     *
     * @param patterns pattern to rank, in order of precedence
     * @return this builder
     */
    public Builder rankPattern(Map<String, Integer> patterns) {
      this.rankPattern = new LinkedHashMap<>(patterns);
      return this;
    }

    /**
     * Sets the alphas of particular projections (default none).
     *
     * @param patterns pattern to alpha, in order of precedence
     * @return this builder
     */
    public Builder alphaPattern(Map<String, Double> patterns) {
      this.alphaPattern = new LinkedHashMap<>(patterns);
      return this;
    }

    /**
     * Sets how a fresh adapter starts (default {@link LoraInit#KAIMING_UNIFORM}).
     *
     * @param v the initialisation
     * @return this builder
     */
    public Builder init(LoraInit v) {
      this.init = v;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     * @throws IllegalArgumentException if a value is out of range
     */
    public LoraConfig build() {
      return new LoraConfig(r, loraAlpha, loraDropout, targetModules, targetModulesRegex, excludeModules, useRslora,
          layersToTransform, layersPattern, rankPattern, alphaPattern, init);
    }
  }
}
