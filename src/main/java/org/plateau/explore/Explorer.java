package org.plateau.explore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;
import org.plateau.perturbation.Paper;
import org.plateau.PlateauException;
import org.plateau.data.Datasets;
import org.plateau.perturbation.PromptSource;
import org.plateau.experiment.Lab;
import org.plateau.experiment.PerturbationRecord;
import org.plateau.experiment.PerturbationSettings;
import org.plateau.experiment.Perturbed;
import org.plateau.experiment.Perturber;
import org.plateau.experiment.StudyRunner;
import org.plateau.experiment.StudySettings;
import org.plateau.model.Gpt2Tokenizer;
import org.plateau.model.TokenIds;
import org.plateau.perturbation.Curve;
import org.plateau.perturbation.Seeds;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.Target;
import org.plateau.perturbation.TargetType;
import org.plateau.sae.Latent;
import org.plateau.sae.Sae;

/**
 * The explorer's engine: one loaded lab and what the window asks of it — prompts, single
 * perturbations, latent breakdowns, recorded perturbations reopened. Not thread-safe: the window
 * calls it from one worker thread.
 */
public final class Explorer implements AutoCloseable {

    private final Lab lab;
    private PromptSource prompts;
    /** The runner of the last run reopened from, kept: reopening opens its dataset and fits its targets once. */
    private StudySettings reopenSettings;
    private StudyRunner reopenRunner;
    /** The perturber of the current settings, and the last base prompt run: changing the target type, step mode
     *  or step size on one base then costs only the new target and its sweep. */
    private Perturber perturber;
    private Perturber.Base base;
    private int prefills;

    public Explorer(Lab lab) {
        this.lab = lab;
        this.prompts = Datasets.defaultFor(lab.model().config(), Paper.PROMPT_LENGTH);
    }

    public Lab lab() {
        return lab;
    }

    /** Whether prompts can be typed as text (the model reads GPT-2's vocabulary). */
    public boolean readsText() {
        return lab.model().config().hasGpt2Vocabulary();
    }

    /** The shipped passages to pick prompts from; empty for models that cannot read text. */
    public List<String> passages() {
        return readsText() ? Datasets.samplePassages() : List.of();
    }

    /** The first 10 tokens of a passage. */
    public int[] promptFromPassage(String passage) {
        int[] t = Gpt2Tokenizer.encode(passage);
        if (t.length == 0) {
            throw new PlateauException("The passage is empty.");
        }
        return Arrays.copyOf(t, Math.min(t.length, Paper.PROMPT_LENGTH));
    }

    /** A typed prompt: comma-separated token ids, or text for models with GPT-2's vocabulary. */
    public int[] parsePrompt(String typed) {
        int[] tokens;
        if (TokenIds.looksLikeIds(typed)) {
            tokens = TokenIds.parse(typed, "The prompt");
        } else if (readsText()) {
            tokens = Gpt2Tokenizer.encode(typed);
        } else {
            throw new PlateauException("This model's vocabulary is not GPT-2's; type the prompt as token ids, such as 5,17,301.");
        }
        lab.model().checkTokens(tokens);
        return tokens;
    }

    /** Where Next draws prompts from (the shipped passages by default). */
    public void usePrompts(PromptSource source) {
        this.prompts = source;
    }

    public PromptSource prompts() {
        return prompts;
    }

    /** A random prompt from the chosen dataset. */
    public int[] drawPrompt(long seed) {
        return prompts.draw(Seeds.stream(seed, "explore-base"));
    }

    public List<String> tokenTexts(int[] tokens) {
        List<String> out = new ArrayList<>();
        for (int t : tokens) {
            out.add(readsText() ? Gpt2Tokenizer.tokenText(t) : "#" + t);
        }
        return out;
    }

    public String promptText(int[] tokens) {
        return readsText() ? Gpt2Tokenizer.decode(tokens) : Arrays.toString(tokens);
    }

    /**
     * Runs one perturbation.
     *
     * @param fitting progress of fitting the random-target distribution, when a random target needs it
     */
    public Perturbation run(ExploreRequest r, LongConsumer fitting) {
        lab.model().checkTokens(r.baseTokens());
        if (r.type().needsSae() && lab.sae() == null) {
            throw new PlateauException("The target type " + r.type().id() + " needs an SAE; choose one first.");
        }
        Perturber.Base b = baseFor(r.settings(), r.baseTokens());
        if (r.type() == TargetType.RANDOM) {
            perturber.distribution(fitting);
        }
        Target target = r.type() == TargetType.ABLATE_LATENT ? b.ablation(r.latent())
                : r.targetTokens() != null && r.type().fromPrompt() ? b.target(r.type(), r.targetTokens())
                : b.target(r.type(), Seeds.stream(r.seed(), "explore", r.type().id()));
        Perturbed p = b.sweep(b.toward(target, r.mode()));
        return new Perturbation(p, tokenTexts(r.baseTokens()), r.seed(), "explorer");
    }

    /** The base prompt run for these settings: kept while the prompt and the perturbed hook stay. */
    private Perturber.Base baseFor(PerturbationSettings settings, int[] tokens) {
        if (perturber == null || !perturber.settings().equals(settings)) {
            boolean sameHook = perturber != null && perturber.settings().hook().equals(settings.hook());
            perturber = new Perturber(lab, prompts, settings);
            if (!sameHook) {
                closeBase();
            }
        }
        if (base == null || !Arrays.equals(base.tokens(), tokens)) {
            closeBase();
            base = perturber.base(tokens);
            prefills++;
        } else if (base.owner() != perturber) {
            base = perturber.rebase(base);
        }
        perturber.keepReads(lab.readSae() != null);
        return base;
    }

    /** How many base prompts have been run (changing only the settings of a base reuses its run). */
    public int prefills() {
        return prefills;
    }

    private void closeBase() {
        if (base != null) {
            base.close();
            base = null;
        }
    }

    /**
     * A recorded perturbation opened live: its base and target derived again from the run's seed,
     * and swept again. Needs the run's model and SAE to be the loaded ones.
     */
    public Perturbation reopen(PerturbationRecord record, StudySettings settings) {
        if (!settings.equals(reopenSettings)) {
            reopenRunner = new StudyRunner(lab, settings, Datasets.open(settings.dataset(), lab.model().config(),
                    Paper.PROMPT_LENGTH).prompts());
            reopenSettings = settings;
        }
        Perturbed p = reopenRunner.recreate(record);
        return new Perturbation(p, tokenTexts(p.baseTokens()), settings.seed(), record.experiment() + " #" + record.index());
    }

    /**
     * A recorded perturbation shown as recorded, without its model: the stored curves, no vectors
     * (so no latent breakdown).
     */
    public static Perturbation stored(PerturbationRecord r, StudySettings s, boolean gpt2Vocabulary) {
        List<String> texts = new ArrayList<>();
        for (int t : r.baseTokens()) {
            texts.add(gpt2Vocabulary ? Gpt2Tokenizer.tokenText(t) : "#" + t);
        }
        double[] l2 = new double[r.l2().length];
        double[] kl = new double[r.kl().length];
        for (int i = 0; i < l2.length; i++) {
            l2[i] = r.l2()[i];
            kl[i] = r.kl()[i];
        }
        Perturbed p = new Perturbed(r.baseTokens(), TargetType.parse(r.baseType()), TargetType.parse(r.targetType()),
                null, null, s.sweep(StepMode.parse(r.mode())), new Curve(l2, kl), r.metrics(), s.apThreshold(),
                r.distance());
        return new Perturbation(p, texts, s.seed(), r.experiment() + " #" + r.index() + ", as recorded");
    }

    /** The latents of the base, the target and the perturbed activation at {@code step}. */
    public LatentView latentsAt(Perturbation p, int step, int maxBars) {
        Sae sae = lab.requireSae("The latent breakdown");
        if (!p.hasVectors()) {
            throw new PlateauException("This perturbation was opened from a run without its model; load the run's"
                    + " model and SAE to see its latents.");
        }
        float[] x = p.settings().point(p.base(), p.target().activation(), step);
        List<List<Latent>> codes = sae.activeLatents(List.of(p.base(), p.target().activation(), x));
        List<Latent> base = codes.get(0);
        List<Latent> target = codes.get(1);
        List<Latent> now = codes.get(2);
        Set<Integer> before = new HashSet<>();
        base.forEach(l -> before.add(l.index()));
        Set<Integer> after = new HashSet<>();
        now.forEach(l -> after.add(l.index()));
        List<Latent> on = now.stream().filter(l -> !before.contains(l.index())).toList();
        List<Latent> off = base.stream().filter(l -> !after.contains(l.index())).toList();
        return new LatentView(step, bars(sae, base, base, maxBars), bars(sae, target, target, maxBars),
                bars(sae, now, now, maxBars), bars(sae, on, now, maxBars), bars(sae, off, base, maxBars));
    }

    /** Strongest latents per step that decide the read-layer strip's rows, and the most rows it shows. */
    public static final int STRIP_TOP = 5;
    public static final int STRIP_ROWS = 24;

    /** The last read-layer codes computed: a sweep's 101 codes serve every step clicked on it. */
    private Perturbation codedSweep;
    private List<double[]> codes;

    /**
     * The read layer across the blow-up of {@code p}, through the read-layer SAE: its code at step 0
     * and at {@code step}, what switched from MS − 1 to MS + 1, and the strip over every step. The
     * read activations are the sweep's own (no forward pass is run again).
     */
    public ReadLayerView readLayer(Perturbation p, int step, int maxBars) {
        org.plateau.experiment.LoadedSae read = lab.readSae();
        if (read == null) {
            throw new PlateauException("The read-layer view needs an SAE trained at the read hook; name one under"
                    + " Read SAE and load.");
        }
        if (p.curve().reads() == null) {
            throw new PlateauException("This perturbation was made before the read-layer SAE was loaded (or opened as"
                    + " recorded); run it again to see the read layer.");
        }
        Sae sae = read.sae();
        if (codedSweep != p) {
            codes = sae.encodeAll(Arrays.asList(p.curve().reads()));
            codedSweep = p;
        }
        int last = codes.size() - 1;
        int at = Math.max(0, Math.min(step, last));
        int ms = p.metric(org.plateau.perturbation.Metric.MS_L2);
        double[] before = codes.get(Math.max(0, ms - 1));
        double[] after = codes.get(Math.min(last, ms + 1));
        List<Latent> zero = Sae.active(codes.get(0));
        List<Latent> now = Sae.active(codes.get(at));
        return new ReadLayerView(p.settings().read().name(), at, ms, bars(sae, zero, zero, maxBars),
                bars(sae, now, now, maxBars), changes(before, after, maxBars), strip(codes));
    }

    /** On (by value after), off (by value before), then the largest changes of latents on at both ends. */
    static List<ReadLayerView.Change> changes(double[] before, double[] after, int max) {
        List<ReadLayerView.Change> on = new ArrayList<>();
        List<ReadLayerView.Change> off = new ArrayList<>();
        List<ReadLayerView.Change> changed = new ArrayList<>();
        for (int j = 0; j < before.length; j++) {
            if (before[j] <= 0 && after[j] > 0) {
                on.add(new ReadLayerView.Change(j, ReadLayerView.Kind.ON, 0, after[j]));
            } else if (before[j] > 0 && after[j] <= 0) {
                off.add(new ReadLayerView.Change(j, ReadLayerView.Kind.OFF, before[j], 0));
            } else if (before[j] > 0) {
                changed.add(new ReadLayerView.Change(j, ReadLayerView.Kind.CHANGED, before[j], after[j]));
            }
        }
        java.util.Comparator<ReadLayerView.Change> bySize = java.util.Comparator
                .comparingDouble((ReadLayerView.Change c) -> -Math.abs(c.after() - c.before()))
                .thenComparingInt(ReadLayerView.Change::latent);
        on.sort(bySize);
        off.sort(bySize);
        changed.sort(bySize);
        List<ReadLayerView.Change> out = new ArrayList<>(on.subList(0, Math.min(max, on.size())));
        out.addAll(off.subList(0, Math.min(max, off.size())));
        out.addAll(changed.subList(0, Math.min(max, changed.size())));
        return out;
    }

    /** The rows: each step's {@link #STRIP_TOP} strongest latents, in the order they first appear. */
    static ReadLayerView.Strip strip(List<double[]> codes) {
        java.util.LinkedHashSet<Integer> rows = new java.util.LinkedHashSet<>();
        for (double[] z : codes) {
            for (Latent l : Sae.active(z).subList(0, Math.min(STRIP_TOP, Sae.active(z).size()))) {
                if (rows.size() < STRIP_ROWS) {
                    rows.add(l.index());
                }
            }
        }
        int[] latents = rows.stream().mapToInt(Integer::intValue).toArray();
        double[][] values = new double[latents.length][codes.size()];
        for (int r = 0; r < latents.length; r++) {
            for (int n = 0; n < codes.size(); n++) {
                values[r][n] = codes.get(n)[latents[r]];
            }
        }
        return new ReadLayerView.Strip(latents, values, STRIP_TOP);
    }

    /**
     * Each active latent of the request's base removed in turn (METHOD §4.9), all ablations through
     * the model as one batch from the base's cached prefix; largest L2 first.
     */
    public List<Ablation> ablations(ExploreRequest r) {
        Sae sae = lab.requireSae("Ablating the base's latents");
        lab.model().checkTokens(r.baseTokens());
        Perturber.Base b = baseFor(r.settings(), r.baseTokens());
        List<Latent> active = sae.activeLatents(b.activation());
        if (active.isEmpty()) {
            return List.of();
        }
        List<float[]> points = new ArrayList<>();
        for (Latent l : active) {
            points.add(b.ablation(l.index()).activation());
        }
        Curve c = b.atPoints(points);
        List<Ablation> out = new ArrayList<>();
        for (int k = 0; k < active.size(); k++) {
            out.add(new Ablation(active.get(k).index(), active.get(k).value(), c.l2()[k], c.kl()[k]));
        }
        out.sort(java.util.Comparator.comparingDouble((Ablation a) -> -a.l2()).thenComparingInt(Ablation::latent));
        return out;
    }

    /** The strongest latents of a list, with their cosine to the strongest latent of {@code reference}. */
    private static List<LatentView.Bar> bars(Sae sae, List<Latent> latents, List<Latent> reference, int max) {
        List<LatentView.Bar> out = new ArrayList<>();
        int top = reference.isEmpty() ? -1 : reference.get(0).index();
        for (Latent l : latents.subList(0, Math.min(max, latents.size()))) {
            out.add(new LatentView.Bar(l.index(), l.value(), sae.logSparsity(l.index()),
                    top < 0 ? Double.NaN : sae.cosine(l.index(), top)));
        }
        return out;
    }

    @Override
    public void close() {
        closeBase();
    }
}
