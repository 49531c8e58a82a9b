package org.plateau.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.io.SafetensorsWriter;

/** Each kind of bad input gives one clear sentence and exit code 2, never a stack trace. */
class BadInputTest {

    static final Path FIXTURE = Fixtures.tinyA();
    static final String MODEL = FIXTURE.resolve("model").toString();
    static final String SAE = FIXTURE.resolve("sae").toString();
    static final String TOKENS = "1,2,3,4,5,6,7,8,9,10";

    @TempDir
    Path tmp;

    Path copyModel() throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(FIXTURE.resolve("model").resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    @Test
    void missingModelFolder() {
        CliRun.of("forward", "--model", tmp.resolve("nowhere").toString(), "--tokens", TOKENS).assertRefused("does not exist");
    }

    @Test
    void missingWeightsFile() throws IOException {
        Path dir = copyModel();
        Files.delete(dir.resolve("model.safetensors"));
        CliRun.of("forward", "--model", dir.toString(), "--tokens", TOKENS).assertRefused("model.safetensors");
    }

    @Test
    void missingConfig() throws IOException {
        Path dir = copyModel();
        Files.delete(dir.resolve("config.json"));
        CliRun.of("forward", "--model", dir.toString(), "--tokens", TOKENS).assertRefused("config.json");
    }

    @Test
    void truncatedWeights() throws IOException {
        Path dir = copyModel();
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("model.safetensors").toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        CliRun.of("forward", "--model", dir.toString(), "--tokens", TOKENS).assertRefused("truncated");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        Path dir = copyModel();
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("model.safetensors").toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).array());
        }
        CliRun.of("forward", "--model", dir.toString(), "--tokens", TOKENS).assertRefused("header length");
    }

    @Test
    void headerClaimingAnEnormousTensor() throws IOException {
        Path dir = copyModel();
        // 2^62 × 4 elements would overflow any size computation; the file holds 8 bytes
        writeRawSafetensors(dir.resolve("model.safetensors"),
                "{\"wte.weight\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8);
        CliRun.of("forward", "--model", dir.toString(), "--tokens", TOKENS).assertRefused("more elements than can exist");
        writeRawSafetensors(dir.resolve("model.safetensors"),
                "{\"wte.weight\":{\"dtype\":\"F32\",\"shape\":[512,64],\"data_offsets\":[0,8]}}", 8);
        CliRun.of("forward", "--model", dir.toString(), "--tokens", TOKENS).assertRefused("but its shape needs");
        writeRawSafetensors(dir.resolve("model.safetensors"), "[1,2,3]", 0);
        CliRun.of("forward", "--model", dir.toString(), "--tokens", TOKENS).assertRefused("not a JSON object");
    }

    static void writeRawSafetensors(Path file, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(file, b.array());
    }

    @Test
    void wrongShapes() throws IOException {
        Path dir = copyModel();
        String cfg = Files.readString(dir.resolve("config.json")).replace("\"n_embd\": 64", "\"n_embd\": 32");
        Files.writeString(dir.resolve("config.json"), cfg);
        CliRun.of("forward", "--model", dir.toString(), "--tokens", TOKENS).assertRefused("shape");
    }

    @Test
    void tokenIdOutsideTheVocabulary() {
        CliRun.of("forward", "--model", MODEL, "--tokens", "1,2,512").assertRefused("vocabulary");
        CliRun.of("forward", "--model", MODEL, "--tokens", "1,-2,3").assertRefused("vocabulary");
        CliRun.of("forward", "--model", MODEL, "--tokens", "1,two,3").assertRefused("token ids");
    }

    @Test
    void promptLongerThanTheContext() {
        StringBuilder ids = new StringBuilder("1");
        for (int i = 0; i < 32; i++) {
            ids.append(",1");
        }
        CliRun.of("forward", "--model", MODEL, "--tokens", ids.toString()).assertRefused("context");
    }

    @Test
    void textPromptForAModelWithoutGpt2sVocabulary() {
        CliRun.of("forward", "--model", MODEL, "--prompt", "Hello there").assertRefused("vocabulary");
    }

    @Test
    void saeWidthDifferentFromTheModel() throws IOException {
        Path sae = tmp.resolve("sae48");
        Files.createDirectories(sae);
        Files.writeString(sae.resolve("cfg.json"), "{\"d_in\": 48, \"d_sae\": 4, \"hook_name\": \"blocks.1.hook_resid_pre\"}");
        new SafetensorsWriter()
                .put("W_enc", i -> 0.1f, 48, 4).put("b_enc", i -> 0f, 4)
                .put("W_dec", i -> 0.1f, 4, 48).put("b_dec", i -> 0f, 48)
                .write(sae.resolve("sae_weights.safetensors"));
        new SafetensorsWriter().put("sparsity", new float[] {-1, -2, -3, -9}, 4).write(sae.resolve("sparsity.safetensors"));
        CliRun.of("encode", "--model", MODEL, "--sae", sae.toString(), "--tokens", TOKENS).assertRefused("width");
    }

    @Test
    void saeWithWeightsOfTheWrongShape() throws IOException {
        Path sae = tmp.resolve("sae-bad");
        Files.createDirectories(sae);
        Files.writeString(sae.resolve("cfg.json"), "{\"d_in\": 64, \"d_sae\": 8}");
        new SafetensorsWriter()
                .put("W_enc", i -> 0.1f, 64, 4).put("b_enc", i -> 0f, 4)
                .put("W_dec", i -> 0.1f, 4, 64).put("b_dec", i -> 0f, 64)
                .write(sae.resolve("sae_weights.safetensors"));
        new SafetensorsWriter().put("sparsity", new float[] {-1, -2, -3, -9}, 4).write(sae.resolve("sparsity.safetensors"));
        CliRun.of("encode", "--model", MODEL, "--sae", sae.toString(), "--tokens", TOKENS).assertRefused("shape");
    }

    @Test
    void unknownOptionCommandAndValues() {
        CliRun.of("forward", "--model", MODEL, "--tokens", TOKENS, "--colour", "red").assertRefused("unknown option --colour");
        CliRun.of("fly").assertRefused("unknown command");
        CliRun.of("curve", "--model", MODEL, "--tokens", TOKENS, "--target", "banana").assertRefused("unknown target type");
        CliRun.of("curve", "--model", MODEL, "--tokens", TOKENS, "--target", "random", "--mode", "sideways")
                .assertRefused("step mode");
        CliRun.of("curve", "--model", MODEL, "--tokens", TOKENS, "--target", "random", "--step-size", "-1")
                .assertRefused("step size");
        CliRun.of("curve", "--model", MODEL, "--tokens", TOKENS, "--target", "random", "--step-size", "abc")
                .assertRefused("number");
        CliRun.of("curve", "--model", MODEL, "--tokens", TOKENS, "--target", "synthetic-structured")
                .assertRefused("needs an SAE");
        CliRun.of("curve", "--model", MODEL, "--tokens", TOKENS, "--target", "random", "--hook", "blocks.9.hook_resid_pre")
                .assertRefused("blocks 0 to 3");
        CliRun.of("curve", "--model", MODEL, "--tokens", TOKENS, "--target", "random", "--hook", "blocks.2.hook_resid_pre",
                "--read", "blocks.0.hook_resid_post").assertRefused("comes before");
        CliRun.of("forward", "--model", MODEL).assertRefused("--tokens");
        CliRun.of("forward", "--tokens", TOKENS).assertRefused("--model");
        CliRun.of("synth", "--model", MODEL, "--sae", SAE, "--tokens", TOKENS, "--method", "magic").assertRefused("unknown method");
        CliRun.of("bench", "--rounds", "0").assertRefused("--rounds must be between 1 and 20");
        CliRun.of("bench", "--sweeps", "0").assertRefused("--sweeps must be between 1 and 1000");
    }
}
