package org.plateau.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.PlateauException;
import org.plateau.sae.Sae;
import org.plateau.sae.SaeKindFiles;

/** SAELens' GPT-2 small releases: names resolved to repositories and folders as SAELens does, served locally. */
class SaeReleasesTest {

    static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";

    @TempDir
    Path tmp;
    HubServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    HubClient client() {
        return new HubClient(new HubSettings(server.url(), tmp.resolve("hf/hub"), null, false, server.url()));
    }

    @Test
    void theResJbReleaseHasAnSaeAtEveryLayersInput() {
        SaeReleases.Release r = SaeReleases.require("gpt2-small-res-jb");
        assertEquals("jbloom/GPT2-Small-SAEs-Reformatted", r.repo());
        for (int layer = 0; layer < 12; layer++) {
            SaeReleases.Entry e = r.atLayer(layer);
            assertEquals("blocks." + layer + ".hook_resid_pre", e.id());
            assertEquals(e.id(), e.path(), "the folders are hook names");
            assertEquals("gpt2-small/" + layer + "-res-jb", e.neuronpediaId());
        }
        assertNull(r.atLayer(12));
        assertTrue(SaeReleases.all().size() >= 15, "the other GPT-2 small releases are listed too");
        // a release of residual-stream outputs: the layer's SAE is at the block's output
        assertEquals("blocks.3.hook_resid_post", SaeReleases.require("gpt2-small-resid-post-v5-32k").atLayer(3).id());
        assertNull(SaeReleases.require("gpt2-small-mlp-out-v5-32k").atLayer(3), "MLP outputs are not the residual stream");
    }

    @Test
    void aReleaseSaeWithoutSparsityDownloadsFromItsFolder() throws Exception {
        Path sae = SaeKindFiles.write(tmp.resolve("v5"), "\"architecture\": \"topk\", \"k\": 8,"
                + " \"normalize_activations\": \"layer_norm\", \"hook_name\": \"blocks.3.hook_resid_post\"", 3, "b_enc");
        Files.delete(sae.resolve("sparsity.safetensors")); // OpenAI's SAEs come without one
        server = new HubServer().repo("jbloom/GPT2-Small-OAI-v5-32k-resid-post-SAEs", COMMIT, sae, "v5_32k_layer_3.pt/");
        ModelSources.Resolved r = ModelSources.sae("gpt2-small-resid-post-v5-32k/blocks.3.hook_resid_post", client(),
                DownloadListener.NONE);
        assertTrue(r.description().startsWith("jbloom/GPT2-Small-OAI-v5-32k-resid-post-SAEs/v5_32k_layer_3.pt at main"),
                r.description());
        assertEquals("gpt2-small/3-res_post_32k-oai", r.release().neuronpediaId());
        assertFalse(Files.exists(r.dir().resolve("sparsity.safetensors")));
        Sae loaded = Sae.load(r.dir());
        assertEquals("topk (k = 8), layer_norm", loaded.config().kind());
        assertFalse(loaded.hasSparsity());
        // found again in the cache by its path: still known as that release's SAE
        assertEquals(r.release(), ModelSources.sae(r.dir().toString(), client(), DownloadListener.NONE).release());
    }

    @Test
    void aFolderWithAColonAndANormScalingFactorIsFoldedAsSaeLensDoes() throws Exception {
        Path sae = SaeKindFiles.write(tmp.resolve("tm"), "\"architecture\": \"standard\","
                + " \"normalize_activations\": \"expected_average_only_in\"", 4, "b_enc");
        server = new HubServer().repo("tommmcgrath/gpt2-small-mlp-out-saes", COMMIT, sae,
                "sae_group_gpt2_blocks.0.hook_mlp_out_24576:v1/");
        ModelSources.Resolved r = ModelSources.sae("gpt2-small-mlp-tm/blocks.0.hook_mlp_out", client(), DownloadListener.NONE);
        assertEquals(1.049317316132615, r.normScalingFactor());
        assertEquals(1.049317316132615, Sae.load(r.dir(), r.normScalingFactor()).foldedScale());
        // the same folder named by repository and path finds its factor too
        assertEquals(1.049317316132615, ModelSources.sae("tommmcgrath/gpt2-small-mlp-out-saes/"
                + "sae_group_gpt2_blocks.0.hook_mlp_out_24576:v1", client(), DownloadListener.NONE).normScalingFactor());
    }

    @Test
    void releasesPlateauCannotReadAreRefusedInOneSentence() throws Exception {
        server = new HubServer();
        PlateauException e = assertThrows(PlateauException.class,
                () -> ModelSources.sae("gpt2-small-hook-z-kk/blocks.2.hook_z", client(), DownloadListener.NONE));
        assertTrue(e.getMessage().contains("another format than SAELens'"), e.getMessage());
        assertEquals(0, server.requests.get(), "refused before asking the hub");
        e = assertThrows(PlateauException.class,
                () -> ModelSources.sae("gpt2-small-res-jb/blocks.99.hook_resid_pre", client(), DownloadListener.NONE));
        assertTrue(e.getMessage().contains("has no SAE 'blocks.99.hook_resid_pre'; it has blocks.0.hook_resid_pre"),
                e.getMessage());
        e = assertThrows(PlateauException.class, () -> SaeReleases.require("gpt2-small-nope"));
        assertTrue(e.getMessage().contains("gpt2-small-res-jb"), e.getMessage());
    }
}
