package org.plateau.experiment;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.plateau.data.Datasets.Dataset;
import org.plateau.io.FileHashes;
import org.plateau.io.Hashing;
import org.plateau.io.Json;
import org.plateau.model.Gpt2Config;
import org.plateau.model.GlibcMalloc;
import org.plateau.model.MklKernels;
import org.plateau.perturbation.TargetType;

/**
 * Runs the paper's study into a folder: results.json, with a journal that lets an interrupted run
 * continue ({@code resume}) and end exactly as an uninterrupted one would. The report and figures
 * are drawn from the results by {@code org.plateau.report.RunReport}.
 */
public final class Reproduction {

    /** What a running study reports. */
    public interface Listener {
        /** Activations computed so far for the random-target distribution. */
        default void fitting(long done, long total) {}

        /** Statistics activations encoded so far for the latents' firing statistics (co-occurrence). */
        default void firings(long done, long total) {}

        /** Bases finished (of all, including those a resumed run found done), and this session's rate. */
        default void progress(int done, int total, double basesPerSecond) {}

        /** The model check is about to run (it is made once per weights file, then remembered). */
        default void checking() {}

        /** The model check's outcome, which the report and results.json also carry. */
        default void checked(ModelCheck check) {}
    }

    /** What every report says of Plateau's own target type. */
    public static final String COOCCURRENCE_NOTE = "synthetic-cooccurrence is Plateau's extension, not the paper's"
            + " (METHOD §4.8): as synthetic-structured, but each latent after the top one is chosen among those that"
            + " fire together with the top latent more often than independence predicts, over the statistics"
            + " activations' SAE codes.";

    private final Lab lab;
    private final StudySettings settings;
    private final Dataset dataset;
    private final String programVersion;

    public Reproduction(Lab lab, StudySettings settings, Dataset dataset, String programVersion) {
        this.lab = lab;
        this.settings = settings;
        this.dataset = dataset;
        this.programVersion = programVersion;
    }

    /**
     * Runs every base not yet in the folder's journal, then writes the results.
     *
     * @param cancelled polled between bases; when it turns true the run stops with its journal intact
     * @return the results, or null if cancelled before the end
     */
    public StudyResults run(Path out, boolean resume, Listener listener, BooleanSupplier cancelled) {
        return run(out, resume, false, listener, cancelled);
    }

    /**
     * As above.
     *
     * @param force write into a folder that holds other files; an earlier run there starts over
     */
    public StudyResults run(Path out, boolean resume, boolean force, Listener listener, BooleanSupplier cancelled) {
        Instant started = Instant.now();
        StudyRunner runner = new StudyRunner(lab, settings, dataset.prompts());
        Fingerprint files = Fingerprint.of(lab);
        try (RunFolder folder = RunFolder.open(out, resume, force);
                Journal journal = Journal.open(out, header(files), resume)) {
            if (lab.check() == null && lab.modelDir() != null) {
                if (LabLoader.remembered(lab, settings.hook()) == null) {
                    listener.checking();
                }
                listener.checked(LabLoader.check(lab, settings.hook()));
            }
            if (runner.needsDistribution()) {
                runner.distribution(done -> listener.fitting(done, settings.statsActivations()));
            }
            if (runner.needsFirings()) {
                runner.firings(done -> listener.firings(done, settings.statsActivations()));
            }
            int total = settings.n();
            int finishedBefore = journal.completed().size();
            long t0 = System.nanoTime();
            for (int i = 0; i < total; i++) {
                if (journal.completed().containsKey(i)) {
                    continue;
                }
                if (cancelled.getAsBoolean()) {
                    return null;
                }
                journal.append(runner.run(i));
                int now = journal.completed().size();
                double rate = (now - finishedBefore) / Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
                listener.progress(now, total, rate);
            }
            List<PerturbationRecord> perturbations = new ArrayList<>();
            List<LatentRecord> latents = new ArrayList<>();
            for (StudyRunner.IndexResult r : journal.inOrder()) {
                perturbations.addAll(r.perturbations());
                latents.addAll(r.latents());
            }
            StudyResults results = new StudyResults(provenance(started, files), settings.toJson(), notes(runner),
                    perturbations, latents);
            results.write(out.resolve(StudyResults.FILE_NAME));
            return results;
        }
    }

    /** SHA-256 of the files a run read, computed once (a GPT-2 file takes seconds to hash). */
    private record Fingerprint(String model, String config, String sae, String sparsity, String saeConfig) {
        static Fingerprint of(Lab lab) {
            Path m = lab.modelDir();
            Path s = lab.saeDir();
            return new Fingerprint(FileHashes.sha256(m.resolve("model.safetensors")), Hashing.sha256(m.resolve("config.json")),
                    s == null ? null : FileHashes.sha256(s.resolve("sae_weights.safetensors")),
                    s == null || !java.nio.file.Files.exists(s.resolve("sparsity.safetensors")) ? null
                            : Hashing.sha256(s.resolve("sparsity.safetensors")),
                    s == null ? null : Hashing.sha256(s.resolve("cfg.json")));
        }
    }

    /** What identifies the run: a resumed run must match it field for field. */
    private ObjectNode header(Fingerprint files) {
        ObjectNode h = Json.RECORDS.createObjectNode();
        h.put("plateau_journal", 1);
        h.put("program_version", programVersion);
        h.set("settings", settings.toJson());
        h.put("model_sha256", files.model());
        h.put("processing", lab.model().processing().id());
        if (lab.sae() != null) {
            h.put("sae_sha256", files.sae());
        }
        h.put("dataset", dataset.prompts().describe());
        h.put("device", lab.model().device().toString());
        return h;
    }

    private ObjectNode provenance(Instant started, Fingerprint files) {
        ObjectNode p = Json.RECORDS.createObjectNode();
        p.put("program_version", programVersion);
        p.put("demo", lab.isDemo());
        ObjectNode m = p.putObject("model");
        Gpt2Config c = lab.model().config();
        m.put("name", shortName(lab.modelDir()));
        m.put("path", lab.modelDir().toAbsolutePath().normalize().toString());
        m.put("source", lab.modelSource());
        m.put("sha256", files.model());
        m.put("config_sha256", files.config());
        m.put("n_layer", c.nLayer());
        m.put("d_model", c.dModel());
        m.put("vocab_size", c.vocabSize());
        p.put("processing", lab.model().processing().id());
        if (lab.sae() != null) {
            ObjectNode sae = p.putObject("sae");
            sae.put("name", shortName(lab.saeDir()));
            sae.put("path", lab.saeDir().toAbsolutePath().normalize().toString());
            sae.put("source", lab.saeSource());
            sae.put("sha256", files.sae());
            sae.put("sparsity_sha256", files.sparsity());
            sae.put("cfg_sha256", files.saeConfig());
            sae.put("d_sae", lab.sae().width());
            sae.put("hook_name", lab.sae().config().hookName());
        }
        if (lab.check() != null) {
            p.set("check", Json.RECORDS.valueToTree(lab.check()));
        }
        p.put("dataset", dataset.prompts().describe());
        p.put("device", lab.model().device().toString());
        if (Device.Type.CPU.equals(lab.model().device().getDeviceType())) {
            p.put("mkl_kernels", MklKernels.describe()); // the order of its sums: the last float32 digits
            p.put("malloc_mmap_threshold", GlibcMalloc.describe()); // the run's peak memory and time, not its results
        }
        p.put("java", System.getProperty("java.version"));
        ObjectNode timing = p.putObject("timing");
        timing.put("session_started_at", started.toString());
        timing.put("finished_at", Instant.now().toString());
        return p;
    }

    /** The last two parts of a folder's path ("tiny-a/model"): enough to recognise it in a figure. */
    static String shortName(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        int n = abs.getNameCount();
        return n == 0 ? abs.toString() : abs.subpath(Math.max(0, n - 2), n).toString();
    }

    private static String ids(List<TargetType> types) {
        return String.join(", ", types.stream().map(TargetType::id).toList());
    }

    /** Where this run departs from the paper or from what was asked. */
    private List<String> notes(StudyRunner runner) {
        List<String> notes = new ArrayList<>();
        if (lab.isDemo()) {
            notes.add(Lab.DEMO_NOTICE);
        }
        Gpt2Config c = lab.model().config();
        if (c.nLayer() != 12 || c.dModel() != 768 || !c.hasGpt2Vocabulary()) {
            notes.add("The model is not GPT-2 small (" + c.nLayer() + " blocks, width " + c.dModel() + ", vocabulary "
                    + c.vocabSize() + "); the paper's numbers are shown for orientation only.");
        }
        if (dataset.note() != null) {
            notes.add(dataset.note());
        }
        notes.add("Prompts: " + dataset.prompts().describe() + "; the paper drew the first 10 tokens of random"
                + " OpenWebText rows.");
        if (lab.sae() == null) {
            notes.add("No SAE was given, so the synthetic and SAE-reconstruction types did not run.");
        }
        String mismatch = lab.hookMismatch(settings.hook());
        if (mismatch != null) {
            notes.add(mismatch);
        }
        if (lab.check() != null && lab.check().warns()) {
            notes.add("Model check: " + lab.check().line());
        }
        List<TargetType> left = TargetType.studied().stream().filter(t -> !settings.targetTypes().contains(t)).toList();
        if (!left.isEmpty()) {
            notes.add("Target types asked for (--types): " + ids(settings.targetTypes()) + ". Not run, so their rows"
                    + " show n = 0: " + ids(left) + ".");
        }
        if (settings.n() < 1000) {
            notes.add("n = " + settings.n() + " perturbations per type (the paper: 1000); expect wide error bars.");
        }
        long windows = dataset.prompts().size();
        if (runner.needsDistribution() && windows < settings.statsActivations()) {
            notes.add("μ and Σ of random targets come from all " + windows + " prompts of the dataset, fewer than the "
                    + settings.statsActivations() + " asked for.");
        }
        if (runner.targetTypes().contains(TargetType.SYNTHETIC_BASELINE)) {
            notes.add("synthetic-baseline: each latent is replaced by one drawn from the 10 nearest live latents in"
                    + " log-sparsity that are not yet used (METHOD §4: \"no repeats\").");
        }
        if (runner.targetTypes().contains(TargetType.SYNTHETIC_COOCCURRENCE)) {
            notes.add(COOCCURRENCE_NOTE);
        }
        return notes;
    }
}
