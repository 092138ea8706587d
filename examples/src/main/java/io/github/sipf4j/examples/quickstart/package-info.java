/**
 * The quickstart: the whole method on the embedded default (the built-in {@code DecoderLm} and the synthetic
 * multi-step arithmetic task), from the SFT warm start to SIPF iterations and evaluation.
 */
package io.github.sipf4j.examples.quickstart;
