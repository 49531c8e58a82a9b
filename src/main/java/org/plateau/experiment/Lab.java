package org.plateau.experiment;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;
import org.plateau.perturbation.Paper;
import org.plateau.perturbation.PromptSource;
import org.plateau.data.RandomTokenPrompts;
import org.plateau.data.TokenWindows;
import org.plateau.io.CacheDir;
import org.plateau.io.Hashing;
import org.plateau.model.Gpt2;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.ActivationDistribution;
import org.plateau.perturbation.PerturbationSweep;
import org.plateau.perturbation.Seeds;
import org.plateau.perturbation.Targets;
import org.plateau.hub.SaeReleases;
import org.plateau.sae.LatentCooccurrence;
import org.plateau.sae.Sae;

/**
 * A loaded model, and SAE if any, with what perturbation experiments need around them: prompts,
 * the random-target distribution (fitted once and cached on disk), targets and sweeps. The command
 * line, the experiments and the desktop app all work through one.
 */
public final class Lab implements AutoCloseable {

    /** What every output of the random-weight demo model says about itself. */
    public static final String DEMO_NOTICE = "DEMO — random-weight model for trying the interface; these are not results.";

    private final Path modelDir;
    private final Path saeDir;
    private final Gpt2 model;
    private final Sae sae;
    private final Map<String, ActivationDistribution> distributions = new HashMap<>();
    private final Map<String, LatentCooccurrence> firings = new HashMap<>();
    /** Null for labs of a model that lives only in memory: they neither own it nor use the disk cache. */
    private final String inMemoryName;
    /** False for a lab that borrows another's model ({@link #withSae}): closing it leaves the model open. */
    private boolean ownsModel;
    private boolean demo;

    private Lab(Path modelDir, Path saeDir, Gpt2 model, Sae sae, String inMemoryName, boolean ownsModel) {
        this.modelDir = modelDir;
        this.saeDir = saeDir;
        this.model = model;
        this.sae = sae;
        this.inMemoryName = inMemoryName;
        this.ownsModel = ownsModel && inMemoryName == null;
    }

    /**
     * A lab of this lab's model with another SAE (a layer study's SAE of each layer): the model is
     * shared, not loaded again, and stays open when the returned lab is closed.
     *
     * @param source where the SAE came from, for provenance
     */
    public Lab withSae(Path otherSaeDir, Double normScalingFactor, String source, SaeReleases.Entry release) {
        Sae other = Sae.load(otherSaeDir, normScalingFactor);
        other.checkWidth(model.config().dModel());
        Lab lab = new Lab(modelDir, otherSaeDir, model, other, inMemoryName, false);
        lab.describeSources(modelSource, source, modelRepo);
        lab.describeRelease(release);
        lab.demo = demo;
        lab.readSae = readSae;
        return lab;
    }

    /**
     * As {@link #withSae}, but the model passes to the new lab: this one must no longer be used,
     * and closing it leaves the model open (the window swapping its SAE).
     */
    public Lab replacingSae(Path otherSaeDir, Double normScalingFactor, String source, SaeReleases.Entry release) {
        Lab lab = withSae(otherSaeDir, normScalingFactor, source, release);
        lab.ownsModel = ownsModel;
        ownsModel = false;
        return lab;
    }

    /**
     * A lab around a model built in memory (benchmarks). The caller keeps ownership of the model;
     * nothing is written to the cache.
     */
    public static Lab inMemory(Gpt2 model, Sae sae, String name) {
        if (sae != null) {
            sae.checkWidth(model.config().dModel());
        }
        return new Lab(null, null, model, sae, name, false);
    }

    private String modelSource;
    private String saeSource;
    private String modelRepo;
    private volatile ModelCheck check;

    /**
     * Where the model and SAE came from (a hub id and commit, or a folder), for provenance.
     *
     * @param repo the model's hub repository (null for a folder of unknown origin)
     */
    public void describeSources(String model, String sae, String repo) {
        this.modelSource = model;
        this.saeSource = sae;
        this.modelRepo = repo;
    }

    private SaeReleases.Entry saeRelease;

    /** The SAE's Neuronpedia id ({@code gpt2-small/1-res-jb}): from SAELens' release list, else its cfg.json; or null. */
    public String neuronpediaId() {
        return saeRelease != null && saeRelease.neuronpediaId() != null ? saeRelease.neuronpediaId()
                : sae == null ? null : sae.config().neuronpediaId();
    }

    private LoadedSae readSae;

    /** A second SAE, trained at the read hook, or null. */
    public LoadedSae readSae() {
        return readSae;
    }

    /** Uses (or, with null, stops using) a second SAE at the read hook. */
    public void useReadSae(LoadedSae s) {
        if (s != null) {
            s.sae().checkWidth(model.config().dModel());
        }
        this.readSae = s;
    }

    /** The SAE's entry in SAELens' release list, or null when it is not listed. */
    public SaeReleases.Entry saeRelease() {
        return saeRelease;
    }

    void describeRelease(SaeReleases.Entry e) {
        this.saeRelease = e;
    }

    /** The model's hub repository, or null. */
    public String modelRepo() {
        return modelRepo;
    }

    /** The model check made for this lab's files (see {@link LabLoader#check}), or null. */
    public ModelCheck check() {
        return check;
    }

    void recordCheck(ModelCheck c) {
        this.check = c;
    }

    public String modelSource() {
        return modelSource != null ? modelSource : modelDir == null ? inMemoryName : modelDir.toString();
    }

    public String saeSource() {
        return saeSource != null ? saeSource : saeDir == null ? null : saeDir.toString();
    }

    /** Marks this lab as the bundled random-weight demo: every output says it is not a result. */
    public Lab markDemo() {
        demo = true;
        return this;
    }

    public boolean isDemo() {
        return demo;
    }

    /** Loads the model, and the SAE when {@code saeDir} is not null, checking that they fit. */
    public static Lab open(Path modelDir, Path saeDir, Processing processing, Device device) {
        return open(modelDir, saeDir, null, processing, device);
    }

    /**
     * As above, with the norm scaling factor SAELens' release list gives the SAE (null: none; see
     * {@link Sae#load(Path, Double)}).
     */
    public static Lab open(Path modelDir, Path saeDir, Double normScalingFactor, Processing processing, Device device) {
        Sae sae = saeDir == null ? null : Sae.load(saeDir, normScalingFactor);
        Gpt2 model = Gpt2.load(modelDir, processing, device);
        if (sae != null) {
            try {
                sae.checkWidth(model.config().dModel());
            } catch (PlateauException e) {
                model.close();
                throw e;
            }
        }
        return new Lab(modelDir, saeDir, model, sae, null, true);
    }

    /** The device to load on: $PLATEAU_DEVICE ("cpu" or "gpu") if set, else the GPU when DJL finds one. */
    public static Device deviceFromEnvironment() {
        String d = System.getenv("PLATEAU_DEVICE");
        if (d != null && d.strip().equalsIgnoreCase("cpu")) {
            return Device.cpu();
        }
        return Gpt2.defaultDevice();
    }

    public Gpt2 model() {
        return model;
    }

    public Path modelDir() {
        return modelDir;
    }

    public Path saeDir() {
        return saeDir;
    }

    /** The SAE, or null when none was loaded. */
    public Sae sae() {
        return sae;
    }

    public Sae requireSae(String why) {
        if (sae == null) {
            throw new PlateauException(why + " needs an SAE (--sae).");
        }
        return sae;
    }

    /** A note when the SAE was trained at another hook than the one perturbed, else null. */
    public String hookMismatch(HookPoint hook) {
        if (sae == null || sae.config().hookName().isEmpty()) {
            return null;
        }
        String trained = sae.config().hookName();
        return trained.equals(hook.name()) ? null
                : "The SAE was trained at " + trained + " but activations are perturbed at " + hook.name() + ".";
    }

    public PerturbationSweep sweep() {
        return new PerturbationSweep(model);
    }

    /** Random prompts of the paper's length over the model's vocabulary, for models that cannot read text. */
    public PromptSource randomTokenPrompts() {
        return new RandomTokenPrompts(model.config().vocabSize(), Paper.PROMPT_LENGTH);
    }

    public Targets targets(HookPoint hook, PromptSource prompts, int statsActivations, double targetCos) {
        return new Targets(model, hook, sae, prompts, () -> distribution(hook, prompts, statsActivations, null),
                () -> firings(hook, prompts, statsActivations, null), targetCos);
    }

    /**
     * N(μ, Σ) of {@code count} model-generated activations at {@code hook}, from prompts drawn with
     * a fixed seed: it is a property of the model and the dataset, not of one run. Computed once,
     * then read from the cache.
     *
     * @param progress receives the number of activations computed so far (may be null)
     */
    public synchronized ActivationDistribution distribution(HookPoint hook, PromptSource prompts, int count,
            LongConsumer progress) {
        checkStatsActivations(count);
        return cachedStatistic(distributions, statisticsKey(hook, prompts, count), ".safetensors",
                ActivationDistribution::load, d -> true, () -> {
                    // activations are summed up chunk by chunk, never held all at once
                    ActivationDistribution.Accumulator acc = new ActivationDistribution.Accumulator(model.config().dModel());
                    statisticsActivations(hook, statisticsPrompts(prompts, count), (acts, done) -> {
                        acc.add(acts);
                        if (progress != null) {
                            progress.accept(done);
                        }
                    });
                    return acc.finish();
                }, ActivationDistribution::save);
    }

    /**
     * A statistic kept in memory and in the disk cache, its file named by {@code key}: read when it is
     * there and {@code usable}, else computed and saved (a lab of an in-memory model keeps it in memory only).
     */
    private <T> T cachedStatistic(Map<String, T> memory, String key, String suffix, Function<Path, T> load,
            Predicate<T> usable, Supplier<T> compute, BiConsumer<T, Path> save) {
        T value = memory.get(key);
        if (value != null) {
            return value;
        }
        Path cached = inMemoryName != null ? null
                : CacheDir.root().resolve("activation-statistics").resolve(key + suffix);
        if (cached != null && Files.exists(cached)) {
            try {
                value = load.apply(cached);
            } catch (PlateauException e) {
                value = null; // an unreadable cache entry is recomputed
            }
        }
        if (value == null || !usable.test(value)) {
            JavaHeap.giveBack(); // a pass starts from a small heap, so its young generation stays small
            value = compute.get();
            JavaHeap.giveBack(); // and leaves its garbage behind
            try {
                if (cached != null) {
                    save.accept(value, cached);
                }
            } catch (PlateauException e) {
                // a read-only cache only costs the recomputation next time
            }
        }
        memory.put(key, value);
        return value;
    }

    /** What names the statistics activations: the model's weights, processing, hook, prompts and count. */
    private String statisticsKey(HookPoint hook, PromptSource prompts, int count) {
        return Hashing.sha256(String.join("\n", modelIdentity(), model.processing().id(), hook.name(),
                prompts.describe(), Integer.toString(count), "v1"));
    }

    /** The activations of {@code statsPrompts} at {@code hook}, handed over a chunk at a time with the count so far. */
    private void statisticsActivations(HookPoint hook, List<int[]> statsPrompts,
            java.util.function.BiConsumer<float[][], Integer> chunks) {
        int chunk = 1024;
        for (int start = 0; start < statsPrompts.size(); start += chunk) {
            int end = Math.min(statsPrompts.size(), start + chunk);
            chunks.accept(model.activations(statsPrompts.subList(start, end), hook), end);
        }
    }

    /**
     * Which SAE latents fire together over the statistics activations (the random-target
     * distribution's activations): what synthetic-cooccurrence chooses by. Computed once, then
     * read from the cache beside the distribution, named also by the SAE's weights.
     *
     * @param progress receives the number of activations encoded so far (may be null)
     */
    public synchronized LatentCooccurrence firings(HookPoint hook, PromptSource prompts, int count, LongConsumer progress) {
        Sae s = requireSae("Co-occurrence statistics");
        checkStatsActivations(count);
        String key = Hashing.sha256(statisticsKey(hook, prompts, count) + "\n" + saeIdentity() + "\nfirings-v2");
        return cachedStatistic(firings, key, ".firings.safetensors", LatentCooccurrence::load,
                f -> f.width() == s.width(), () -> firingsOf(hook, statisticsPrompts(prompts, count), progress),
                LatentCooccurrence::save);
    }

    /** The firing statistics of the given prompts' activations, in order (no cache). */
    public LatentCooccurrence firingsOf(HookPoint hook, List<int[]> statsPrompts, LongConsumer progress) {
        Sae s = requireSae("Co-occurrence statistics");
        List<int[]> sets = new ArrayList<>(statsPrompts.size());
        try (Sae.BatchEncoder encoder = s.batchEncoder()) {
            statisticsActivations(hook, statsPrompts, (acts, done) -> {
                sets.addAll(encoder.activeSets(java.util.Arrays.asList(acts)));
                if (progress != null) {
                    progress.accept(done);
                }
            });
        }
        return LatentCooccurrence.of(sets, s.width());
    }

    /** Most activations behind the random-target distribution, whatever the memory. */
    public static final int MAX_STATS_ACTIVATIONS = 10_000_000;
    /** Bytes held per statistics activation while its prompt waits (the prompt and its bookkeeping). */
    private static final long BYTES_PER_STATS_PROMPT = 160;

    /** Refuses a count of statistics activations below 2, or more than this Java's memory can gather. */
    public static void checkStatsActivations(long count) {
        if (count < 2) {
            throw new PlateauException("--stats-activations must be at least 2, not " + count + ".");
        }
        long fits = Math.min(MAX_STATS_ACTIVATIONS, Runtime.getRuntime().maxMemory() / 4 / BYTES_PER_STATS_PROMPT);
        if (count > fits) {
            throw new PlateauException("--stats-activations " + count + " is more than " + (fits == MAX_STATS_ACTIVATIONS
                    ? "Plateau gathers (at most " + fits + ")" : "this Java's memory allows (at most " + fits
                            + "; give Java more with -Xmx)") + "; the paper used " + Paper.STATS_ACTIVATIONS + ".");
        }
    }

    /** The number of statistics prompts {@code count} gives for a dataset (all its windows when fewer). */
    public static int statisticsPromptCount(PromptSource prompts, int count) {
        return prompts instanceof TokenWindows w && w.size() <= count ? (int) w.size() : count;
    }

    /** {@code count} prompts: every window of a small dataset, else distinct ones drawn with a fixed seed. */
    static List<int[]> statisticsPrompts(PromptSource prompts, int count) {
        List<int[]> out = new ArrayList<>();
        RandomGenerator rng = Seeds.stream(0, "activation-statistics");
        if (prompts instanceof TokenWindows w) {
            if (w.size() <= count) {
                for (long k = 0; k < w.size(); k++) {
                    out.add(w.window(k));
                }
                return out;
            }
            java.util.Set<Long> seen = new java.util.HashSet<>();
            while (out.size() < count) {
                long k = w.size() <= Integer.MAX_VALUE ? rng.nextInt((int) w.size()) : Math.floorMod(rng.nextLong(), w.size());
                if (seen.add(k)) {
                    out.add(w.window(k));
                }
            }
            return out;
        }
        for (int i = 0; i < count; i++) {
            out.add(prompts.draw(rng));
        }
        return out;
    }

    /** Names the loaded weights without hashing gigabytes: path, size and modification time. */
    private String modelIdentity() {
        if (inMemoryName != null) {
            return "in-memory:" + inMemoryName;
        }
        return fileIdentity(modelDir.resolve("model.safetensors"));
    }

    /** The SAE's weights and configuration, named as the model's are (the norm factor folded in counts too). */
    private String saeIdentity() {
        if (inMemoryName != null || saeDir == null) {
            return "in-memory-sae:" + inMemoryName + "|" + System.identityHashCode(sae);
        }
        return fileIdentity(saeDir.resolve("sae_weights.safetensors")) + "|" + fileIdentity(saeDir.resolve("cfg.json"))
                + "|" + sae.foldedScale();
    }

    private static String fileIdentity(Path file) {
        try {
            return file.toAbsolutePath().normalize() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return file.toAbsolutePath().normalize().toString();
        }
    }

    @Override
    public void close() {
        if (ownsModel) {
            model.close();
        }
    }
}
