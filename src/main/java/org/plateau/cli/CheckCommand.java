package org.plateau.cli;

import java.io.PrintStream;
import org.plateau.PlateauException;
import org.plateau.experiment.Lab;
import org.plateau.experiment.LabLoader;
import org.plateau.experiment.ModelCheck;
import org.plateau.io.Json;
import org.plateau.hub.DownloadListener;
import org.plateau.hub.HubClient;
import org.plateau.hub.HubSettings;
import org.plateau.hub.ModelSources;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.sae.Sae;

/**
 * {@code check}: does the loaded model compute its published output, and does the SAE fit it?
 * Exit 0 when the check passes or there is nothing to compare with, 1 when it fails.
 */
final class CheckCommand implements Command {

    @Override
    public String name() {
        return "check";
    }

    @Override
    public String summary() {
        return "does the model compute its published output (GPT-2), and how well does the SAE fit it";
    }

    @Override
    public Usage usage() {
        return Inputs.model("").with(Inputs.sae(": its mean L0, variance explained and dead latents"))
                .value("reference", "REPO", "compare with the published output of REPO (default: the model's hub"
                        + " repository; give openai-community/gpt2 for a folder of GPT-2)")
                .value("hook", "NAME", "the hook perturbed (default blocks.1.hook_resid_pre)");
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        String reference = o.get("reference", null);
        if (reference != null && ModelCheck.referenceFor(reference) == null) {
            throw new PlateauException("Plateau knows no published output of " + reference
                    + "; it knows openai-community/gpt2's.");
        }
        ProgressLine line = new ProgressLine(err);
        DownloadListener downloads = line.downloads();
        HubClient hub = new HubClient(HubSettings.fromEnvironment());
        // the SAE is loaded beside the model, not into it: one of another width is reported, not refused
        try (Lab lab = LabLoader.open(new LabLoader.Request(o.require("model"), null,
                Processing.parse(o.get("processing", "tl")), Inputs.device(o)), hub, downloads)) {
            ModelSources.Resolved s = o.has("sae") ? ModelSources.sae(o.get("sae", null), hub, downloads) : null;
            Sae sae = s == null ? null : Sae.load(s.dir());
            HookPoint hook = Inputs.hook(o, lab.model());
            ModelCheck c = LabLoader.checkNow(lab, hook, reference != null ? reference : lab.modelRepo(), sae,
                    s == null ? null : s.dir(), s == null ? null : s.description());
            out.println(Json.MAPPER.valueToTree(Json.RECORDS.valueToTree(c)).toPrettyString());
            err.println("plateau: " + (c.warns() ? "WARNING: " : "check: ") + c.line());
            if (c.failed()) {
                throw new Cli.Failed();
            }
        }
    }
}
