package io.github.sipf4j.orpo.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsFileTest {

  @TempDir
  Path dir;

  /** Every supported type round-trips, read and written in chunks that split elements across many reads. */
  @ParameterizedTest(name = "chunks of {0} bytes")
  @ValueSource(ints = {7, 64, SafetensorsFile.CHUNK_BYTES})
  void everyTypeRoundTripsWhateverTheChunkSize(int chunk) throws IOException {
    Random r = new Random(chunk);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Map<String, NDArray> arrays = new LinkedHashMap<>();
      float[] f = new float[301];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) r.nextGaussian();
      }
      NDArray f32 = m.create(f, new Shape(7, 43));
      arrays.put("f32", f32);
      arrays.put("f64", f32.toType(DataType.FLOAT64, false));
      arrays.put("f16", f32.toType(DataType.FLOAT16, false));
      arrays.put("i64", m.arange(0, 1000, 3, DataType.INT64));
      arrays.put("i32", m.arange(-50, 50, 1, DataType.INT32).reshape(10, 10));
      arrays.put("i8", m.arange(-100, 100, 7, DataType.INT32).toType(DataType.INT8, false));
      arrays.put("u8", m.arange(0, 250, 5, DataType.INT32).toType(DataType.UINT8, false));
      arrays.put("bool", m.arange(0, 17, 1, DataType.INT32).gt(8));
      arrays.put("scalar", m.create(new long[] {42}));
      arrays.put("empty", m.create(new Shape(0, 3), DataType.FLOAT32));
      Path file = dir.resolve("all.safetensors");
      SafetensorsFile.write(file, arrays, null, Map.of("format", "pt"), chunk);
      try (SafetensorsFile back = SafetensorsFile.open(file);
          SafetensorsFile.Staging staging = new SafetensorsFile.Staging()) {
        assertEquals(Map.of("format", "pt"), back.metadata());
        assertEquals(arrays.keySet(), back.tensors().keySet());
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
          NDArray want = e.getValue();
          NDArray got = m.create(want.getShape(), want.getDataType());
          back.readInto(e.getKey(), got, staging, chunk);
          assertEquals(want.getDataType(), got.getDataType(), e.getKey());
          assertArrayEquals(want.toByteArray(), got.toByteArray(), e.getKey());
        }
      }
    }
  }

  @Test
  void bfloat16IsWrittenRoundedToNearestEvenAndReadBackExactly() throws IOException {
    assertEquals((short) 0x3f80, SafetensorsFile.toBfloat16(1f));
    assertEquals((short) 0x3f80, SafetensorsFile.toBfloat16(1.00390625f), "a tie goes to the even 0x3f80");
    assertEquals((short) 0x3f82, SafetensorsFile.toBfloat16(1.01171875f), "a tie goes to the even 0x3f82");
    assertEquals((short) 0x3f81, SafetensorsFile.toBfloat16(1.006f));
    assertEquals((short) 0x7f80, SafetensorsFile.toBfloat16(Float.POSITIVE_INFINITY));
    assertEquals((short) 0xff80, SafetensorsFile.toBfloat16(Float.NEGATIVE_INFINITY));
    assertTrue(Float.isNaN(Float.intBitsToFloat(SafetensorsFile.toBfloat16(Float.NaN) << 16)));
    assertEquals((short) 0x7f80, SafetensorsFile.toBfloat16(Float.MAX_VALUE), "rounds up to infinity, as PyTorch");
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      float[] values = {1f, 1.00390625f, 1.01171875f, -2.5f, 3.1415927f, 1e-20f, 0f};
      Path file = dir.resolve("bf16.safetensors");
      SafetensorsFile.write(file, Map.of("x", m.create(values)), "BF16", Map.of(), 4);
      try (SafetensorsFile f = SafetensorsFile.open(file);
          SafetensorsFile.Staging staging = new SafetensorsFile.Staging()) {
        assertEquals("BF16", f.tensor("x").dtype());
        assertEquals(DataType.FLOAT32, f.tensor("x").naturalType());
        float[] back = f.read("x", m).toFloatArray();
        for (int i = 0; i < values.length; i++) {
          assertEquals(Float.intBitsToFloat(SafetensorsFile.toBfloat16(values[i]) << 16), back[i], "value " + i);
        }
        NDArray half = m.create(new Shape(values.length), DataType.FLOAT16);
        f.readInto("x", half, staging, 6);
        assertArrayEquals(m.create(back).toType(DataType.FLOAT16, false).toByteArray(), half.toByteArray());
      }
    }
  }

  /**
   * A tensor stored beyond the first 2 GiB of a file (a sparse file: a 2.5 GB tensor first, never read) is found and
   * read at its 64-bit offset.
   */
  @Test
  void offsetsBeyondTwoGibibytesAreRead() throws IOException {
    long big = 2_500_000_000L;
    String header = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
        + "\"small\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + big + "," + (big + 16) + "]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    Path file = dir.resolve("sparse.safetensors");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.SPARSE)) {
      ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
      ch.write(ByteBuffer.wrap(h), 8);
      ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      data.putFloat(1.5f).putFloat(-2f).putFloat(3.25f).putFloat(4f).flip();
      ch.write(data, 8 + h.length + big);
    }
    try (SafetensorsFile f = SafetensorsFile.open(file);
        NDManager m = NDManager.newBaseManager(Device.cpu())) {
      assertEquals(big, f.tensor("small").begin());
      assertEquals(big, f.tensor("big").byteLength());
      assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 4f}, f.read("small", m).toFloatArray());
    }
  }

  @Test
  void malformedFilesAreNamedWithWhatIsWrong() throws IOException {
    Path file = dir.resolve("bad.safetensors");
    Files.write(file, new byte[] {1, 2, 3});
    assertMessage(file, "not a safetensors file: 3 bytes");
    writeHeader(file, "{\"x\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
    assertMessage(file, "tensor x has dtype I16; supported: F64, F32, F16, BF16, I64, I32, I8, U8, BOOL");
    writeHeader(file, "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
    assertMessage(file, "tensor x has data_offsets [0, 8] but its F32 shape [3] needs 12 bytes");
    writeHeader(file, "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", 8);
    assertMessage(file, "truncated: tensor x ends at data byte 12 but the file holds only 8 bytes of data");
    writeHeader(file, "{\"x\": 5}", 0);
    assertMessage(file, "malformed header entry for tensor x");
    Files.write(file, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40).array());
    assertMessage(file, "header length 1099511627776 is outside");
  }

  @Test
  void loadIntoOverwritesParametersThatCarryGradients() throws IOException {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray w = m.zeros(new Shape(3, 4));
      w.setRequiresGradient(true);
      Path file = dir.resolve("w.safetensors");
      Safetensors.write(file, Map.of("w", m.arange(12f).reshape(3, 4)));
      Safetensors.loadInto(file, Map.of("w", w));
      assertArrayEquals(m.arange(12f).toFloatArray(), w.toFloatArray());
      IOException e = assertThrows(IOException.class, () -> Safetensors.loadInto(file, Map.of("v", w)));
      assertEquals(file + ": array v is missing", e.getMessage());
    }
  }

  private static void writeHeader(Path file, String json, int dataBytes) throws IOException {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Files.write(file, b.array());
  }

  private static void assertMessage(Path file, String part) {
    IOException e = assertThrows(IOException.class, () -> SafetensorsFile.open(file).close());
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
