package org.plateau.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.plateau.PlateauException;
import org.plateau.data.Datasets.Dataset;
import org.plateau.hub.DownloadListener;
import org.plateau.hub.HubClient;
import org.plateau.hub.SaeReleases;
import org.plateau.io.AtomicFiles;
import org.plateau.io.Json;
import org.plateau.model.HookPoint;

/**
 * The study at every layer (beyond the paper, whose limitations ask for it): for each layer L,
 * the experiments of {@code reproduce} perturbing the residual stream at layer L with layer L's SAE
 * of one release. Each layer is a whole run of its own in {@code layer-LL/} — its journal, results,
 * report and figures, resumable — made by {@link Reproduction} with the same settings but the hook,
 * so layer 1's run is the one {@code reproduce} makes. The summary across layers is {@link LayerSummary}.
 */
public final class LayerStudy {

    /** What the study was asked, beside the layer folders; a resumed study must ask the same. */
    public static final String MANIFEST = "layers.json";

    /**
     * Where layer L is perturbed, and its SAE as {@code --sae} names it.
     *
     * @param sae a release's {@code release/id}, or a folder
     */
    public record LayerSae(int layer, HookPoint hook, String sae) {

        /** {@code layer-01}: sorts in layer order. */
        public String folderName() {
            return String.format(Locale.ROOT, "layer-%02d", layer);
        }
    }

    /** One finished layer. */
    public record LayerRun(LayerSae layer, Path dir, StudyResults results) {}

    /** What a running layer study reports: each layer's start, then that layer's run as reproduce reports it. */
    public interface Listener extends Reproduction.Listener {
        default void layer(LayerSae layer, int position, int count) {}
    }

    private LayerStudy() {}

    /** {@code 0-11}, {@code 1,3,5}, {@code 2-4,8} or {@code all}: blocks of an {@code nLayer}-block model, ascending. */
    public static List<Integer> parseLayers(String spec, int nLayer) {
        TreeSet<Integer> out = new TreeSet<>();
        String s = spec.strip();
        if (s.equals("all")) {
            for (int l = 0; l < nLayer; l++) {
                out.add(l);
            }
            return List.copyOf(out);
        }
        for (String part : s.split(",")) {
            String p = part.strip();
            try {
                int dash = p.indexOf('-', 1);
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).strip());
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).strip());
                if (from < 0 || to >= nLayer || from > to) {
                    throw new NumberFormatException();
                }
                for (int l = from; l <= to; l++) {
                    out.add(l);
                }
            } catch (NumberFormatException e) {
                throw new PlateauException("--layers takes blocks 0 to " + (nLayer - 1) + " as a list or ranges (0-11,"
                        + " 1,3,5) or 'all', not '" + spec + "'.");
            }
        }
        return List.copyOf(out);
    }

    /**
     * Each layer's hook and SAE: from a SAELens release by name, or from a folder whose subfolders
     * are hook names ({@code blocks.L.hook_resid_pre/}, as the res-jb repository lays them out).
     * Every layer is found before anything runs.
     */
    public static List<LayerSae> saes(String release, List<Integer> layers, int nLayer) {
        List<LayerSae> out = new ArrayList<>();
        Path folder = Path.of(release);
        if (Files.isDirectory(folder)) {
            for (int layer : layers) {
                Path found = null;
                for (String hook : List.of("hook_resid_pre", "hook_resid_post")) {
                    Path p = folder.resolve("blocks." + layer + "." + hook);
                    if (found == null && Files.isRegularFile(p.resolve("cfg.json"))) {
                        found = p;
                    }
                }
                if (found == null) {
                    throw new PlateauException("The folder " + folder + " has no SAE for layer " + layer + " (a folder"
                            + " blocks." + layer + ".hook_resid_pre/ with cfg.json).");
                }
                out.add(new LayerSae(layer, HookPoint.parse(found.getFileName().toString(), nLayer), found.toString()));
            }
            return out;
        }
        SaeReleases.Release r = SaeReleases.require(release);
        for (int layer : layers) {
            SaeReleases.Entry e = r.atLayer(layer);
            if (e == null) {
                throw new PlateauException("The release " + release + " has no residual-stream SAE at layer " + layer
                        + "; it has " + r.saes().size() + " SAEs (" + r.saes().get(0).id() + " …); choose a residual-stream"
                        + " release such as gpt2-small-res-jb.");
            }
            out.add(new LayerSae(layer, HookPoint.parse(e.id(), nLayer), r.spec(e)));
        }
        return out;
    }

    /**
     * Runs every layer not yet finished into {@code out}.
     *
     * @param template the settings of every layer but the hook
     * @param measureTargetCos c* measured on each layer's activations and SAE instead of the template's
     * @return the finished layers, or null if cancelled
     */
    public static List<LayerRun> run(Lab lab, HubClient hub, DownloadListener downloads, String release,
            List<LayerSae> layers, StudySettings template, boolean measureTargetCos, Dataset dataset, String version,
            Path out, boolean resume, boolean force, Listener listener, BooleanSupplier cancelled) {
        for (LayerSae l : layers) {
            if (l.hook().index() >= template.read().index()) {
                throw new PlateauException("Layer " + l.layer() + " is perturbed at " + l.hook().name()
                        + ", not before the read hook " + template.read().name() + ".");
            }
        }
        ObjectNode manifest = manifest(release, layers, template, measureTargetCos, dataset);
        List<LayerRun> done = new ArrayList<>();
        try (RunFolder root = RunFolder.open(out, resume, force)) {
            Path file = out.resolve(MANIFEST);
            if (resume && Files.exists(file)) {
                JsonNode before = Json.read(file);
                if (!before.equals(reparsed(manifest))) {
                    throw new PlateauException("The layer study in " + out + " was made with other settings ("
                            + firstDifference(before, reparsed(manifest)) + "); start it over with --force, or choose another --out.");
                }
            }
            AtomicFiles.writeString(file, manifest.toPrettyString() + "\n");
            for (int k = 0; k < layers.size(); k++) {
                LayerSae l = layers.get(k);
                if (cancelled.getAsBoolean()) {
                    return null;
                }
                listener.layer(l, k, layers.size());
                try (Lab layerLab = LabLoader.withSae(lab, l.sae(), hub, downloads)) {
                    StudySettings s = settingsAt(template, l, measureTargetCos, layerLab, dataset);
                    Path dir = out.resolve(l.folderName());
                    StudyResults r = new Reproduction(layerLab, s, dataset, version).run(dir, resume, force, listener,
                            cancelled);
                    if (r == null) {
                        return null;
                    }
                    done.add(new LayerRun(l, dir, r));
                }
            }
        }
        return done;
    }

    /** The finished layers of a study folder, read back (for a summary drawn again). */
    public static List<LayerRun> read(Path out, int nLayer) {
        JsonNode m = Json.read(out.resolve(MANIFEST));
        List<LayerRun> runs = new ArrayList<>();
        for (JsonNode l : m.path("layers")) {
            LayerSae sae = new LayerSae(l.path("layer").asInt(), HookPoint.parse(l.path("hook").asText(), nLayer),
                    l.path("sae").asText());
            Path dir = out.resolve(sae.folderName());
            if (Files.exists(dir.resolve(StudyResults.FILE_NAME))) {
                runs.add(new LayerRun(sae, dir, StudyResults.read(dir.resolve(StudyResults.FILE_NAME))));
            }
        }
        return runs;
    }

    private static StudySettings settingsAt(StudySettings t, LayerSae l, boolean measure, Lab lab, Dataset dataset) {
        PerturbationSettings p = t.perturbation().withHooks(l.hook(), t.read());
        if (measure) {
            p = p.withTargetCos(TargetCosine.measure(lab, l.hook(), dataset.prompts(), TargetCosine.PAIRS));
        }
        return new StudySettings(t.n(), t.seed(), t.dataset(), p, t.targetTypes(), t.experiments());
    }

    private static ObjectNode manifest(String release, List<LayerSae> layers, StudySettings template, boolean measure,
            Dataset dataset) {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("plateau_layers", 1);
        m.put("release", release);
        ObjectNode settings = template.toJson();
        settings.remove("hook"); // each layer's own
        if (measure) {
            settings.put("target_cos", "measure");
        }
        m.set("settings", settings);
        m.put("dataset", dataset.prompts().describe());
        ArrayNode ls = m.putArray("layers");
        for (LayerSae l : layers) {
            ls.addObject().put("layer", l.layer()).put("hook", l.hook().name()).put("sae", l.sae())
                    .put("folder", l.folderName());
        }
        return m;
    }

    /** The manifest as it reads back from its file (a long 4 and an int 4 are then one number). */
    private static JsonNode reparsed(ObjectNode manifest) {
        try {
            return Json.MAPPER.readTree(manifest.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String firstDifference(JsonNode a, JsonNode b) {
        var names = new TreeSet<String>();
        a.fieldNames().forEachRemaining(names::add);
        b.fieldNames().forEachRemaining(names::add);
        for (String n : names) {
            if (!a.path(n).equals(b.path(n))) {
                return n.equals("settings") ? "settings: " + firstDifference(a.path(n), b.path(n)) : n;
            }
        }
        return "none";
    }

    /** For tests and tools: whether the folder holds a layer study. */
    static boolean holdsStudy(Path out) {
        return Files.exists(out.resolve(MANIFEST));
    }

}
