package org.plateau.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The test's own minimal safetensors reader (F32 only): the reference computations read weights
 * through it rather than through the engine's reader, so that a loading bug cannot hide on both
 * sides of a comparison.
 */
public final class TensorFile {

    private TensorFile() {}

    /** Every tensor of the file as a flat float array, by name. */
    public static Map<String, float[]> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            int headerLength = (int) len.flip().getLong();
            ByteBuffer header = ByteBuffer.allocate(headerLength);
            ch.read(header, 8);
            JsonNode h = new ObjectMapper().readTree(new String(header.array(), StandardCharsets.UTF_8));
            Map<String, float[]> out = new LinkedHashMap<>();
            for (var it = h.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                if (!e.getValue().path("dtype").asText().equals("F32")) {
                    throw new IOException("the reference reads F32 only: " + e.getKey());
                }
                long begin = e.getValue().path("data_offsets").get(0).asLong();
                long end = e.getValue().path("data_offsets").get(1).asLong();
                ByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, 8 + headerLength + begin, end - begin)
                        .order(ByteOrder.LITTLE_ENDIAN);
                float[] values = new float[(int) ((end - begin) / 4)];
                data.asFloatBuffer().get(values);
                out.put(e.getKey(), values);
            }
            return out;
        }
    }
}
