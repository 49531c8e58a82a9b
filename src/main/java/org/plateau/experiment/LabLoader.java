package org.plateau.experiment;

import ai.djl.Device;
import java.nio.file.Path;
import org.plateau.perturbation.Paper;
import org.plateau.data.Datasets;
import org.plateau.hub.DownloadListener;
import org.plateau.hub.HubClient;
import org.plateau.hub.ModelSources;
import org.plateau.hub.SaeReleases;
import org.plateau.io.FileHashes;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.sae.Sae;

/**
 * Loading, the one recipe the command line and the window share: what {@code --model} and
 * {@code --sae} name (a folder, a hub id, or the demo) becomes a {@link Lab}, downloading what is
 * missing; and the model check, made once per weights file and remembered.
 */
public final class LabLoader {

    /**
     * What to load: a model and optionally an SAE, as the user named them, and optionally a second
     * SAE trained at the read hook (the explorer shows what the read layer does across a blow-up).
     */
    public record Request(String model, String sae, Processing processing, Device device, String readSae) {

        public Request(String model, String sae, Processing processing, Device device) {
            this(model, sae, processing, device, null);
        }
    }

    private LabLoader() {}

    public static Lab open(Request r, HubClient hub, DownloadListener downloads) {
        ModelSources.Resolved m = ModelSources.model(r.model(), hub, downloads);
        ModelSources.Resolved s = r.sae() == null || r.sae().isBlank() ? null : ModelSources.sae(r.sae(), hub, downloads);
        Lab lab = Lab.open(m.dir(), s == null ? null : s.dir(), s == null ? null : s.normScalingFactor(), r.processing(),
                r.device());
        lab.describeSources(m.description(), s == null ? null : s.description(), m.repo());
        if (s != null) {
            lab.describeRelease(s.release());
        }
        if (m.demo() || (s != null && s.demo())) {
            lab.markDemo();
        }
        if (r.readSae() != null && !r.readSae().isBlank()) {
            try {
                lab.useReadSae(loadSae(r.readSae(), hub, downloads, lab.model().config().dModel()));
            } catch (RuntimeException e) {
                lab.close();
                throw e;
            }
        }
        return lab;
    }

    /** An SAE named as {@code --sae} names one, checked to read activations of width {@code dModel}. */
    public static LoadedSae loadSae(String spec, HubClient hub, DownloadListener downloads, int dModel) {
        ModelSources.Resolved s = ModelSources.sae(spec, hub, downloads);
        Sae sae = Sae.load(s.dir(), s.normScalingFactor());
        sae.checkWidth(dModel);
        return new LoadedSae(sae, s.dir(), s.description(), s.release());
    }

    /**
     * The lab's model with another SAE, named as {@code --sae} names one (downloaded when missing):
     * a layer study's SAE of each layer. Close the result; the model stays with {@code base}.
     */
    public static Lab withSae(Lab base, String sae, HubClient hub, DownloadListener downloads) {
        ModelSources.Resolved s = ModelSources.sae(sae, hub, downloads);
        return base.withSae(s.dir(), s.normScalingFactor(), s.description(), s.release());
    }

    /** As {@link #withSae}, the model passing to the result; {@code base} must no longer be used (then close it). */
    public static Lab replacingSae(Lab base, String sae, HubClient hub, DownloadListener downloads) {
        ModelSources.Resolved s = ModelSources.sae(sae, hub, downloads);
        return base.replacingSae(s.dir(), s.normScalingFactor(), s.description(), s.release());
    }

    /**
     * The SAE to perturb at {@code hook} with, as {@code --sae} names it, when the lab's SAE is one of
     * a family: of the same SAELens release, or a sibling folder named by the hook (a release laid out
     * on disk); null when there is none, or the lab's SAE already is that hook's.
     */
    public static String saeAt(Lab lab, HookPoint hook) {
        if (lab.sae() == null || hook.name().equals(lab.sae().config().hookName())) {
            return null;
        }
        SaeReleases.Release release = SaeReleases.releaseOf(lab.saeRelease());
        if (release != null) {
            return release.saes().stream().filter(e -> e.id().equals(hook.name())).findFirst()
                    .map(release::spec).orElse(null);
        }
        Path dir = lab.saeDir() == null ? null : lab.saeDir().toAbsolutePath().normalize();
        if (dir != null && dir.getParent() != null && dir.getFileName().toString().matches("blocks\\.\\d+\\.hook_\\w+")) {
            Path sibling = dir.getParent().resolve(hook.name());
            return java.nio.file.Files.isRegularFile(sibling.resolve("cfg.json")) ? sibling.toString() : null;
        }
        return null;
    }

    /** Whether the automatic check applies: to models that came from the hub (downloaded or cached). */
    public static boolean checksAutomatically(Lab lab) {
        return lab.modelRepo() != null;
    }

    /** A check made before for these files, or null (no work done). */
    public static ModelCheck remembered(Lab lab, HookPoint hook) {
        return lab.modelDir() == null ? null : ModelCheck.remembered(key(lab, hook));
    }

    /**
     * The model check for the lab's files: remembered if made before, else made now and
     * remembered. The lab keeps it for provenance.
     */
    public static ModelCheck check(Lab lab, HookPoint hook) {
        ModelCheck known = remembered(lab, hook);
        ModelCheck c = known != null ? known : checkNow(lab, hook, lab.modelRepo());
        lab.recordCheck(c);
        return c;
    }

    /** The check made afresh (and remembered), comparing with the published output of {@code repo}. */
    public static ModelCheck checkNow(Lab lab, HookPoint hook, String repo) {
        ModelCheck c = checkNow(lab, hook, repo, lab.sae(), lab.saeDir(), lab.saeSource());
        lab.recordCheck(c);
        return c;
    }

    /**
     * The check of the lab's model with an SAE that may not fit it (a width or hook that differs is
     * reported, not refused): what {@code plateau check} asks.
     */
    public static ModelCheck checkNow(Lab lab, HookPoint hook, String repo, Sae sae, Path saeDir, String saeName) {
        String sha = FileHashes.sha256(lab.modelDir().resolve("model.safetensors"));
        ModelCheck c = ModelCheck.run(lab.modelSource(), lab.modelDir(), sha, lab.model(), ModelCheck.referenceFor(repo),
                sae, saeName, hook, Datasets.defaultFor(lab.model().config(), Paper.PROMPT_LENGTH));
        c.remember(key(lab.modelDir(), saeDir, hook));
        return c;
    }

    private static String key(Lab lab, HookPoint hook) {
        return key(lab.modelDir(), lab.saeDir(), hook);
    }

    private static String key(Path modelDir, Path saeDir, HookPoint hook) {
        return ModelCheck.key(FileHashes.sha256(modelDir.resolve("model.safetensors")),
                saeDir == null ? null : FileHashes.sha256(saeDir.resolve("sae_weights.safetensors")), hook);
    }
}
