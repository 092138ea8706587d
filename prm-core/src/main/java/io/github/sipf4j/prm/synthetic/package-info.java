/**
 * The embedded default task: seeded, templated multi-step arithmetic word problems small enough for a tiny
 * character-level model on a CPU. {@link io.github.sipf4j.prm.synthetic.SyntheticTaskGenerator} makes them, {@link
 * io.github.sipf4j.prm.synthetic.SyntheticConfig} holds the difficulty knobs and {@link
 * io.github.sipf4j.prm.synthetic.SyntheticSplit} names the standard splits (in-domain, validation, ood-wording,
 * ood-length).
 */
package io.github.sipf4j.prm.synthetic;
