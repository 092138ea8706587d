package io.github.sipf4j.examples.cli;

import ai.djl.Device;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The options and plumbing that {@code sipf4j logprobs} and {@code sipf4j generate} share (a picocli mixin): the
 * model folder, an optional PEFT LoRA adapter folder, the input file, the output, the device; loading the model
 * through {@link CausalLms#load} (with the adapter on it) and the tokenizer (the adapter folder's when it has one,
 * else the model folder's); writing one JSON object per line.
 */
public final class ModelInputOptions {

  private static final Pattern DEVICE = Pattern.compile("cpu|gpu(:\\d+)?");
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
      .create();

  @Option(names = "--model", required = true,
      description = "The model folder: any kind CausalLms.load recognises, with its tokenizer.json.")
  Path model;

  @Option(names = "--adapter", description = "A PEFT LoRA adapter folder (adapter_config.json, "
      + "adapter_model.safetensors) to put on the model; its tokenizer.json is used when it has one.")
  Path adapter;

  @Option(names = "--input", required = true,
      description = "JSON lines, one request per line: {\"input_ids\": [...]} or {\"text\": \"...\"}.")
  Path input;

  @Option(names = "--out", description = "Where to write the JSON lines (default: standard output).")
  Path out;

  @Option(names = "--device", defaultValue = "cpu",
      description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  String device;

  /** Creates the options; picocli fills them in. */
  public ModelInputOptions() {}

  /**
   * Checks the options before anything is loaded.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  void check() {
    if (!Files.isDirectory(model)) {
      throw new IllegalArgumentException("--model " + model + ": no such directory");
    }
    String adapterProblem = AdaptedModels.adapterProblem(adapter);
    if (adapterProblem != null) {
      throw new IllegalArgumentException(adapterProblem);
    }
    if (!Files.isRegularFile(input)) {
      throw new IllegalArgumentException("--input " + input + ": no such file");
    }
    if (!DEVICE.matcher(device).matches()) {
      throw new IllegalArgumentException("--device " + device + ": expected cpu, gpu or gpu:N");
    }
    if (out != null && Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + ": is a directory");
    }
  }

  /**
   * Loads the folder's tokenizer.
   *
   * @param required whether a folder without {@code tokenizer.json} is an error
   * @return the tokenizer, or null when there is none and it is not required
   * @throws IOException if it cannot be read, or is required and missing
   */
  TextTokenizer tokenizer(boolean required) throws IOException {
    Path folder = AdaptedModels.tokenizerFolder(model, adapter);
    Path file = folder.resolve(TextTokenizer.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      if (required) {
        throw new IOException("--model " + model + ": no " + TextTokenizer.FILE_NAME);
      }
      return null;
    }
    return TextTokenizer.fromFile(folder);
  }

  /**
   * Loads the model, with the adapter on it when one is given.
   *
   * @return the model; the caller closes it
   * @throws IOException if the folder holds no model that loads, or the adapter does not fit it
   */
  CausalLm load() throws IOException {
    return AdaptedModels.load(model, adapter, Device.fromName(device));
  }

  /**
   * Opens the output: the {@code --out} file, or the command line's standard output.
   *
   * @param stdout the command line's output writer
   * @return a writer; closing it closes the file, or only flushes standard output
   * @throws IOException if the file cannot be created
   */
  Writer open(PrintWriter stdout) throws IOException {
    if (out == null) {
      return new Writer() {
        @Override
        public void write(char[] buf, int off, int len) {
          stdout.write(buf, off, len);
        }

        @Override
        public void flush() {
          stdout.flush();
        }

        @Override
        public void close() {
          stdout.flush();
        }
      };
    }
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8));
  }

  /**
   * Writes one result as a line of JSON.
   *
   * @param w the output
   * @param result the object
   * @throws IOException if writing fails
   */
  static void writeLine(Writer w, JsonObject result) throws IOException {
    w.write(GSON.toJson(result));
    w.write('\n');
  }

  /**
   * Returns ids as a JSON array.
   *
   * @param ids the ids
   * @return the array
   */
  static JsonArray array(long[] ids) {
    JsonArray a = new JsonArray(ids.length);
    for (long id : ids) {
      a.add(id);
    }
    return a;
  }

  /**
   * Returns float32 values as a JSON array, each written as the shortest decimal that reads back as the same float.
   *
   * @param values the values
   * @return the array
   */
  static JsonArray array(float[] values) {
    JsonArray a = new JsonArray(values.length);
    for (float v : values) {
      a.add(v);
    }
    return a;
  }
}
