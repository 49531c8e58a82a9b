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
        Target target = r.targetTokens() != null && r.type().fromPrompt()
                ? b.target(r.type(), r.targetTokens())
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
        List<Latent> base = sae.activeLatents(p.base());
        List<Latent> target = sae.activeLatents(p.target().activation());
        List<Latent> now = sae.activeLatents(x);
        Set<Integer> before = new HashSet<>();
        base.forEach(l -> before.add(l.index()));
        Set<Integer> after = new HashSet<>();
        now.forEach(l -> after.add(l.index()));
        List<Latent> on = now.stream().filter(l -> !before.contains(l.index())).toList();
        List<Latent> off = base.stream().filter(l -> !after.contains(l.index())).toList();
        return new LatentView(step, bars(sae, base, base, maxBars), bars(sae, target, target, maxBars),
                bars(sae, now, now, maxBars), bars(sae, on, now, maxBars), bars(sae, off, base, maxBars));
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
