package io.github.sipf4j.testkit;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.PositionEncoding;

/** The built-in decoder with learned positions. */
class DecoderLmLearnedContractTest extends CausalLmContract {
  @Override
  protected CausalLm newModel() {
    return DecoderLm.create(DecoderConfig.builder().vocabSize(37).dModel(32).layers(2).heads(4).maxLength(24)
        .positions(PositionEncoding.LEARNED).build(), Device.cpu(), 11);
  }
}
