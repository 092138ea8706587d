package io.github.sipf4j.orpo.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PEFT's rules for choosing projections, ranks and scalings, and adapter_config.json in and out. */
class LoraConfigTest {

  private static final String Q = "model.layers.3.self_attn.q_proj";
  private static final String DOWN = "model.layers.0.mlp.down_proj";

  @Test
  void namesMatchWholePathsOrTheirLastComponents() {
    LoraConfig c = LoraConfig.builder().targetModules("q_proj", "attn.qkv").build();
    assertTrue(c.targets(Q));
    assertFalse(c.targets("model.layers.3.self_attn.k_proj"));
    assertFalse(c.targets("model.layers.3.self_attn.xq_proj"), "a suffix must start at a dot");
    assertTrue(c.targets("h.0.attn.qkv"));
    assertTrue(LoraConfig.builder().targetModules(Q).build().targets(Q), "a whole path");
    assertTrue(LoraConfig.defaults().targets(DOWN), "all-linear by default");
  }

  @Test
  void aRegexMustMatchTheWholePathAndExclusionsAndLayersNarrowTheChoice() {
    LoraConfig regex = LoraConfig.builder().targetModulesRegex(".*\\.(q_proj|v_proj)").build();
    assertTrue(regex.targets(Q));
    assertFalse(regex.targets(DOWN));
    assertFalse(LoraConfig.builder().targetModulesRegex("q_proj").build().targets(Q), "full match, like re.fullmatch");
    LoraConfig excluded = LoraConfig.builder().excludeModules(List.of("down_proj")).build();
    assertFalse(excluded.targets(DOWN));
    assertTrue(excluded.targets(Q));
    LoraConfig layers = LoraConfig.builder().layersToTransform(List.of(3)).build();
    assertTrue(layers.targets(Q));
    assertFalse(layers.targets(DOWN));
    assertTrue(LoraConfig.builder().layersToTransform(List.of(0)).build().targets("h.0.mlp.fc"),
        "a DecoderLm's layers count too");
    assertFalse(LoraConfig.builder().layersToTransform(List.of(3)).layersPattern(List.of("blocks")).build()
        .targets(Q), "another layer list");
  }

  @ParameterizedTest
  @CsvSource({"model.layers.0.mlp.fc2, 2, 16.0, 8.0", "model.layers.0.self_attn.dense, 4, 4.0, 1.0",
      "model.layers.0.mlp.fc1, 4, 16.0, 4.0"})
  void rankAndAlphaPatternsOverrideTheDefaults(String module, int rank, double alpha, double scaling) {
    LoraConfig c = LoraConfig.builder().r(4).loraAlpha(16).rankPattern(Map.of("fc2", 2))
        .alphaPattern(Map.of("dense", 4.0)).build();
    assertEquals(rank, c.rankFor(module));
    assertEquals(alpha, c.alphaFor(module));
    assertEquals(scaling, c.scalingFor(module), 1e-12);
  }

  @Test
  void rankStabilisedScalingDividesBySqrtR() {
    assertEquals(128 / 16.0, LoraConfig.builder().r(256).loraAlpha(128).useRslora(true).build().scalingFor(Q));
    assertEquals(0.5, LoraConfig.builder().r(256).loraAlpha(128).build().scalingFor(Q));
  }

  @Test
  void badSettingsFailAtBuild() {
    assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().r(0).build());
    assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().loraDropout(1).build());
    assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().loraAlpha(Double.NaN).build());
    assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().targetModules(List.of()).build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LoraConfig.builder().targetModulesRegex("(q_proj").build());
    assertTrue(e.getMessage().contains("target_modules"), e.getMessage());
  }

  @Test
  void theFileRoundTripsAndHoldsPeftsFields(@TempDir Path dir) throws IOException {
    LoraConfig c = LoraConfig.builder().r(16).loraAlpha(32).loraDropout(0.05).targetModules("q_proj", "v_proj")
        .useRslora(true).layersToTransform(List.of(0, 2)).rankPattern(Map.of("v_proj", 8))
        .alphaPattern(Map.of("q_proj", 64.0)).init(LoraInit.GAUSSIAN).build();
    Path file = dir.resolve(LoraModel.CONFIG_FILE);
    AdapterConfigFile.write(file, c, c.targetModules(), "/models/base");
    JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    for (String field : List.of("peft_type", "r", "lora_alpha", "lora_dropout", "target_modules", "bias", "task_type",
        "base_model_name_or_path", "use_rslora", "fan_in_fan_out", "modules_to_save", "layers_to_transform",
        "rank_pattern", "alpha_pattern", "init_lora_weights", "inference_mode", "use_dora")) {
      assertTrue(o.has(field), field);
    }
    assertEquals("LORA", o.get("peft_type").getAsString());
    assertEquals("CAUSAL_LM", o.get("task_type").getAsString());
    assertEquals("none", o.get("bias").getAsString());
    assertEquals("32", o.get("lora_alpha").toString(), "an integral alpha is written as an integer, as PEFT has it");
    assertTrue(o.get("modules_to_save").isJsonNull());
    AdapterConfigFile read = AdapterConfigFile.read(file);
    assertEquals(c, read.config());
    assertEquals("/models/base", read.baseModelNameOrPath());
    assertTrue(read.explicitTargets());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "\"peft_type\": \"IA3\"|peft_type",
      "\"use_dora\": true|use_dora",
      "\"bias\": \"all\"|bias",
      "\"modules_to_save\": [\"lm_head\"]|modules_to_save",
      "\"task_type\": \"SEQ_CLS\"|task_type",
      "\"init_lora_weights\": \"pissa\"|init_lora_weights",
      "\"r\": 0|r",
      "\"lora_alpha\": \"16\"|lora_alpha",
      "\"fan_in_fan_out\": true|fan_in_fan_out",
      "\"layer_replication\": [[0, 2]]|layer_replication"})
  void unsupportedOrMalformedFieldsFailNamingTheField(String field, String name, @TempDir Path dir)
      throws IOException {
    JsonObject o = JsonParser.parseString("{\"peft_type\": \"LORA\", \"r\": 8, \"lora_alpha\": 16, "
        + "\"target_modules\": [\"q_proj\"]}").getAsJsonObject();
    JsonObject change = JsonParser.parseString("{" + field + "}").getAsJsonObject();
    change.entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
    Path file = dir.resolve(LoraModel.CONFIG_FILE);
    Files.writeString(file, o.toString());
    LoraFormatException e = assertThrows(LoraFormatException.class, () -> AdapterConfigFile.read(file));
    assertEquals("field '" + name + "'", e.where(), e.getMessage());
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
  }

  @Test
  void peftsOtherFormsOfTheFieldsRead(@TempDir Path dir) throws IOException {
    Path file = dir.resolve(LoraModel.CONFIG_FILE);
    Files.writeString(file, "{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8.5, \"target_modules\": "
        + "\"all-linear\", \"layers_to_transform\": 1, \"layers_pattern\": \"layers\", \"init_lora_weights\": false, "
        + "\"some_future_field\": {\"x\": 1}}");
    LoraConfig c = AdapterConfigFile.read(file).config();
    assertEquals(List.of(LoraConfig.ALL_LINEAR), c.targetModules());
    assertEquals(List.of(1), c.layersToTransform());
    assertEquals(List.of("layers"), c.layersPattern());
    assertEquals(8.5, c.loraAlpha());
    assertEquals(LoraInit.RANDOM, c.init());
    Files.writeString(file, "{\"peft_type\": \"LORA\", \"target_modules\": \".*q_proj\"}");
    assertEquals(".*q_proj", AdapterConfigFile.read(file).config().targetModulesRegex());
  }
}
