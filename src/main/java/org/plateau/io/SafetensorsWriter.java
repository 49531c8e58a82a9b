package org.plateau.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes float32 (and int32) tensors as a safetensors file, atomically. Values come from arrays or are
 * generated while writing, so large files never sit whole in the heap.
 */
public final class SafetensorsWriter {

    /** The i-th value of a generated tensor, asked for in order. */
    @FunctionalInterface
    public interface Values {
        float get(long i);
    }

    /** The i-th value of a generated int32 tensor. */
    @FunctionalInterface
    public interface IntValues {
        int get(long i);
    }

    /** One tensor: float values, or int values when {@code ints} is not null. */
    private record Tensor(long[] shape, long count, Values values, IntValues ints) {
        String dtype() {
            return ints == null ? "F32" : "I32";
        }
    }

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter put(String name, float[] values, long... shape) {
        if (count(shape) != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape of " + count(shape));
        }
        tensors.put(name, new Tensor(shape, values.length, i -> values[(int) i], null));
        return this;
    }

    /** An int32 tensor (counts, indices). */
    public SafetensorsWriter put(String name, int[] values, long... shape) {
        if (count(shape) != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape of " + count(shape));
        }
        tensors.put(name, new Tensor(shape, values.length, null, i -> values[(int) i]));
        return this;
    }

    public SafetensorsWriter put(String name, Values values, long... shape) {
        tensors.put(name, new Tensor(shape, count(shape), values, null));
        return this;
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public void write(Path path) {
        ObjectNode header = Json.MAPPER.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode spec = header.putObject(e.getKey());
            spec.put("dtype", e.getValue().dtype());
            var shape = spec.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4 * e.getValue().count();
            spec.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (headerBytes.length + 7) / 8 * 8; // data starts 8-byte aligned
        AtomicFiles.write(path, out -> writeTo(out, headerBytes, padded));
    }

    private void writeTo(OutputStream out, byte[] headerBytes, int padded) throws IOException {
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(headerBytes);
        for (int i = headerBytes.length; i < padded; i++) {
            out.write(' ');
        }
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : tensors.values()) {
            for (long i = 0; i < t.count(); i++) {
                if (!chunk.hasRemaining()) {
                    out.write(chunk.array(), 0, chunk.position());
                    chunk.clear();
                }
                if (t.ints() != null) {
                    chunk.putInt(t.ints().get(i));
                } else {
                    chunk.putFloat(t.values().get(i));
                }
            }
        }
        out.write(chunk.array(), 0, chunk.position());
    }
}
