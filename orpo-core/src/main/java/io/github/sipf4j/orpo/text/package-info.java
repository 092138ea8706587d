/**
 * Text to token ids and back: the {@link io.github.sipf4j.orpo.text.TextTokenizer} over DJL's Hugging Face tokenizer
 * (with a shipped character-level vocabulary for arithmetic reasoning), the {@link
 * io.github.sipf4j.orpo.text.PromptTemplate}, and the {@link io.github.sipf4j.orpo.text.SequenceEncoder} that turns
 * (prompt, response) pairs into ids, labels and masks with TRL's rules.
 */
package io.github.sipf4j.orpo.text;
