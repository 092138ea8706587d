package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.function.Function;

/**
 * One Hugging Face decoder family: how its {@code config.json} reads, which parameters it has under which names, and
 * how its layers compute. {@link HfFamilies} keys the families by {@code model_type}.
 */
interface HfFamily {

  /** The {@code model_type} values this family loads. */
  List<String> modelTypes();

  /** Reads the family's configuration, failing on anything unsupported. */
  HfConfig parse(ConfigReader r) throws HfFormatException;

  /** The parameters of a model of this configuration, in Hugging Face's order. */
  List<ParamSpec> parameters(HfConfig config);

  /**
   * Builds the forward graph over the model's parameters ({@code params}); every dense projection of the layers comes
   * from {@code projections}, which looks up its parameters and registers it for adapters.
   */
  Decoder decoder(HfConfig config, Function<String, Parameter> params, Projections projections, DataType dtype,
      Constants k);
}
