package org.plateau.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.PlateauException;
import org.plateau.io.Hashing;
import org.plateau.model.Gpt2;
import org.plateau.model.Processing;
import org.plateau.sae.Sae;

/** Downloads and the cache, against a local server in the hub's layout (real sockets). */
class HubTest {

    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final Path FIXTURE = Fixtures.tinyA();

    @TempDir
    Path tmp;
    HubServer server;

    @BeforeEach
    void serve() throws Exception {
        server = new HubServer()
                .repo("openai-community/gpt2", COMMIT, FIXTURE.resolve("model"), "")
                .repo("jbloom/GPT2-Small-SAEs-Reformatted", COMMIT, FIXTURE.resolve("sae"), "blocks.1.hook_resid_pre/");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HubClient client(boolean offline, String token) {
        return new HubClient(new HubSettings(server.url(), tmp.resolve("hf/hub"), token, offline, server.url()));
    }

    /** The files in blobs/ and snapshots/ of a repository in the cache. */
    List<Path> cached(String repo) throws Exception {
        Path folder = tmp.resolve("hf/hub").resolve("models--" + repo.replace("/", "--"));
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (var s = Files.walk(folder)) {
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    || Files.isSymbolicLink(p)).toList();
        }
    }

    @Test
    void downloadsThenReusesTheCacheWithTheServerStopped() throws Exception {
        ModelSources.Resolved m = ModelSources.model("gpt2", client(false, null), DownloadListener.NONE);
        ModelSources.Resolved s = ModelSources.sae("gpt2-small-res-jb/blocks.1.hook_resid_pre", client(false, null),
                DownloadListener.NONE);
        assertEquals(Hashing.sha256(FIXTURE.resolve("model/model.safetensors")), Hashing.sha256(m.dir().resolve("model.safetensors")));
        assertTrue(m.description().startsWith("openai-community/gpt2 at main"), m.description());
        // the official layout: refs/main names the commit, snapshots link to blobs named by etag
        Path repo = tmp.resolve("hf/hub/models--openai-community--gpt2");
        assertEquals(COMMIT, Files.readString(repo.resolve("refs/main")));
        Path snap = repo.resolve("snapshots").resolve(COMMIT).resolve("model.safetensors");
        assertTrue(Files.isSymbolicLink(snap));
        assertTrue(Files.exists(repo.resolve("blobs").resolve(Hashing.sha256(FIXTURE.resolve("model/model.safetensors")))));
        try (Gpt2 model = Gpt2.load(m.dir(), Processing.TL)) {
            assertEquals(4, model.config().nLayer());
        }
        assertEquals(256, Sae.load(s.dir()).width());

        server.close();
        int before = server.requests.get();
        ModelSources.Resolved again = ModelSources.model("openai-community/gpt2", client(false, null), DownloadListener.NONE);
        assertEquals(m.dir(), again.dir());
        ModelSources.sae("jbloom/GPT2-Small-SAEs-Reformatted/blocks.1.hook_resid_pre", client(false, null), DownloadListener.NONE);
        assertEquals(before, server.requests.get(), "no request once cached");
    }

    @Test
    void aDroppedConnectionResumesWhereItStopped() throws Exception {
        server.dropAfter = 300_000;
        long[] last = new long[2];
        ModelSources.Resolved m = ModelSources.model("gpt2", client(false, null), (f, done, total) -> {
            last[0] = done;
            last[1] = total;
        });
        assertEquals(Hashing.sha256(FIXTURE.resolve("model/model.safetensors")), Hashing.sha256(m.dir().resolve("model.safetensors")));
        // how much of the first transfer the client kept when the reset came depends on buffering;
        // what matters: the second request asked for exactly the bytes kept, and the file verified
        List<String> ranged = server.log.stream().filter(l -> l.contains("range=bytes=")).toList();
        assertEquals(1, ranged.size(), server.log.toString());
        long from = Long.parseLong(ranged.get(0).replaceAll(".*range=bytes=(\\d+)-.*", "$1"));
        assertTrue(from > 0 && from <= 300_000, "resumed from the bytes kept: " + from);
        assertEquals(from, server.rangeStarts.get(0), "the server sent the rest from there");
        assertEquals(last[1], last[0], "progress reached the total");
    }

    @Test
    void aChecksumMismatchIsRejectedAndNothingIsKept() throws Exception {
        server.wrongSha = true;
        PlateauException e = assertThrows(PlateauException.class,
                () -> ModelSources.model("gpt2", client(false, null), DownloadListener.NONE));
        assertTrue(e.getMessage().contains("does not match the SHA-256"), e.getMessage());
        assertTrue(cached("openai-community/gpt2").stream().noneMatch(p -> p.toString().endsWith(".safetensors")
                || p.toString().endsWith(".incomplete") || p.getParent().getFileName().toString().equals("blobs")
                && p.toFile().length() > 100_000), "nothing of the bad file in the cache: " + cached("openai-community/gpt2"));
        assertFalse(Files.exists(tmp.resolve("hf/hub/models--openai-community--gpt2/snapshots").resolve(COMMIT)
                .resolve("model.safetensors")));
    }

    @Test
    void offlineModeUsesTheCacheAndNeverTheNetwork() throws Exception {
        ModelSources.model("gpt2", client(false, null), DownloadListener.NONE);
        int before = server.requests.get();
        ModelSources.model("gpt2", client(true, null), DownloadListener.NONE);
        PlateauException e = assertThrows(PlateauException.class,
                () -> ModelSources.sae("gpt2-small-res-jb/blocks.1.hook_resid_pre", client(true, null), DownloadListener.NONE));
        assertTrue(e.getMessage().startsWith("HF_HUB_OFFLINE is set and the cache at"), e.getMessage());
        assertTrue(e.getMessage().contains("does not hold blocks.1.hook_resid_pre/cfg.json"), e.getMessage());
        assertTrue(e.getMessage().contains("pass that folder instead"), e.getMessage());
        assertEquals(before, server.requests.get(), "offline: no request at all");
    }

    @Test
    void unauthorisedAndMissingFilesSayWhatToDo() {
        server.requiredToken = "secret";
        PlateauException e401 = assertThrows(PlateauException.class,
                () -> ModelSources.model("gpt2", client(false, null), DownloadListener.NONE));
        assertTrue(e401.getMessage().contains("refused access to openai-community/gpt2 (401)"), e401.getMessage());
        assertTrue(e401.getMessage().contains("set HF_TOKEN"), e401.getMessage());
        assertTrue(e401.getMessage().contains("config.json, model.safetensors of openai-community/gpt2"), e401.getMessage());
        // with the token it works, and the token never goes to the CDN
        server.log.clear();
        ModelSources.model("gpt2", client(false, "secret"), DownloadListener.NONE);
        assertTrue(server.log.stream().filter(l -> l.contains("/resolve/")).allMatch(l -> l.endsWith("auth")));
        assertTrue(server.log.stream().filter(l -> l.startsWith("GET /cdn/")).noneMatch(l -> l.endsWith("auth")), server.log.toString());

        PlateauException e404 = assertThrows(PlateauException.class,
                () -> ModelSources.model("openai-community/gpt2-xxl", client(false, "secret"), DownloadListener.NONE));
        assertTrue(e404.getMessage().contains("has no file config.json in openai-community/gpt2-xxl at revision main (404)"),
                e404.getMessage());
    }

    @Test
    void noNetworkSaysSoInOneSentence() {
        server.close();
        PlateauException e = assertThrows(PlateauException.class,
                () -> ModelSources.model("gpt2", client(false, null), DownloadListener.NONE));
        assertTrue(e.getMessage().startsWith("Cannot reach the hub at " + server.url()), e.getMessage());
        assertTrue(e.getMessage().endsWith("."), e.getMessage());
    }

    @Test
    void aCachePopulatedByTheOfficialClientIsUsedWithoutARequest() throws Exception {
        // the layout huggingface_hub writes: blobs by etag, snapshot links, refs/main
        Path repo = tmp.resolve("hf/hub/models--openai-community--gpt2");
        String commit = "fedcba9876543210fedcba9876543210fedcba98";
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), commit);
        for (String f : List.of("config.json", "model.safetensors")) {
            byte[] data = Files.readAllBytes(FIXTURE.resolve("model").resolve(f));
            String etag = Hashing.sha256(FIXTURE.resolve("model").resolve(f));
            Path blob = Files.createDirectories(repo.resolve("blobs")).resolve(etag);
            Files.write(blob, data);
            Path link = Files.createDirectories(repo.resolve("snapshots").resolve(commit)).resolve(f);
            Files.createSymbolicLink(link, Path.of("../../blobs").resolve(etag));
        }
        server.close();
        ModelSources.Resolved m = ModelSources.model("gpt2", client(false, null), DownloadListener.NONE);
        assertEquals(repo.resolve("snapshots").resolve(commit), m.dir());
        assertEquals(0, server.requests.get());
        try (Gpt2 model = Gpt2.load(m.dir(), Processing.RAW)) {
            assertEquals(64, model.config().dModel());
        }
    }

    @Test
    void datasetRowsArePagedCachedAndReusedOffline() throws Exception {
        List<int[]> docs = Fixtures.randomDocuments(500, 512, 3);
        server.dataset("test/owt", docs);
        List<int[]> rows = HubDataset.rowStarts("hf:test/owt?rows=250", 10, client(false, null), null, tmp);
        assertEquals(250, rows.size());
        int pages = (int) server.log.stream().filter(l -> l.startsWith("GET /rows")).count();
        assertEquals(1 + 3, pages, "a first look for the total, then 3 pages of 100");
        for (int[] r : rows) {
            assertEquals(10, r.length);
            assertTrue(docs.stream().anyMatch(d -> java.util.Arrays.equals(java.util.Arrays.copyOf(d, 10), r)),
                    "a row is the start of a real document");
        }
        server.close();
        List<int[]> again = HubDataset.rowStarts("hf:test/owt?rows=250", 10, client(true, null), null, tmp);
        assertEquals(rows.size(), again.size());
        for (int i = 0; i < rows.size(); i++) {
            assertArrayEquals(rows.get(i), again.get(i));
        }
        PlateauException e = assertThrows(PlateauException.class,
                () -> HubDataset.rowStarts("hf:test/other", 10, client(true, null), null, tmp));
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
    }

    @Test
    void namesAreUnderstood() {
        HubClient hub = client(false, null);
        // a path is a path, never a hub id: whether it exists is for the loader to say
        ModelSources.Resolved local = ModelSources.model("/no/such/folder", hub, DownloadListener.NONE);
        assertEquals(Path.of("/no/such/folder"), local.dir());
        assertEquals(0, server.requests.get());
        assertTrue(assertThrows(PlateauException.class, () -> ModelSources.model("not a name!", hub, DownloadListener.NONE))
                .getMessage().contains("neither a folder nor a hub id"));
        assertTrue(assertThrows(PlateauException.class, () -> ModelSources.sae("no such/thing", hub, DownloadListener.NONE))
                .getMessage().contains("neither a folder nor a hub id"));
        // SAELens' shorthand names a folder of jbloom's repository
        ModelSources.Resolved s = ModelSources.sae("gpt2-small-res-jb/blocks.1.hook_resid_pre", hub, DownloadListener.NONE);
        assertTrue(s.description().startsWith("jbloom/GPT2-Small-SAEs-Reformatted/blocks.1.hook_resid_pre"), s.description());
        assertEquals("blocks.1.hook_resid_pre", s.dir().getFileName().toString());
    }
}
