package org.plateau.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.plateau.experiment.Lab;
import org.plateau.io.Json;
import org.plateau.model.Gpt2;

/** {@code forward}: the residual stream and next-token log-probs of one prompt's last position. */
final class ForwardCommand implements Command {

    @Override
    public String name() {
        return "forward";
    }

    @Override
    public String summary() {
        return "residual stream at every layer and top next-token log-probs of a prompt's last position";
    }

    @Override
    public Usage usage() {
        return Inputs.model("").with(Inputs.prompt());
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        try (Lab lab = Inputs.openLab(o, false, err)) {
            Gpt2 model = lab.model();
            int[] tokens = Inputs.prompt(o, model, "tokens", "prompt");
            Gpt2.Trace trace = model.trace(tokens);
            int layers = model.config().nLayer();
            ObjectNode json = Json.MAPPER.createObjectNode();
            json.putPOJO("tokens", tokens);
            json.put("processing", model.processing().id());
            json.put("device", model.device().toString());
            ArrayNode pre = json.putArray("resid_pre_last");
            for (int i = 0; i < layers; i++) {
                pre.addPOJO(trace.resid()[i]);
            }
            json.putPOJO("resid_post_last", trace.resid()[layers]);
            float[] lp = trace.logProbs();
            ArrayNode top = json.putArray("log_probs_last_top5");
            IntStream.range(0, lp.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer t) -> -lp[t]).thenComparingInt(t -> t))
                    .limit(5)
                    .forEach(t -> top.addArray().add(t).add(lp[t]));
            out.println(json.toPrettyString());
        }
    }
}
