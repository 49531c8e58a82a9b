package org.plateau.experiment;

import java.nio.file.Path;
import org.plateau.hub.SaeReleases;
import org.plateau.sae.Sae;

/**
 * An SAE with where it came from: its folder, a description for provenance, and its entry in
 * SAELens' release list (which gives its Neuronpedia source) when it has one.
 */
public record LoadedSae(Sae sae, Path dir, String source, SaeReleases.Entry release) {

    /** Its Neuronpedia id ({@code gpt2-small/11-res-jb}): from the release list, else its cfg.json; or null. */
    public String neuronpediaId() {
        return release != null && release.neuronpediaId() != null ? release.neuronpediaId() : sae.config().neuronpediaId();
    }
}
