package org.plateau;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.plateau.io.Json;

/**
 * The reference oracle's fixtures. {@code tiny-a} travels with the project (its data, copied from
 * the shared folder into src/test/resources), so the suite runs on a bare clone. When the shared
 * folder is present ({@code ../shared}, or $PLATEAU_SHARED), it adds checks: the oracle generates
 * its variant b (other shapes, the {@code transformer.} key prefix, an {@code lm_head} copy) into
 * target/, and the copy of tiny-a is compared with the shared one. A check that cannot run is
 * skipped with the reason (JUnit assumptions), never silently; CI sets PLATEAU_REQUIRE_ORACLE so
 * that a missing oracle fails instead.
 */
public final class Fixtures {

    /** One oracle output: a model, an SAE and expected.json. */
    public record Fixture(String name, Path dir, JsonNode expected) {
        public Path model() {
            return dir.resolve("model");
        }

        public Path sae() {
            return dir.resolve("sae");
        }

        public double tolerance(String key) {
            return expected.path("tolerance").path(key).asDouble();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The project's own copy of the oracle's tiny-a fixture. */
    private static final Path TINY_A = Path.of("src/test/resources/fixtures/tiny-a");
    /** The project's shared folder: -Dplateau.shared, else $PLATEAU_SHARED, else ../shared beside the clone. */
    private static final Path SHARED = Path.of(System.getProperty("plateau.shared",
            System.getenv("PLATEAU_SHARED") != null ? System.getenv("PLATEAU_SHARED") : "../shared"));
    private static List<Fixture> all;
    private static String oracleBUnavailable;

    private Fixtures() {}

    public static Path tinyA() {
        assertTrue(Files.isDirectory(TINY_A), "the project's copy of the oracle fixture is missing: " + TINY_A);
        return TINY_A;
    }

    /** The shared folder, or a skipped test saying what it would have checked (a failure under CI). */
    public static Path requireShared(String forWhat) {
        boolean present = Files.isDirectory(SHARED.resolve("fixtures"));
        String why = "skipped: " + forWhat + " needs the project's shared folder, not found at "
                + SHARED.toAbsolutePath().normalize() + " (set PLATEAU_SHARED to its path)";
        if (!present && System.getenv("PLATEAU_REQUIRE_ORACLE") != null) {
            fail(why.replace("skipped: ", ""));
        }
        if (!present) {
            System.out.println("[plateau tests] " + why);
        }
        assumeTrue(present, why);
        return SHARED;
    }

    public static JsonNode expected(Path fixture) {
        return Json.read(fixture.resolve("expected.json"));
    }

    /** Every fixture available: tiny-a, and oracle-b where the shared oracle can run. */
    public static synchronized Stream<Fixture> all() {
        if (all == null) {
            all = new ArrayList<>();
            all.add(new Fixture("tiny-a", tinyA(), expected(tinyA())));
            Path b = oracleB();
            if (b != null) {
                all.add(new Fixture("oracle-b", b, expected(b)));
            }
        }
        return all.stream();
    }

    public static Fixture a() {
        return all().findFirst().orElseThrow();
    }

    /** The oracle's variant b, or a skipped test saying why it is not here. */
    public static Fixture requireOracleB() {
        all();
        String why = "skipped: the oracle's variant b: " + oracleBUnavailable;
        if (oracleBUnavailable != null) {
            System.out.println("[plateau tests] " + why);
        }
        assumeTrue(oracleBUnavailable == null, why);
        return all.get(1);
    }

    private static Path oracleB() {
        Path out = Path.of("target/oracle-b");
        if (Files.exists(out.resolve("expected.json"))) {
            return out;
        }
        Path oracle = SHARED.resolve("oracle/plateau_oracle.py");
        String why;
        if (!Files.isRegularFile(oracle)) {
            why = "the shared folder with the oracle is not at " + SHARED.toAbsolutePath().normalize()
                    + " (set PLATEAU_SHARED)";
        } else {
            try {
                Process p = new ProcessBuilder("/usr/bin/python3", oracle.toString(), out.toString(), "--variant", "b")
                        .redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes());
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return out;
                }
                why = "the oracle did not run (needs /usr/bin/python3 with numpy and scipy): "
                        + log.lines().reduce((x, y) -> y).orElse("");
            } catch (IOException | InterruptedException e) {
                why = "the oracle did not run (" + e + ")";
            }
        }
        if (System.getenv("PLATEAU_REQUIRE_ORACLE") != null) {
            fail("the oracle could not generate variant b: " + why);
        }
        oracleBUnavailable = why;
        return null;
    }

    /** The shared OpenWebText sample: its 500 documents as GPT-2 token ids (nanoGPT's .bin, ended by 50256). */
    public static List<int[]> openWebTextDocuments() throws IOException {
        Path bin = requireShared("the OpenWebText sample").resolve("data/openwebtext-10k-val.bin");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(bin)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        List<int[]> docs = new ArrayList<>();
        int[] ids = new int[b.remaining() / 2];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = b.getShort() & 0xffff;
        }
        int start = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == 50256) {
                docs.add(java.util.Arrays.copyOfRange(ids, start, i));
                start = i + 1;
            }
        }
        return docs;
    }

    /**
     * Documents of random token ids (lengths 12 to 80), the same for a seed: rows for the dataset
     * tests, which need token sequences, not real text.
     */
    public static List<int[]> randomDocuments(int count, int vocab, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        List<int[]> docs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            docs.add(r.ints(12 + r.nextInt(69), 0, vocab).toArray());
        }
        return docs;
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    public static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    public static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** ‖actual − expected‖ / ‖expected‖, the oracle's "activation_rel". */
    public static double relativeError(float[] actual, double[] expected) {
        return relativeError(doubles(actual), expected);
    }

    public static double relativeError(double[] actual, double[] expected) {
        assertTrue(actual.length == expected.length, "length " + actual.length + " != " + expected.length);
        double num = 0;
        double den = 0;
        for (int i = 0; i < actual.length; i++) {
            num += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            den += expected[i] * expected[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
    }
}
