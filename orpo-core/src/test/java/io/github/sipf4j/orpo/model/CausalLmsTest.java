package io.github.sipf4j.orpo.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CausalLmsTest {

  /** A user's model kind, registered through this module's test {@code META-INF/services}. */
  public static final class MarkerKind implements CausalLmKind {
    static final String MARKER = "marker-lm.json";

    @Override
    public String name() {
      return "marker";
    }

    @Override
    public boolean recognises(Path dir) {
      return Files.isRegularFile(dir.resolve(MARKER));
    }

    @Override
    public CausalLm load(Path dir, Device device) {
      return DecoderLm.create(DecoderConfig.builder().vocabSize(12).dModel(16).layers(1).heads(2).maxLength(8)
          .build(), device, 3);
    }
  }

  @Test
  void builtInKindsComeFirstThenServiceLoaderKinds() {
    List<String> names = CausalLms.kinds().stream().map(CausalLmKind::name).collect(Collectors.toList());
    assertEquals(List.of("decoder", "torchscript", "huggingface", "lora", "marker"), names.subList(0, 5));
    assertTrue(CausalLms.kind("marker").isPresent());
    assertTrue(CausalLms.kind("nope").isEmpty());
  }

  @Test
  void recognisesASavedDecoderLmAndLoadsIt(@TempDir Path dir) throws IOException {
    DecoderConfig c = DecoderConfig.builder().vocabSize(12).dModel(16).layers(1).heads(2).maxLength(8).build();
    try (DecoderLm lm = DecoderLm.create(c, Device.cpu(), 1)) {
      lm.save(dir);
    }
    assertEquals("decoder", CausalLms.recognise(dir).name());
    try (CausalLm again = CausalLms.load(dir, Device.cpu())) {
      assertInstanceOf(DecoderLm.class, again);
    }
  }

  @Test
  void aUserKindLoadsThroughTheRegistry(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve(MarkerKind.MARKER), "{}");
    assertEquals("marker", CausalLms.recognise(dir).name());
    try (CausalLm lm = CausalLms.load(dir, Device.cpu())) {
      assertEquals(12, lm.vocabSize());
    }
  }

  @Test
  void anUnrecognisedFolderNamesTheKindsTried(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("weights.bin"), "x");
    IOException e = assertThrows(IOException.class, () -> CausalLms.load(dir, Device.cpu()));
    assertTrue(e.getMessage().startsWith(dir + ": no model found"), e.getMessage());
    assertTrue(e.getMessage().contains("decoder, torchscript, huggingface, lora, marker"), e.getMessage());
  }

  @Test
  void aMissingFolderIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("absent");
    IOException e = assertThrows(IOException.class, () -> CausalLms.load(missing, Device.cpu()));
    assertEquals(missing + ": no such model directory", e.getMessage());
  }

  @Test
  void aMalformedDecoderConfigNamesTheFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"type\": ");
    IOException e = assertThrows(IOException.class, () -> CausalLms.load(dir, Device.cpu()));
    assertTrue(e.getMessage().startsWith(dir.resolve("config.json") + ": malformed"), e.getMessage());
  }

  @Test
  void aHuggingFaceFolderIsRecognisedAndLoadsInTheRequestedType() throws Exception {
    Path dir = Path.of(CausalLmsTest.class.getResource("/hf/qwen2/config.json").toURI()).getParent();
    assertEquals("huggingface", CausalLms.recognise(dir).name());
    LoadOptions half = LoadOptions.builder().dtype(ai.djl.ndarray.types.DataType.FLOAT16).build();
    try (CausalLm lm = CausalLms.load(dir, Device.cpu(), half)) {
      assertEquals(ai.djl.ndarray.types.DataType.FLOAT16,
          lm.getBlock().getParameters().get(0).getValue().getArray().getDataType());
    }
  }

  @Test
  void kindsThatCannotChangeTheirTypeRefuseOtherTypes(@TempDir Path dir) throws IOException {
    DecoderConfig c = DecoderConfig.builder().vocabSize(12).dModel(16).layers(1).heads(2).maxLength(8).build();
    try (DecoderLm lm = DecoderLm.create(c, Device.cpu(), 1)) {
      lm.save(dir);
    }
    LoadOptions half = LoadOptions.builder().dtype(ai.djl.ndarray.types.DataType.FLOAT16).build();
    IOException e = assertThrows(IOException.class, () -> CausalLms.load(dir, Device.cpu(), half));
    assertEquals(dir + ": models of kind decoder load in float32 only, not float16", e.getMessage());
    try (CausalLm lm = CausalLms.load(dir, Device.cpu(), LoadOptions.defaults())) {
      assertInstanceOf(DecoderLm.class, lm);
    }
  }
}
