package org.plateau.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.PlateauJar;
import org.plateau.PlateauJar.Result;
import org.plateau.io.Hashing;
import org.plateau.io.Json;

/** The packaged program with the hub's variables pointing at a local server (real sockets). */
class HubCommandLineIT {

    static final String COMMIT = "abcdef0123456789abcdef0123456789abcdef01";

    @Test
    void reproduceWithThePapersDefaultsComesFromTheHubThenWorksOffline(@TempDir Path tmp) throws Exception {
        Path fixture = Fixtures.tinyA();
        try (HubServer server = new HubServer()
                .repo("openai-community/gpt2", COMMIT, fixture.resolve("model"), "")
                .repo("jbloom/GPT2-Small-SAEs-Reformatted", COMMIT, fixture.resolve("sae"), "blocks.1.hook_resid_pre/")) {
            Map<String, String> env = Map.of("HF_ENDPOINT", server.url(), "HF_HOME", tmp.resolve("hf").toString(),
                    "PLATEAU_CACHE", tmp.resolve("plateau").toString());
            Result r = PlateauJar.run(env, "reproduce", "--out", tmp.resolve("run").toString(), "--n", "2",
                    "--stats-activations", "300");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("downloading model.safetensors"), "a progress line: " + r.err());
            JsonNode results = Json.MAPPER.readTree(tmp.resolve("run/results.json").toFile());
            // --dataset auto is recorded as what it resolved to, so that reopening finds the same prompts
            assertEquals("sample-prompts", results.path("settings").path("dataset").asText());
            JsonNode prov = results.path("provenance");
            assertTrue(prov.path("model").path("source").asText().startsWith("openai-community/gpt2 at main (abcdef012345)"),
                    prov.toString());
            assertTrue(prov.path("sae").path("source").asText().startsWith(
                    "jbloom/GPT2-Small-SAEs-Reformatted/blocks.1.hook_resid_pre"), prov.toString());
            assertTrue(Files.exists(tmp.resolve("hf/hub/models--openai-community--gpt2/refs/main")));
            // the fixture is no GPT-2: the model check says so, in results.json and in report.md
            assertEquals("failed", prov.path("check").path("verdict").asText(), prov.toString());
            assertTrue(prov.path("check").path("sae").path("mean_l0").isNumber(), prov.toString());
            String report = Files.readString(tmp.resolve("run/report.md"));
            assertTrue(report.contains("| model check | **failed** — openai-community/gpt2 at main"), report);
            assertTrue(report.contains("| SAE health | mean L0 "), report);
            assertTrue(r.err().contains("plateau: WARNING: openai-community/gpt2 at main"), r.err());

            server.close();
            Map<String, String> offline = new java.util.HashMap<>(env);
            offline.put("HF_HUB_OFFLINE", "1");
            Result again = PlateauJar.run(offline, "forward", "--model", "gpt2", "--tokens", "1,2,3");
            assertEquals(0, again.code(), again.err());
        }
    }

    @Test
    void withoutNetworkOrCacheItSaysSoAndOffersTheDemo(@TempDir Path tmp) throws Exception {
        Map<String, String> env = Map.of("HF_ENDPOINT", "http://127.0.0.1:9", "HF_HOME", tmp.resolve("hf").toString(),
                "PLATEAU_CACHE", tmp.resolve("plateau").toString());
        Result r = PlateauJar.run(env, "reproduce", "--out", tmp.resolve("run").toString(), "--n", "2");
        assertEquals(2, r.code());
        String message = r.err().strip();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith("plateau: Cannot reach the hub at http://127.0.0.1:9"), message);
        assertTrue(message.contains("config.json, model.safetensors of openai-community/gpt2"), message);
        assertTrue(message.endsWith("--model demo --sae demo (random weights, not results)."), message);
        assertTrue(!Files.exists(tmp.resolve("run")), "nothing written");
    }

    @Test
    void theDemoIsTheSameEverywhereAndLabelledAsRandomWeights(@TempDir Path tmp) throws Exception {
        Map<String, String> one = Map.of("PLATEAU_CACHE", tmp.resolve("one").toString(), "HF_HUB_OFFLINE", "1");
        Map<String, String> two = Map.of("PLATEAU_CACHE", tmp.resolve("two").toString(), "HF_HUB_OFFLINE", "1");
        assertEquals(0, PlateauJar.run(one, "forward", "--model", "demo", "--prompt", "Hello world").code());
        assertEquals(0, PlateauJar.run(two, "forward", "--model", "demo", "--prompt", "Hello world").code());
        for (String f : List.of("model/model.safetensors", "sae/sae_weights.safetensors", "sae/sparsity.safetensors")) {
            assertEquals(Hashing.sha256(tmp.resolve("one/demo/" + org.plateau.hub.DemoModel.VERSION).resolve(f)), Hashing.sha256(tmp.resolve("two/demo/" + org.plateau.hub.DemoModel.VERSION).resolve(f)), f);
        }
        try (HubServer server = new HubServer()) {
            List<int[]> docs = Fixtures.randomDocuments(500, 50257, 11);
            server.dataset("test/owt", docs);
            Map<String, String> env = Map.of("PLATEAU_CACHE", tmp.resolve("one").toString(),
                    "PLATEAU_DATASETS_SERVER", server.url(), "HF_ENDPOINT", server.url());
            Result r = PlateauJar.run(env, "reproduce", "--model", "demo", "--sae", "demo", "--n", "2", "--stats-activations", "150",
                    "--dataset", "hf:test/owt?rows=150", "--out", tmp.resolve("run").toString());
            assertEquals(0, r.code(), r.err());
        }
        String report = Files.readString(tmp.resolve("run/report.md"));
        assertTrue(report.contains("DEMO — random-weight model for trying the interface; these are not results."));
        assertTrue(report.contains("test/owt (first 10 tokens of 150 rows)"), report.substring(0, 1500));
        JsonNode results = Json.MAPPER.readTree(tmp.resolve("run/results.json").toFile());
        assertTrue(results.path("provenance").path("demo").asBoolean());
        for (JsonNode p : results.path("perturbations")) {
            int[] base = Fixtures.ints(p.path("base_tokens"));
            assertTrue(Fixtures.randomDocuments(500, 50257, 11).stream().anyMatch(d -> java.util.Arrays.equals(
                    java.util.Arrays.copyOf(d, 10), base)), "prompts are the dataset's row starts");
        }
    }

    @Test
    void aModelFromTheHubIsCheckedOnceAgainstItsPublishedOutput(@TempDir Path tmp) throws Exception {
        Path good = org.plateau.TestModels.following(tmp.resolve("good"), org.plateau.TestModels.PUBLISHED_GPT2);
        int[] wrongSeq = org.plateau.TestModels.PUBLISHED_GPT2.clone();
        wrongSeq[12] = 13;
        Path wrong = org.plateau.TestModels.following(tmp.resolve("wrong"), wrongSeq);
        try (HubServer server = new HubServer()
                .repo("openai-community/gpt2", COMMIT, good, "")
                .repo("someorg/not-gpt2", COMMIT, wrong, "")) {
            Map<String, String> env = Map.of("HF_ENDPOINT", server.url(), "HF_HOME", tmp.resolve("hf").toString(),
                    "PLATEAU_CACHE", tmp.resolve("plateau").toString());
            Result first = PlateauJar.run(env, "forward", "--model", "gpt2", "--tokens", "464,3290");
            assertEquals(0, first.code(), first.err());
            assertTrue(first.err().contains("checking openai-community/gpt2 at main"), first.err());
            assertTrue(first.err().contains("plateau: check: openai-community/gpt2 at main (abcdef012345) computes GPT-2"
                    + " small's published output (\"The dog\" and 18 greedy tokens, under tl and raw processing)."), first.err());
            Result second = PlateauJar.run(env, "forward", "--model", "gpt2", "--tokens", "464,3290");
            assertEquals(0, second.code(), second.err());
            assertTrue(!second.err().contains("check"), "remembered, not repeated: " + second.err());

            Result check = PlateauJar.run(env, "check", "--model", "gpt2");
            assertEquals(0, check.code(), check.err());
            assertEquals("passed", Json.MAPPER.readTree(check.out()).path("verdict").asText());

            // another repository has no published output; compared with GPT-2's on request, it fails
            Result other = PlateauJar.run(env, "check", "--model", "someorg/not-gpt2");
            assertEquals(0, other.code(), other.err());
            assertEquals("no published reference", Json.MAPPER.readTree(other.out()).path("verdict").asText());
            Result failed = PlateauJar.run(env, "check", "--model", "someorg/not-gpt2", "--reference", "openai-community/gpt2");
            assertEquals(1, failed.code(), failed.err());
            assertEquals("failed", Json.MAPPER.readTree(failed.out()).path("verdict").asText());
            assertTrue(failed.err().strip().startsWith("plateau: WARNING: someorg/not-gpt2 at main (abcdef012345) does not"
                    + " compute GPT-2 small's published output"), failed.err());
            assertTrue(failed.err().contains("gives token 13 where the published output has 290 (token 13)"), failed.err());
        }
    }

    /** Two programs downloading one file into one cache take turns (a lock per blob), as the official client's do. */
    @Test
    void twoProcessesDownloadingIntoOneCacheLeaveOneVerifiedBlob(@TempDir Path tmp) throws Exception {
        try (HubServer server = new HubServer().repo("openai-community/gpt2", COMMIT, Fixtures.tinyA().resolve("model"), "")) {
            server.dripMillis = 5;
            server.largeHeads = new java.util.concurrent.CountDownLatch(2); // both have asked before bytes flow
            List<Process> both = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ProcessBuilder pb = new ProcessBuilder(PlateauJar.command("forward", "--model", "gpt2", "--tokens", "1,2,3"));
                pb.environment().putAll(Map.of("HF_ENDPOINT", server.url(), "HF_HOME", tmp.resolve("hf").toString(),
                        "PLATEAU_CACHE", tmp.resolve("plateau" + i).toString()));
                both.add(pb.redirectErrorStream(true).redirectOutput(tmp.resolve("log" + i).toFile()).start());
            }
            for (int i = 0; i < 2; i++) {
                assertTrue(both.get(i).waitFor(3, TimeUnit.MINUTES));
                assertEquals(0, both.get(i).exitValue(), Files.readString(tmp.resolve("log" + i)));
            }
            Path blobs = tmp.resolve("hf/hub/models--openai-community--gpt2/blobs");
            try (var files = Files.list(blobs)) {
                for (Path blob : files.toList()) {
                    String name = blob.getFileName().toString();
                    assertTrue(!name.endsWith(".incomplete"), name);
                    assertEquals(name, name.length() == 64 ? Hashing.sha256(blob) : Hashing.gitBlobId(blob));
                }
            }
            assertEquals(1, server.log.stream().filter(l -> l.startsWith("GET /cdn/")).count(), server.log.toString());
        }
    }
}
