package org.plateau.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.PlateauException;
import org.plateau.io.Hashing;

/**
 * A hub that misbehaves on purpose (real sockets): headers that name paths, bodies that stall,
 * two clients at once. Nothing may land outside the cache, nothing may hang, and nothing
 * unverified may sit under a verified name.
 */
class HostileHubTest {

    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final Path MODEL = Fixtures.tinyA().resolve("model");

    @TempDir
    Path tmp;
    HubServer server;

    @BeforeEach
    void serve() throws Exception {
        server = new HubServer().repo("openai-community/gpt2", COMMIT, MODEL, "")
                .repo("jbloom/GPT2-Small-SAEs-Reformatted", COMMIT, Fixtures.tinyA().resolve("sae"),
                        "blocks.1.hook_resid_pre/");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Path cacheRoot() {
        return tmp.resolve("home/hf/hub");
    }

    HubClient client(Duration downloadTimeout) {
        return new HubClient(new HubSettings(server.url(), cacheRoot(), null, false, server.url())
                .withTimeouts(Duration.ofSeconds(5), downloadTimeout));
    }

    /** Every file under tmp that is not inside the cache: there must be none. */
    List<Path> outsideTheCache() throws Exception {
        try (var s = Files.walk(tmp)) {
            return s.filter(p -> !Files.isDirectory(p) && !p.startsWith(cacheRoot())).toList();
        }
    }

    static void oneSentence(PlateauException e) {
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().endsWith("."), e.getMessage());
    }

    @Test
    void aPathShapedEtagNamesNoFile() throws Exception {
        for (String etag : List.of("../../../../escape/x", "../../../../../" + "a".repeat(60), "/etc/passwd",
                "0123456789abcdef0123456789abcdef0123456/", "ABCDEF" + "0".repeat(58))) {
            server.etagOverride = etag;
            PlateauException e = assertThrows(PlateauException.class,
                    () -> ModelSources.model("gpt2", client(Duration.ofSeconds(5)), DownloadListener.NONE), etag);
            oneSentence(e);
            assertTrue(e.getMessage().contains("malformed ETag"), e.getMessage());
        }
        assertEquals(List.of(), outsideTheCache());
        assertFalse(Files.exists(cacheRoot().resolve("models--openai-community--gpt2/blobs")), "nothing stored");
    }

    @Test
    void aPathShapedCommitNamesNoFolder() throws Exception {
        for (String commit : List.of("../../../../escape/d", "main", "0123456789abcdef0123456789abcdef0123456/")) {
            server.commitOverride = commit;
            PlateauException e = assertThrows(PlateauException.class,
                    () -> ModelSources.model("gpt2", client(Duration.ofSeconds(5)), DownloadListener.NONE), commit);
            oneSentence(e);
            assertTrue(e.getMessage().contains("X-Repo-Commit"), e.getMessage());
        }
        assertEquals(List.of(), outsideTheCache());
        assertFalse(Files.exists(cacheRoot().resolve("models--openai-community--gpt2/snapshots")));
        assertFalse(Files.exists(cacheRoot().resolve("models--openai-community--gpt2/refs")));
    }

    @Test
    void dotDotInANameIsRefusedBeforeAnythingIsReadOrWritten() throws Exception {
        HubClient hub = client(Duration.ofSeconds(5));
        for (String model : List.of("someorg/tiny@../../../x", "someorg/tiny@main/../../x", "org--x/name", "org/name.git", "-org/name")) {
            oneSentence(assertThrows(PlateauException.class, () -> ModelSources.model(model, hub, DownloadListener.NONE),
                    model));
        }
        // the read side: a folder that climbs out of the cache is refused without the network
        Files.createDirectories(tmp.resolve("home/x"));
        Files.writeString(tmp.resolve("home/x/cfg.json"), "{}");
        for (String sae : List.of("org/repo/../../../../x", "org/repo/a/../../../../x", "org/repo/./x")) {
            PlateauException e = assertThrows(PlateauException.class, () -> ModelSources.sae(sae, hub, DownloadListener.NONE),
                    sae);
            oneSentence(e);
            assertTrue(e.getMessage().contains("not a valid path inside a hub repository"), e.getMessage());
        }
        assertEquals(0, server.requests.get(), "refused before any request");
        assertEquals(List.of(tmp.resolve("home/x/cfg.json")), outsideTheCache());
    }

    @Test
    void aStalledBodyEndsInOneSentenceAndResumesLater() throws Exception {
        server.stallAfter = 1000;
        PlateauException e = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(PlateauException.class,
                () -> ModelSources.model("gpt2", client(Duration.ofSeconds(1)), DownloadListener.NONE)));
        oneSentence(e);
        assertTrue(e.getMessage().contains("stalled: no data for 1 s"), e.getMessage());
        assertTrue(e.getMessage().contains("run again to resume it"), e.getMessage());
        Path part = cacheRoot().resolve("models--openai-community--gpt2/blobs")
                .resolve(Hashing.sha256(MODEL.resolve("model.safetensors")) + ".incomplete");
        // each of the tries resumed from what the one before kept, and stalled again
        assertTrue(Files.size(part) > 0 && Files.size(part) < Files.size(MODEL.resolve("model.safetensors")),
                "what arrived is kept: " + Files.size(part));
        assertTrue(server.log.stream().anyMatch(l -> l.contains("range=bytes=")), "tries resumed: " + server.log);
        assertFalse(Files.exists(cacheRoot().resolve("models--openai-community--gpt2/snapshots").resolve(COMMIT)
                .resolve("model.safetensors")), "nothing unverified is linked");

        server.stallAfter = -1;
        long kept = Files.size(part);
        server.log.clear();
        ModelSources.Resolved m = ModelSources.model("gpt2", client(Duration.ofSeconds(5)), DownloadListener.NONE);
        assertEquals(Hashing.sha256(MODEL.resolve("model.safetensors")), Hashing.sha256(m.dir().resolve("model.safetensors")));
        assertTrue(server.log.stream().anyMatch(l -> l.contains("range=bytes=" + kept + "-")), server.log.toString());
    }

    @Test
    void twoClientsAtOnceTakeTurnsAndLeaveOneVerifiedBlob() throws Exception {
        server.dripMillis = 5;
        // the transfer starts only once both clients have asked for the file: both are past the cache lookup
        server.largeHeads = new java.util.concurrent.CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<String> waited = java.util.Collections.synchronizedList(new ArrayList<>());
        DownloadListener listener = new DownloadListener() {
            @Override
            public void progress(String file, long done, long total) {}

            @Override
            public void waiting(String file) {
                waited.add(file);
            }
        };
        Callable<Path> download = () -> ModelSources.model("gpt2", client(Duration.ofSeconds(10)), listener).dir();
        List<Future<Path>> both = List.of(pool.submit(download), pool.submit(download));
        List<Path> dirs = new ArrayList<>();
        for (Future<Path> f : both) {
            dirs.add(f.get());
        }
        pool.shutdown();
        assertEquals(dirs.get(0), dirs.get(1));
        Path blobs = cacheRoot().resolve("models--openai-community--gpt2/blobs");
        try (var s = Files.list(blobs)) {
            for (Path blob : s.toList()) {
                String name = blob.getFileName().toString();
                assertFalse(name.endsWith(".incomplete"), "no partial download left: " + name);
                String content = name.length() == 64 ? Hashing.sha256(blob) : Hashing.gitBlobId(blob);
                assertEquals(name, content, "a blob is what its name says");
            }
        }
        long transfers = server.log.stream().filter(l -> l.startsWith("GET /cdn/")).count();
        assertEquals(1, transfers, "the second client waited for the first and reused its download: " + server.log);
    }

    @Test
    void aSmallFileIsCheckedAgainstItsGitBlobId() throws Exception {
        server.wrongGitBlob = true; // config.json's etag is now another file's git blob id
        PlateauException e = assertThrows(PlateauException.class,
                () -> ModelSources.model("gpt2", client(Duration.ofSeconds(5)), DownloadListener.NONE));
        assertTrue(e.getMessage().contains("does not match the git blob id the hub announced"), e.getMessage());
        assertFalse(Files.exists(cacheRoot().resolve("models--openai-community--gpt2/snapshots").resolve(COMMIT)
                .resolve("config.json")));
    }
}
