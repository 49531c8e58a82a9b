package org.plateau.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.PlateauJar;

/**
 * {@code plateau screenshot} in a real window (GTK under Xvfb): the scripted session runs and saves a
 * PNG of each view. CI installs Xvfb and GTK and sets PLATEAU_REQUIRE_UI, so there it cannot be skipped.
 */
class ScreenshotIT {

    @Test
    void theScriptedSessionSavesEveryView(@TempDir Path tmp) throws Exception {
        boolean hasXvfb = Files.isExecutable(Path.of("/usr/bin/xvfb-run"));
        if (System.getenv("PLATEAU_REQUIRE_UI") == null) {
            Assumptions.assumeTrue(hasXvfb, "xvfb-run is not installed");
        }
        assertTrue(hasXvfb, "xvfb-run is needed (apt-get install xvfb xauth libgtk-3-0)");
        Path fixture = Fixtures.tinyA();
        Path out = tmp.resolve("shots");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"));
        cmd.addAll(PlateauJar.command("screenshot", "--model", fixture.resolve("model").toString(), "--sae", fixture.resolve("sae").toString(),
                "--out", out.toString(), "--n", "4", "--stats-activations", "600", "--width", "1400", "--height", "900"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "finished");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("log")));
        for (String view : List.of("overlay.png", "explore.png", "compare.png")) {
            BufferedImage image = ImageIO.read(out.resolve(view).toFile());
            assertEquals(1400, image.getWidth(), view);
            assertEquals(900, image.getHeight(), view);
        }
    }
}
