/**
 * Training data on disk in TRL's formats: preference pairs as JSON lines {@code {prompt, chosen, rejected}}
 * ({@link io.github.sipf4j.orpo.data.PreferenceJsonl}), with malformed input reported by file, line and field
 * ({@link io.github.sipf4j.orpo.data.DataFormatException}).
 */
package io.github.sipf4j.orpo.data;
