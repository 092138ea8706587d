package io.github.sipf4j.examples.cli;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.prm.data.Gsm8kLoader;
import io.github.sipf4j.prm.iterate.EvalResult;
import io.github.sipf4j.prm.iterate.PolicyEvaluator;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sipf4j evaluate}: greedy accuracy of a saved policy on a GSM8K-format file, printed as JSON. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = "Evaluates a saved policy (a directory with the model and tokenizer.json, such as report.json's "
        + "model_dir, or a Hugging Face model folder), optionally with a PEFT LoRA adapter on it, on a GSM8K-format "
        + "JSONL file by greedy decoding; prints JSON with accuracy, n and a 95%% Wilson interval.")
public final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "The saved policy directory.")
  Path model;

  @Option(names = "--adapter", description = "A PEFT LoRA adapter folder (adapter_config.json, "
      + "adapter_model.safetensors) to put on the model; its tokenizer.json is used when it has one.")
  Path adapter;

  @Option(names = "--tasks", required = true, description = "GSM8K-format JSONL ({question, answer: ... #### X}).")
  Path tasks;

  @Option(names = "--max-new-tokens", defaultValue = "256",
      description = "The longest answer decoded (default: ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(names = "--predictions", description = "Also write every output and verdict to this JSONL file.")
  Path predictions;

  /** Creates the command; picocli fills in the options. */
  public EvaluateCommand() {}

  /**
   * Evaluates and prints the result.
   *
   * @return 0 on success, 2 for a bad option or input
   * @throws Exception when the model cannot be run
   */
  @Override
  public Integer call() throws Exception {
    String problem = AdaptedModels.problem(model, adapter);
    if (problem != null) {
      spec.commandLine().getErr().println(problem);
      return 2;
    }
    if (!Files.isRegularFile(tasks)) {
      spec.commandLine().getErr().println("--tasks " + tasks + ": no such file");
      return 2;
    }
    if (maxNewTokens < 1) {
      spec.commandLine().getErr().println("--max-new-tokens must be at least 1");
      return 2;
    }
    TaskSet set;
    try {
      set = Gsm8kLoader.standard().load(tasks);
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    if (set.size() == 0) {
      spec.commandLine().getErr().println("--tasks " + tasks + " holds no tasks");
      return 2;
    }
    long t0 = System.nanoTime();
    PolicyEvaluator.Evaluation ev;
    try (TextTokenizer tok = TextTokenizer.fromFile(AdaptedModels.tokenizerFolder(model, adapter))) {
      CausalLm lm;
      try {
        lm = AdaptedModels.load(model, adapter, Device.cpu());
      } catch (IOException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 2;
      }
      try (lm) {
        ev = new PolicyEvaluator(lm, tok, PromptTemplate.DEFAULT, OutcomeVerifier.forTaskKind(),
            SamplingConfig.builder().maxNewTokens(maxNewTokens).batchSize(128).build())
            .evaluate(tasks.toString(), set);
      }
    }
    if (predictions != null) {
      try (BufferedWriter w = Files.newBufferedWriter(predictions, StandardCharsets.UTF_8)) {
        for (PolicyEvaluator.Prediction p : ev.predictions()) {
          w.write(new GsonBuilder().disableHtmlEscaping().create().toJson(p));
          w.write('\n');
        }
      }
    }
    EvalResult r = ev.result();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model.toString());
    if (adapter != null) {
      out.put("adapter", adapter.toString());
    }
    out.put("tasks", tasks.toString());
    out.put("n", r.n());
    out.put("correct", r.correct());
    out.put("accuracy", r.accuracy());
    Map<String, Object> ci = new LinkedHashMap<>();
    ci.put("lower", r.lower());
    ci.put("upper", r.upper());
    ci.put("level", 0.95);
    ci.put("method", "wilson");
    out.put("ci", ci);
    out.put("seconds", (System.nanoTime() - t0) / 1e9);
    spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(out));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
