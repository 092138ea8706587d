package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * A family's forward graph: embedding (optionally scaled and dropped out), layers, final norm and output head.
 *
 * @param embedding the token embedding (vocab, hidden)
 * @param embeddingScale multiplies the embeddings (Gemma's \( \sqrt{\text{hidden}} \) in the model's type), or null
 * @param embeddingDropout dropout on the embeddings while training
 * @param layers the decoder layers
 * @param finalNorm the norm after the last layer
 * @param head the output head; a tied head's weight is the embedding
 */
record Decoder(Parameter embedding, NDArray embeddingScale, double embeddingDropout, List<DecoderLayer> layers,
    Norm finalNorm, Linear head) {}
