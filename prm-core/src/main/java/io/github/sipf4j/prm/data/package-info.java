/**
 * Loaders for the original data set formats (GSM8K JSONL, MBPP JSONL and sanitized JSON, HumanEval JSONL or
 * JSONL.gz, MMLU CSV) and a GSM8K-format writer. Every loader streams its file, validates every record and fails
 * with a {@link io.github.sipf4j.orpo.data.DataFormatException} that names the file, the line and the field.
 */
package io.github.sipf4j.prm.data;
