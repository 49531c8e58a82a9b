package org.plateau.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import org.plateau.experiment.Lab;
import org.plateau.io.Json;
import org.plateau.model.HookPoint;
import org.plateau.sae.Latent;
import org.plateau.sae.Sae;

/** {@code encode}: the SAE latents of a prompt's activation and their reconstruction. */
final class EncodeCommand implements Command {

    @Override
    public String name() {
        return "encode";
    }

    @Override
    public String summary() {
        return "active SAE latents (strongest first) of a prompt's last position, and the reconstruction";
    }

    @Override
    public Usage usage() {
        return Inputs.model("").with(Inputs.sae("")).with(Inputs.prompt())
                .value("hook", "NAME", "where to read the activation (default blocks.1.hook_resid_pre)");
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        o.require("sae");
        try (Lab lab = Inputs.openLab(o, true, err)) {
            int[] tokens = Inputs.prompt(o, lab.model(), "tokens", "prompt");
            HookPoint hook = Inputs.hook(o, lab.model());
            Sae sae = lab.sae();
            float[] x = lab.model().activation(tokens, hook);
            double[] z = sae.encode(x);
            ObjectNode json = Json.MAPPER.createObjectNode();
            json.putPOJO("tokens", tokens);
            json.put("hook", hook.name());
            ArrayNode active = json.putArray("active");
            for (Latent l : Sae.active(z)) {
                active.addArray().add(l.index()).add(l.value());
            }
            json.putPOJO("reconstruction", sae.decode(z, x));
            String note = lab.hookMismatch(hook);
            if (note != null) {
                json.put("note", note);
            }
            out.println(json.toPrettyString());
        }
    }
}
