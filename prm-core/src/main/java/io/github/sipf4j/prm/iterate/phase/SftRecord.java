package io.github.sipf4j.prm.iterate.phase;

/**
 * One supervised example of rejection-sampling fine-tuning, in TRL's prompt-completion format, as
 * {@code sft-new.jsonl} and an RFT run's {@code dataset.jsonl} store it.
 *
 * @param prompt the formatted prompt
 * @param completion the rationale
 */
public record SftRecord(String prompt, String completion) {}
