package org.plateau.ui;

import java.nio.file.Path;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.scene.transform.Transform;
import org.plateau.io.AtomicFiles;

/** PNG images of nodes, at a chosen size and scale, written atomically. */
final class Snapshots {

    private Snapshots() {}

    /**
     * Lays {@code node} out alone at width × height points (in a scene of its own, off screen) and
     * writes it as a PNG of (width·scale) × (height·scale) pixels.
     */
    static void writeAtSize(Region node, double width, double height, double scale, Path file) {
        StackPane holder = new StackPane(node);
        holder.setStyle("-fx-background-color: white; -fx-padding: 8;");
        Scene scene = new Scene(holder, width, height);
        scene.getStylesheets().add(MainWindow.STYLESHEET);
        holder.applyCss();
        holder.layout();
        write(holder, scale, file);
    }

    /** Writes a node as it is shown, scaled. */
    static void write(Node node, double scale, Path file) {
        SnapshotParameters params = new SnapshotParameters();
        params.setFill(Color.WHITE);
        params.setTransform(Transform.scale(scale, scale));
        int w = (int) Math.round(node.getLayoutBounds().getWidth() * scale);
        int h = (int) Math.round(node.getLayoutBounds().getHeight() * scale);
        WritableImage image = node.snapshot(params, new WritableImage(w, h));
        var buffered = SwingFXUtils.fromFXImage(image, null);
        AtomicFiles.write(file, out -> {
            if (!javax.imageio.ImageIO.write(buffered, "png", out)) {
                throw new java.io.IOException("no PNG writer");
            }
        });
    }
}
