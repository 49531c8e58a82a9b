package org.plateau.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.plateau.PlateauException;

/**
 * A reader for the safetensors format: an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian data.
 *
 * <p>Everything the header claims is checked against the file before anything is allocated, so a
 * truncated or hostile file fails with a sentence instead of an out-of-memory error. Tensors are
 * memory-mapped and handed to PyTorch without a copy through the Java heap.
 */
public final class Safetensors implements AutoCloseable {

    /** Real headers are a few hundred kilobytes even for the largest GPT-2; this bounds a bad one. */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    /** A mapped buffer cannot exceed 2 GiB; no GPT-2 family tensor comes close. */
    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE;

    /** One tensor as the header describes it. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private Safetensors(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens a file and validates its whole header. */
    public static Safetensors open(Path path) {
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            // a FIFO or device would block the first read forever
            throw new PlateauException("The path " + path + " is not a regular file.");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new PlateauException("The file " + path + " does not exist.");
        } catch (IOException e) {
            throw new PlateauException("The file " + path + " cannot be read (" + e.getMessage() + ").");
        }
        try {
            return parse(path, channel);
        } catch (RuntimeException | IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the parse error is the one worth reporting
            }
            if (e instanceof PlateauException p) {
                throw p;
            }
            String why = e instanceof IOException io ? Json.problem(io) : "it cannot be read";
            throw new PlateauException("The file " + path + " is not a valid safetensors file (" + why + ").", e);
        }
    }

    private static Safetensors parse(Path path, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw bad(path, "it is shorter than the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > fileSize - 8) {
            throw bad(path, "its header length " + Long.toUnsignedString(headerLength)
                    + " does not fit a file of " + fileSize + " bytes");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, 8);
        JsonNode header = Json.STRICT.readTree(
                java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(headerBytes.flip()).toString());
        if (header == null || !header.isObject()) {
            throw bad(path, "its header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataSize = fileSize - dataStart;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                if (!field.getValue().isObject()) {
                    throw bad(path, "its __metadata__ is not an object");
                }
                for (var it2 = field.getValue().fields(); it2.hasNext(); ) {
                    var m = it2.next();
                    if (!m.getValue().isTextual()) {
                        throw bad(path, "its __metadata__ holds a value that is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                }
                continue;
            }
            entries.put(field.getKey(), parseEntry(path, field.getKey(), field.getValue(), dataSize));
        }
        checkLayout(path, entries.values(), dataSize);
        return new Safetensors(path, channel, dataStart, Collections.unmodifiableMap(entries),
                Collections.unmodifiableMap(metadata));
    }

    private static Entry parseEntry(Path path, String name, JsonNode spec, long dataSize) {
        String dtype = spec.path("dtype").asText("");
        int width = bytesPerElement(dtype);
        if (width == 0) {
            throw bad(path, "tensor " + name + " has the unsupported dtype '" + dtype + "'");
        }
        JsonNode shapeNode = spec.path("shape");
        JsonNode offsets = spec.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw bad(path, "tensor " + name + " lacks a shape or data offsets");
        }
        long[] shape = new long[shapeNode.size()];
        long bytes = width;
        try {
            for (int i = 0; i < shape.length; i++) {
                if (!shapeNode.get(i).isIntegralNumber() || !shapeNode.get(i).canConvertToLong()
                        || shapeNode.get(i).asLong() < 0) {
                    throw bad(path, "tensor " + name + " has a negative or non-integer dimension");
                }
                shape[i] = shapeNode.get(i).asLong();
                bytes = Math.multiplyExact(bytes, shape[i]);
            }
        } catch (ArithmeticException e) {
            throw bad(path, "tensor " + name + " claims more elements than can exist");
        }
        if (!offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw bad(path, "tensor " + name + " has data offsets that are not whole numbers");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw bad(path, "tensor " + name + " lies outside the file (it may be truncated)");
        }
        if (end - begin != bytes) {
            throw bad(path, "tensor " + name + " has " + (end - begin) + " bytes but its shape needs " + bytes);
        }
        if (bytes > MAX_TENSOR_BYTES) {
            throw bad(path, "tensor " + name + " is larger than 2 GiB");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /**
     * As the format requires: the tensors' byte ranges tile the data exactly, with neither overlap
     * (two tensors sharing bytes would silently change each other) nor holes.
     */
    private static void checkLayout(Path path, java.util.Collection<Entry> entries, long dataSize) {
        List<Entry> byStart = new ArrayList<>(entries);
        byStart.sort(java.util.Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : byStart) {
            if (e.begin() < at) {
                throw bad(path, "the data of tensor " + e.name() + " overlaps another tensor's");
            }
            if (e.begin() > at) {
                throw bad(path, "its data has a gap before tensor " + e.name());
            }
            at = e.end();
        }
        if (at != dataSize) {
            throw bad(path, "its data has " + (dataSize - at) + " bytes that belong to no tensor");
        }
    }

    private static int bytesPerElement(String dtype) {
        return switch (dtype) {
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            case "F64" -> 8;
            default -> 0;
        };
    }

    private static PlateauException bad(Path path, String why) {
        return new PlateauException("The file " + path + " is not a valid safetensors file: " + why + ".");
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new PlateauException("The file " + path + " has no tensor named '" + name + "'.");
        }
        return e;
    }

    /**
     * A tensor's values as float32 in a direct little-endian buffer, outside the Java heap. F32
     * data is the file's own pages, mapped, not copied; F16, BF16 and F64 are converted once.
     */
    public ByteBuffer floatBytes(String name) {
        Entry e = entry(name);
        if (e.dtype().equals("I32")) {
            throw bad(path, "tensor " + name + " holds integers where numbers with a fraction belong");
        }
        MappedByteBuffer mapped;
        try {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin());
        } catch (IOException ex) {
            throw new PlateauException("The file " + path + " cannot be mapped (" + ex.getMessage() + ").");
        }
        mapped.order(ByteOrder.LITTLE_ENDIAN);
        if (e.dtype().equals("F32")) {
            return mapped;
        }
        long n = e.elementCount();
        if (4 * n > MAX_TENSOR_BYTES) {
            throw bad(path, "tensor " + name + " is larger than 2 GiB once converted to float32");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putFloat(switch (e.dtype()) {
                case "F16" -> Half.toFloat(mapped.getShort(2 * i));
                case "BF16" -> Float.intBitsToFloat((mapped.getShort(2 * i) & 0xffff) << 16);
                default -> (float) mapped.getDouble(8 * i);
            });
        }
        return out.flip();
    }

    /** A tensor as a float32 NDArray; on the CPU it reads the mapped file without a copy. */
    public NDArray load(NDManager manager, String name) {
        Shape shape = new Shape(entry(name).shape());
        if (shape.size() == 0) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        return manager.create(floatBytes(name), shape, DataType.FLOAT32);
    }

    /** An int32 tensor (counts, indices) as a Java array. */
    public int[] loadInts(String name) {
        Entry e = entry(name);
        if (!e.dtype().equals("I32")) {
            throw bad(path, "tensor " + name + " is " + e.dtype() + " where int32 belongs");
        }
        if (e.end() - e.begin() > MAX_TENSOR_BYTES) {
            throw bad(path, "tensor " + name + " is larger than 2 GiB");
        }
        try {
            ByteBuffer b = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin())
                    .order(ByteOrder.LITTLE_ENDIAN);
            int[] out = new int[(int) e.elementCount()];
            b.asIntBuffer().get(out);
            return out;
        } catch (IOException ex) {
            throw new PlateauException("The file " + path + " cannot be mapped (" + ex.getMessage() + ").");
        }
    }

    /** A small tensor (such as an SAE's sparsity) as a Java array. */
    public float[] loadFloats(String name) {
        ByteBuffer bytes = floatBytes(name);
        float[] out = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(out);
        return out;
    }

    /** IEEE half precision to float, for F16 files (Java 17 has no Float.float16ToFloat). */
    private static final class Half {
        static float toFloat(short bits) {
            int h = bits & 0xffff;
            int sign = (h & 0x8000) << 16;
            int exp = (h >>> 10) & 0x1f;
            int mant = h & 0x3ff;
            if (exp == 0x1f) {
                return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
            }
            if (exp == 0) {
                float v = mant * 0x1p-24f; // subnormal
                return sign == 0 ? v : -v;
            }
            return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // mappings outlive the channel; nothing is lost
        }
    }
}
