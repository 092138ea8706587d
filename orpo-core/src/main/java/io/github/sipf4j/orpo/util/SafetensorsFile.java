package io.github.sipf4j.orpo.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.common.base.Preconditions;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file (the weight format of Hugging Face and PyTorch) with 64-bit offsets, so files and tensors above
 * 2 GiB read and write like small ones; DJL's own encoder keeps offsets in 32-bit integers.
 *
 * <p>Reading: {@link #open} parses and checks the header (every tensor's bytes must lie inside the file, so a
 * truncated download is reported at once with the tensor that is cut off), then {@link #readInto} copies one tensor
 * into an existing array in chunks of {@value #CHUNK_BYTES} bytes: on the CPU, when the types match, straight into
 * the array's own memory (no copy at all); otherwise through one staging chunk (two for {@code BF16}), never a whole
 * extra copy of the tensor. {@code BF16} tensors are widened to
 * float32 on the host, exactly (DJL 0.36's PyTorch engine cannot create bfloat16 arrays: its type table lacks
 * bfloat16 and aborts the process), so they load into float32 or, rounded by PyTorch, float16 arrays.
 *
 * <p>Writing: {@link #write} streams the arrays chunk by chunk into a temporary file beside the target and moves it
 * into place; each array is written in its own type or in a requested one ({@code BF16} is produced on the host with
 * round-to-nearest-even, as PyTorch rounds).
 *
 * <pre>{@code
 * try (SafetensorsFile f = SafetensorsFile.open(Path.of("model.safetensors"))) {
 *   SafetensorsFile.TensorInfo info = f.tensor("model.embed_tokens.weight");
 *   NDArray w = manager.create(info.shape(), DataType.FLOAT32);
 *   f.readInto(info.name(), w);
 * }
 * }</pre>
 */
public final class SafetensorsFile implements Closeable {

  /** The largest header the format allows (100 MB), as the reference implementation checks. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** The size of the chunks in which tensors are read and written. */
  public static final int CHUNK_BYTES = 16 << 20;

  /** The metadata key under which Hugging Face records the framework ({@code "pt"} for PyTorch). */
  public static final String FORMAT_KEY = "format";

  private static final String METADATA = "__metadata__";

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;
  private Staging staging;

  /**
   * Reusable CPU arrays through which {@link #readInto} converts tensors whose type differs from their target's (and
   * {@link #write} narrows to {@code BF16}): allocated once at the chunk size and kept, so that loading a model does
   * not allocate and free a staging chunk per tensor among the parameters (which fragments the native heap and costs
   * more memory than the chunks themselves). One {@code Staging} can serve many files, one after the other; it is not
   * thread-safe.
   */
  public static final class Staging implements AutoCloseable {
    private final NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu());
    private final Map<DataType, NDArray> arrays = new java.util.EnumMap<>(DataType.class);

    /** Creates empty staging; arrays are allocated on first use. */
    public Staging() {}

    /** Returns a CPU array of at least {@code elements} elements of {@code type}, at least a chunk long. */
    NDArray of(DataType type, long elements, int chunkBytes) {
      NDArray a = arrays.get(type);
      if (a == null || a.size() < elements) {
        if (a != null) {
          a.close();
        }
        a = manager.create(new Shape(Math.max(elements, chunkBytes / type.getNumOfBytes())), type);
        NDScope.unregister(a);
        arrays.put(type, a);
      }
      return a;
    }

    /** Releases the arrays. */
    @Override
    public void close() {
      manager.close();
    }
  }

  /**
   * One tensor of a file, as its header describes it.
   *
   * @param name the tensor's name
   * @param dtype the safetensors type name ({@code F32}, {@code BF16}, {@code I64}, ...)
   * @param shape the shape
   * @param begin the first byte of the tensor's data, counted from the end of the header
   * @param end one past the last byte of the tensor's data, counted from the end of the header
   */
  public record TensorInfo(String name, String dtype, Shape shape, long begin, long end) {

    /**
     * Returns the number of bytes of the data.
     *
     * @return {@code end - begin}
     */
    public long byteLength() {
      return end - begin;
    }

    /**
     * Returns the DJL type an array read from this tensor has by default: the tensor's own type, except {@code
     * BF16}, which reads as float32.
     *
     * @return the natural DJL type
     */
    public DataType naturalType() {
      return "BF16".equals(dtype) ? DataType.FLOAT32 : fileType(dtype);
    }
  }

  private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Opens a file and checks its header: JSON, every tensor of a supported type ({@code F64}, {@code F32}, {@code
   * F16}, {@code BF16}, {@code I64}, {@code I32}, {@code I8}, {@code U8}, {@code BOOL}), data offsets that match the
   * shape and lie inside the file.
   *
   * @param file the file
   * @return the open file; the caller closes it
   * @throws IOException if the file cannot be read, is truncated or has a malformed header; the message names the
   *     file and, where one is at fault, the tensor
   */
  public static SafetensorsFile open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = ch.size();
      if (size < 8) {
        throw new IOException(file + ": not a safetensors file: " + size + " bytes, shorter than the 8-byte header "
            + "length");
      }
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, 0, file);
      long headerBytes = len.flip().getLong();
      if (headerBytes <= 0 || headerBytes > MAX_HEADER_BYTES) {
        throw new IOException(file + ": not a safetensors file: header length " + headerBytes + " is outside 1.."
            + MAX_HEADER_BYTES);
      }
      if (8 + headerBytes > size) {
        throw new IOException(file + ": truncated: the header needs " + (8 + headerBytes) + " bytes, the file has "
            + size);
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
      readFully(ch, header, 8, file);
      long dataStart = 8 + headerBytes;
      JsonObject root;
      try {
        root = JsonParser.parseString(new String(header.array(), StandardCharsets.UTF_8)).getAsJsonObject();
      } catch (JsonParseException | IllegalStateException e) {
        throw new IOException(file + ": malformed safetensors header: " + e.getMessage(), e);
      }
      Map<String, String> metadata = new LinkedHashMap<>();
      List<TensorInfo> infos = new ArrayList<>();
      for (Map.Entry<String, JsonElement> e : root.entrySet()) {
        if (METADATA.equals(e.getKey())) {
          if (e.getValue().isJsonObject()) {
            for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
              metadata.put(m.getKey(), m.getValue().isJsonPrimitive() ? m.getValue().getAsString()
                  : m.getValue().toString());
            }
          }
          continue;
        }
        infos.add(parseInfo(file, e.getKey(), e.getValue(), size - dataStart));
      }
      infos.sort(Comparator.comparingLong(TensorInfo::begin));
      Map<String, TensorInfo> byName = new LinkedHashMap<>();
      for (TensorInfo i : infos) {
        byName.put(i.name(), i);
      }
      return new SafetensorsFile(file, ch, dataStart, Collections.unmodifiableMap(byName),
          Collections.unmodifiableMap(metadata));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static TensorInfo parseInfo(Path file, String name, JsonElement value, long dataBytes) throws IOException {
    try {
      JsonObject o = value.getAsJsonObject();
      String dtype = o.get("dtype").getAsString();
      if (!isSupported(dtype)) {
        throw new IOException(file + ": tensor " + name + " has dtype " + dtype
            + "; supported: F64, F32, F16, BF16, I64, I32, I8, U8, BOOL");
      }
      JsonArray dims = o.getAsJsonArray("shape");
      long[] shape = new long[dims.size()];
      long count = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = dims.get(i).getAsLong();
        if (shape[i] < 0) {
          throw new IOException(file + ": tensor " + name + " has a negative dimension in shape " + dims);
        }
        count = Math.multiplyExact(count, shape[i]);
      }
      JsonArray offsets = o.getAsJsonArray("data_offsets");
      long begin = offsets.get(0).getAsLong();
      long end = offsets.get(1).getAsLong();
      long expected = Math.multiplyExact(count, (long) bytesPer(dtype));
      if (begin < 0 || end < begin || end - begin != expected) {
        throw new IOException(file + ": tensor " + name + " has data_offsets [" + begin + ", " + end + "] but its "
            + dtype + " shape " + dims + " needs " + expected + " bytes");
      }
      if (end > dataBytes) {
        throw new IOException(file + ": truncated: tensor " + name + " ends at data byte " + end + " but the file "
            + "holds only " + dataBytes + " bytes of data");
      }
      return new TensorInfo(name, dtype, new Shape(shape), begin, end);
    } catch (IllegalStateException | NullPointerException | IndexOutOfBoundsException | UnsupportedOperationException
        | ArithmeticException | NumberFormatException e) {
      throw new IOException(file + ": malformed header entry for tensor " + name + ": " + value, e);
    }
  }

  private static boolean isSupported(String dtype) {
    switch (dtype) {
      case "F64":
      case "F32":
      case "F16":
      case "BF16":
      case "I64":
      case "I32":
      case "I8":
      case "U8":
      case "BOOL":
        return true;
      default:
        return false;
    }
  }

  private static int bytesPer(String dtype) {
    switch (dtype) {
      case "F64":
      case "I64":
        return 8;
      case "F32":
      case "I32":
        return 4;
      case "F16":
      case "BF16":
        return 2;
      default:
        return 1;
    }
  }

  /** The DJL type of a supported safetensors type name; BF16 has none that DJL 0.36's PyTorch engine can hold. */
  private static DataType fileType(String dtype) {
    switch (dtype) {
      case "F64":
        return DataType.FLOAT64;
      case "F32":
        return DataType.FLOAT32;
      case "F16":
        return DataType.FLOAT16;
      case "I64":
        return DataType.INT64;
      case "I32":
        return DataType.INT32;
      case "I8":
        return DataType.INT8;
      case "U8":
        return DataType.UINT8;
      case "BOOL":
        return DataType.BOOLEAN;
      default:
        throw new IllegalArgumentException("no DJL type for safetensors type " + dtype);
    }
  }

  private static String safetensorsName(DataType type) {
    switch (type) {
      case FLOAT64:
        return "F64";
      case FLOAT32:
        return "F32";
      case FLOAT16:
        return "F16";
      case INT64:
        return "I64";
      case INT32:
        return "I32";
      case INT8:
        return "I8";
      case UINT8:
        return "U8";
      case BOOLEAN:
        return "BOOL";
      default:
        throw new IllegalArgumentException("cannot write arrays of type " + type + " as safetensors");
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer into, long position, Path file) throws IOException {
    long at = position;
    while (into.hasRemaining()) {
      int n = ch.read(into, at);
      if (n < 0) {
        throw new IOException(file + ": truncated: the file ended at byte " + at + " while reading");
      }
      at += n;
    }
  }

  /**
   * Returns the file's path.
   *
   * @return the path
   */
  public Path path() {
    return path;
  }

  /**
   * Returns the tensors in the order of their data in the file.
   *
   * @return the tensors by name
   */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /**
   * Returns one tensor's description.
   *
   * @param name the tensor's name
   * @return its description
   * @throws IllegalArgumentException if the file has no tensor of that name
   */
  public TensorInfo tensor(String name) {
    TensorInfo info = tensors.get(name);
    Preconditions.checkArgument(info != null, "%s: no tensor named %s", path, name);
    return info;
  }

  /**
   * Returns the header's {@code __metadata__} (Hugging Face writes {@code {"format": "pt"}}).
   *
   * @return the metadata, empty when the header has none
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Reads one tensor into a new array of its {@linkplain TensorInfo#naturalType() natural type}.
   *
   * @param name the tensor's name
   * @param manager the manager (and device) of the new array
   * @return the array
   * @throws IOException if reading fails
   */
  public NDArray read(String name, NDManager manager) throws IOException {
    TensorInfo info = tensor(name);
    NDArray out = manager.create(info.shape(), info.naturalType());
    try {
      readInto(name, out);
      return out;
    } catch (IOException | RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /**
   * Copies one tensor into an existing array of the same shape, converting the type when it differs (a {@code BF16}
   * tensor goes into float32 or float16 arrays), in chunks of at most {@value #CHUNK_BYTES} bytes. The array keeps
   * its storage.
   *
   * @param name the tensor's name
   * @param target a contiguous array of the tensor's shape, on any device
   * @throws IOException if reading fails or the file is shorter than its header says
   * @throws IllegalArgumentException if the shapes differ or a {@code BF16} tensor would go into a non-float array
   */
  public void readInto(String name, NDArray target) throws IOException {
    if (staging == null) {
      staging = new Staging();
    }
    readInto(name, target, staging);
  }

  /**
   * Like {@link #readInto(String, NDArray)}, converting through the given staging arrays (share one across the files
   * of a sharded checkpoint).
   *
   * @param name the tensor's name
   * @param target a contiguous array of the tensor's shape, on any device
   * @param staging the staging arrays to convert through
   * @throws IOException if reading fails or the file is shorter than its header says
   */
  public void readInto(String name, NDArray target, Staging staging) throws IOException {
    readInto(name, target, staging, CHUNK_BYTES);
  }

  /** {@link #readInto(String, NDArray, Staging)} in chunks of {@code chunkBytes} (tests use small ones). */
  void readInto(String name, NDArray target, Staging staging, int chunkBytes) throws IOException {
    TensorInfo info = tensor(name);
    Preconditions.checkArgument(info.shape().equals(target.getShape()), "%s: tensor %s has shape %s, the target %s",
        path, name, info.shape(), target.getShape());
    boolean widen = "BF16".equals(info.dtype());
    Preconditions.checkArgument(!widen || target.getDataType().isFloating(),
        "%s: BF16 tensor %s can only be read into a floating-point array, not %s", path, name,
        target.getDataType());
    long count = info.shape().size();
    if (count == 0) {
      return;
    }
    int bytes = bytesPer(info.dtype());
    // The file's bytes land in engine-owned memory: the target itself when the types match on the CPU, else a
    // staging chunk converted into the target. No Java direct buffer is allocated (they would linger until a
    // garbage collection, hundreds of megabytes for a large model).
    boolean inPlace = !widen && fileType(info.dtype()) == target.getDataType() && isCpu(target);
    long chunkElements = Math.max(1, chunkBytes / bytes);
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray flat = target.reshape(count);
      NDArray raw = null;
      NDArray wide = null;
      for (long from = 0; from < count; from += chunkElements) {
        int n = (int) Math.min(chunkElements, count - from);
        NDIndex slice = new NDIndex().addSliceDim(from, from + n);
        long position = dataStart + info.begin() + from * bytes;
        if (inPlace) {
          try (NDArray part = flat.get(slice)) {
            readFully(channel, memoryOf(part, (long) n * bytes), position, path);
          }
          continue;
        }
        if (raw == null) {
          long size = Math.min(count, chunkElements);
          // widening reads BF16 bits into 2-byte storage (typed FLOAT16, never read as such) and widens into FLOAT32
          raw = staging.of(widen ? DataType.FLOAT16 : fileType(info.dtype()), size, chunkBytes);
          wide = widen ? staging.of(DataType.FLOAT32, size, chunkBytes) : null;
        }
        ByteBuffer rawBytes = memoryOf(raw, raw.size() * bytes);
        rawBytes.limit(n * bytes);
        readFully(channel, rawBytes, position, path);
        if (widen) {
          ByteBuffer w = memoryOf(wide, wide.size() * 4L);
          for (int i = 0; i < n; i++) {
            w.putInt(4 * i, (rawBytes.getShort(2 * i) & 0xffff) << 16);
          }
        }
        try (NDScope chunk = new NDScope()) { // this chunk's conversions and copies die with it
          chunk.suppressNotUsedWarning();
          // the indexed copy converts the type element by element (PyTorch's copy_), allocating nothing on the CPU
          NDArray source = (widen ? wide : raw).get(new NDIndex().addSliceDim(0, n));
          flat.set(slice, isCpu(target) ? source : source.toDevice(target.getDevice(), false));
        }
      }
    }
  }

  private static boolean isCpu(NDArray a) {
    return ai.djl.Device.Type.CPU.equals(a.getDevice().getDeviceType());
  }

  /**
   * The memory of a contiguous CPU array as a little-endian buffer (DJL's {@code toByteBuffer(true)}, which PyTorch
   * serves without a copy); fails if the engine returned a copy, since writes into it would be lost.
   */
  private ByteBuffer memoryOf(NDArray a, long expectedBytes) {
    ByteBuffer b = a.toByteBuffer(true);
    if (!b.isDirect() || b.capacity() != expectedBytes) {
      throw new IllegalStateException(path + ": the engine did not expose the array's memory (direct " + b.isDirect()
          + ", " + b.capacity() + " bytes, expected " + expectedBytes + ")");
    }
    return b.order(ByteOrder.LITTLE_ENDIAN).clear();
  }

  /** Closes the file and releases its staging arrays. */
  @Override
  public void close() throws IOException {
    if (staging != null) {
      staging.close();
    }
    channel.close();
  }

  /**
   * Writes named arrays into a new safetensors file in their own types, with {@code {"format": "pt"}} as metadata,
   * replacing {@code file} atomically (written beside it, then moved into place).
   *
   * @param file the target file
   * @param arrays the arrays by name, in the order to write them
   * @throws IOException if writing fails; the target is then unchanged
   */
  public static void write(Path file, Map<String, NDArray> arrays) throws IOException {
    write(file, arrays, null, Map.of(FORMAT_KEY, "pt"));
  }

  /**
   * Writes named arrays into a new safetensors file, replacing {@code file} atomically.
   *
   * @param file the target file
   * @param arrays the arrays by name, in the order to write them; any device
   * @param floatType the safetensors type every floating-point array is written in ({@code "F32"}, {@code "F16"} or
   *     {@code "BF16"}), or null to keep each array's own type; other arrays always keep their type
   * @param metadata the header's {@code __metadata__}; empty for none
   * @throws IOException if writing fails; the target is then unchanged
   */
  public static void write(Path file, Map<String, NDArray> arrays, String floatType, Map<String, String> metadata)
      throws IOException {
    write(file, arrays, floatType, metadata, CHUNK_BYTES);
  }

  /** {@link #write(Path, Map, String, Map)} in chunks of {@code chunkBytes} (tests use small ones). */
  static void write(Path file, Map<String, NDArray> arrays, String floatType, Map<String, String> metadata,
      int chunkBytes) throws IOException {
    Preconditions.checkArgument(floatType == null || List.of("F32", "F16", "BF16").contains(floatType),
        "floatType must be F32, F16 or BF16, got %s", floatType);
    JsonObject header = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      metadata.forEach(meta::addProperty);
      header.add(METADATA, meta);
    }
    List<String> types = new ArrayList<>();
    long offset = 0;
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      NDArray a = e.getValue();
      String type = floatType != null && a.getDataType().isFloating() ? floatType : safetensorsName(a.getDataType());
      types.add(type);
      long length = Math.multiplyExact(a.getShape().size(), (long) bytesPer(type));
      JsonObject o = new JsonObject();
      o.addProperty("dtype", type);
      JsonArray shape = new JsonArray();
      for (long d : a.getShape().getShape()) {
        shape.add(d);
      }
      o.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offsets.add(offset + length);
      o.add("data_offsets", offsets);
      header.add(e.getKey(), o);
      offset += length;
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
        Staging staging = new Staging()) {
      writeFully(out, head.flip());
      int i = 0;
      for (NDArray a : arrays.values()) {
        writeData(out, a, types.get(i++), staging, chunkBytes);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writeData(WritableByteChannel out, NDArray array, String type, Staging staging,
      int chunkBytes) throws IOException {
    long count = array.getShape().size();
    if (count == 0) {
      return;
    }
    boolean narrow = "BF16".equals(type);
    DataType chunkType = narrow ? DataType.FLOAT32 : fileType(type);
    long chunkElements = Math.max(1, chunkBytes / chunkType.getNumOfBytes());
    try (NDManager parts = array.getManager().newSubManager(ai.djl.Device.cpu());
        NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray flat = array.reshape(count);
      NDArray half = narrow ? staging.of(DataType.FLOAT16, Math.min(count, chunkElements), 2 * chunkBytes / 4) : null;
      for (long from = 0; from < count; from += chunkElements) {
        int n = (int) Math.min(chunkElements, count - from);
        try (NDManager part = parts.newSubManager();
            NDScope chunkScope = new NDScope()) { // this chunk's conversions die with it
          chunkScope.suppressNotUsedWarning();
          NDArray chunk = flat.get(part, new NDIndex().addSliceDim(from, from + n));
          if (!isCpu(chunk)) {
            chunk = chunk.toDevice(ai.djl.Device.cpu(), false);
          }
          if (chunk.getDataType() != chunkType) {
            chunk = chunk.toType(chunkType, false);
          }
          // a slice of a contiguous array is contiguous: its memory is written without a copy
          ByteBuffer bytes = chunk.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
          if (narrow) {
            ByteBuffer h = half.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN).clear();
            for (int i = 0; i < n; i++) {
              h.putShort(2 * i, toBfloat16(bytes.getFloat(4 * i)));
            }
            bytes = h.limit(2 * n);
          }
          writeFully(out, bytes);
        }
      }
    }
  }

  private static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      out.write(b);
    }
  }

  /**
   * Rounds a float to bfloat16 bits, to nearest with ties to even, as PyTorch does; NaN stays a (quiet) NaN.
   *
   * @param value the float
   * @return the bfloat16 bit pattern
   */
  public static short toBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
