package org.plateau.ui;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.plateau.PlateauException;
import org.plateau.explore.Exports;
import org.plateau.io.AtomicFiles;

/**
 * Exports: every chart, and the anatomy views (read layer, ablation), as figures drawn by the report's
 * renderer ({@link org.plateau.plot.FigureFiles}) in PNG, SVG or PDF; the latents panel and the whole
 * window as PNG pictures; the data behind each as CSV or JSON.
 */
final class ExportActions {

    /** What can be exported. */
    enum Figure {
        L2("L2 chart", "plateau-l2"), KL("KL chart", "plateau-kl"), LATENTS("latents", "plateau-latents"),
        READ_LAYER("read layer", "plateau-read-layer"), ABLATION("ablation", "plateau-ablation"),
        HISTOGRAM("histogram", "plateau-histogram"), CDF("CDF", "plateau-cdf"), WINDOW("window", "plateau-window");

        final String label;
        final String fileStem;

        Figure(String label, String fileStem) {
            this.label = label;
            this.fileStem = fileStem;
        }

        /** Charts and the anatomy views are figures (any format); the latents panel and the window are pictures of the screen (PNG). */
        boolean chart() {
            return this != LATENTS && this != WINDOW;
        }
    }

    private final MainWindow w;
    private int width;
    private int height;
    private double scale;

    ExportActions(MainWindow w) {
        this.w = w;
        this.width = w.settings().exportWidth();
        this.height = w.settings().exportHeight();
        this.scale = w.settings().exportScale();
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    double scale() {
        return scale;
    }

    void installContextMenus() {
        menu(w.explore.l2.chart(), Figure.L2, true);
        menu(w.explore.kl.chart(), Figure.KL, true);
        menu(w.explore.latents, Figure.LATENTS, false);
        menu(w.explore.readLayer, Figure.READ_LAYER, true);
        menu(w.explore.ablation, Figure.ABLATION, true);
        menu(w.compare.histogram, Figure.HISTOGRAM, true);
        menu(w.compare.cdf, Figure.CDF, true);
    }

    private void menu(javafx.scene.Node node, Figure f, boolean json) {
        MenuItem png = new MenuItem("Export " + f.label + (f.chart() ? " as PNG, SVG or PDF…" : " as PNG…"));
        png.setOnAction(e -> askPng(f));
        MenuItem csv = new MenuItem("Export " + f.label + " data as CSV…");
        csv.setOnAction(e -> askData(f, "csv"));
        ContextMenu menu = new ContextMenu(png, csv);
        if (json) {
            MenuItem js = new MenuItem("Export " + f.label + " data as JSON…");
            js.setOnAction(e -> askData(f, "json"));
            menu.getItems().add(js);
        }
        node.setOnContextMenuRequested(e -> menu.show(node, e.getScreenX(), e.getScreenY()));
    }

    /** Asks for format, size, scale and a file, then writes the figure. */
    void askPng(Figure f) {
        Dialog<double[]> d = new Dialog<>();
        d.setTitle("Export " + f.label);
        d.setHeaderText(f.chart() ? "Format; size in points, and pixels per point for PNG (2 for sharp images)"
                : "Size in points, and pixels per point (2 for sharp images)");
        javafx.scene.control.ComboBox<org.plateau.plot.FigureFormat> format = new javafx.scene.control.ComboBox<>(
                javafx.collections.FXCollections.observableArrayList(f.chart()
                        ? java.util.List.of(org.plateau.plot.FigureFormat.values())
                        : java.util.List.of(org.plateau.plot.FigureFormat.PNG)));
        format.setId("exportFormat");
        format.getSelectionModel().select(org.plateau.plot.FigureFormat.PNG);
        TextField wf = new TextField(Integer.toString(f == Figure.WINDOW ? (int) w.stage.getWidth() : width));
        TextField hf = new TextField(Integer.toString(f == Figure.WINDOW ? (int) w.stage.getHeight() : height));
        TextField sf = new TextField(Double.toString(scale));
        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(6);
        g.addRow(0, new Label("format"), format);
        g.addRow(1, new Label("width"), wf);
        g.addRow(2, new Label("height"), hf);
        g.addRow(3, new Label("scale"), sf);
        d.getDialogPane().setContent(g);
        d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        d.setResultConverter(b -> {
            if (b != ButtonType.OK) {
                return null;
            }
            try {
                return new double[] {Double.parseDouble(wf.getText()), Double.parseDouble(hf.getText()),
                        Double.parseDouble(sf.getText())};
            } catch (NumberFormatException e) {
                return new double[] {-1, -1, -1};
            }
        });
        Optional<double[]> size = d.showAndWait();
        if (size.isEmpty()) {
            return;
        }
        double[] s = size.get();
        if (!(s[0] >= 100 && s[0] <= 10000 && s[1] >= 100 && s[1] <= 10000 && s[2] > 0 && s[2] <= 8)) {
            w.error("The size must be 100 to 10000 points each way and the scale between 0 and 8.");
            return;
        }
        org.plateau.plot.FigureFormat chosen = format.getValue();
        File file = save(f.fileStem + "." + chosen.extension(), chosen.name() + " file", "*." + chosen.extension());
        if (file != null) {
            exportFigure(f, chosen, file.toPath(), s[0], s[1], s[2]);
        }
    }

    /** A PNG of (width·scale) × (height·scale) pixels. */
    void exportPng(Figure f, Path file, double pointsWide, double pointsHigh, double pixelsPerPoint) {
        exportFigure(f, org.plateau.plot.FigureFormat.PNG, file, pointsWide, pointsHigh, pixelsPerPoint);
    }

    /** Writes the export: a chart as a figure in {@code format}, a panel or the window as a PNG. */
    void exportFigure(Figure f, org.plateau.plot.FigureFormat format, Path file, double pointsWide, double pointsHigh,
            double pixelsPerPoint) {
        try {
            if (f.chart()) {
                org.plateau.plot.FigureFiles.write(figureOf(f).sized(pointsWide, pointsHigh), format, pixelsPerPoint, file);
            } else if (format != org.plateau.plot.FigureFormat.PNG) {
                throw new PlateauException("The " + f.label + " is a view of the window and exports as PNG; its data"
                        + " exports as CSV or JSON.");
            } else if (f == Figure.WINDOW) {
                // the window's content laid out at the requested size for the picture, then put back
                Region root = (Region) w.stage.getScene().getRoot();
                try {
                    root.resize(pointsWide, pointsHigh);
                    root.layout();
                    Snapshots.write(root, pixelsPerPoint, file);
                } finally {
                    root.resize(w.stage.getScene().getWidth(), w.stage.getScene().getHeight());
                    root.layout();
                }
            } else {
                Snapshots.writeAtSize(copyOf(f), pointsWide, pointsHigh, pixelsPerPoint, file);
            }
            if (f != Figure.WINDOW) {
                width = (int) pointsWide;
                height = (int) pointsHigh;
            }
            scale = pixelsPerPoint;
            w.status.setText("Saved " + file + ".");
        } catch (PlateauException e) {
            w.error(e.getMessage());
        }
    }

    /** The figure a chart export draws: what the report would draw for the same data. */
    org.plateau.plot.Figure figureOf(Figure f) {
        String footnote = ExportFigures.footnote(w.explorer() == null ? null : w.explorer().lab());
        switch (f) {
            case L2, KL -> {
                if (w.explore.shown().isEmpty()) {
                    throw new PlateauException("There is no perturbation to export yet.");
                }
                return ExportFigures.curves(f == Figure.L2 ? org.plateau.plot.CurveCharts.Quantity.L2
                        : org.plateau.plot.CurveCharts.Quantity.KL, w.explore.shown(), footnote);
            }
            case READ_LAYER -> {
                if (w.explore.readLayer.view() == null) {
                    throw new PlateauException("There is no read-layer view to export yet: load a read-layer SAE.");
                }
                return ExportFigures.readLayer(w.explore.readLayer.view(), footnote);
            }
            case ABLATION -> {
                if (w.explore.ablation.shown() == null) {
                    throw new PlateauException("There are no ablations to export yet: load an SAE and choose a prompt.");
                }
                return ExportFigures.ablation(w.explore.ablation.shown(), footnote);
            }
            case HISTOGRAM, CDF -> {
                if (w.compare.view() == null || w.compare.view().types().isEmpty()) {
                    throw new PlateauException("There are no distributions to export yet: run a batch or open a run.");
                }
                return ExportFigures.distribution(w.compare.view(), f == Figure.HISTOGRAM, footnote);
            }
            default -> throw new IllegalArgumentException(f + " is a picture of the screen: see copyOf");
        }
    }

    /** A new node showing what the latents panel shows, to lay out at any size. */
    private Region copyOf(Figure f) {
        if (f != Figure.LATENTS) {
            throw new IllegalArgumentException(f + " is a figure: see figureOf");
        }
        if (w.explore.latents.view() == null) {
            throw new PlateauException("There are no latents to export yet: click a chart to choose a step.");
        }
        return w.explore.latents.copyContent();
    }

    void askData(Figure f, String format) {
        File file = save(f.fileStem + "." + format, format.toUpperCase() + " file", "*." + format);
        if (file != null) {
            exportData(f, format, file.toPath());
        }
    }

    void exportData(Figure f, String format, Path file) {
        try {
            String text = switch (f) {
                case L2, KL, WINDOW -> {
                    if (w.explore.shown().isEmpty()) {
                        throw new PlateauException("There is no perturbation to export yet.");
                    }
                    yield format.equals("json") ? Exports.curvesJson(w.explore.shown()) : Exports.curvesCsv(w.explore.shown());
                }
                case LATENTS -> {
                    if (w.explore.latents.view() == null) {
                        throw new PlateauException("There are no latents to export yet: click a chart to choose a step.");
                    }
                    yield Exports.latentsCsv(w.explore.latents.view());
                }
                case READ_LAYER -> {
                    if (w.explore.readLayer.view() == null) {
                        throw new PlateauException("There is no read-layer view to export yet: load a read-layer SAE.");
                    }
                    yield format.equals("json") ? Exports.readLayerJson(w.explore.readLayer.view())
                            : Exports.readLayerCsv(w.explore.readLayer.view());
                }
                case ABLATION -> {
                    if (w.explore.ablation.shown() == null) {
                        throw new PlateauException("There are no ablations to export yet: load an SAE and choose a prompt.");
                    }
                    yield format.equals("json") ? Exports.ablationsJson(w.explore.ablation.shown())
                            : Exports.ablationsCsv(w.explore.ablation.shown());
                }
                case HISTOGRAM, CDF -> {
                    if (w.compare.view() == null) {
                        throw new PlateauException("There are no distributions to export yet.");
                    }
                    yield format.equals("json") ? Exports.distributionJson(w.compare.view())
                            : Exports.distributionCsv(w.compare.view());
                }
            };
            AtomicFiles.writeString(file, text);
            w.status.setText("Saved " + file + ".");
        } catch (PlateauException e) {
            w.error(e.getMessage());
        }
    }

    /** The statistics table as CSV. */
    void exportStatistics(Path file) {
        if (w.compare.view() == null) {
            w.error("There are no distributions to export yet.");
            return;
        }
        AtomicFiles.writeString(file, Exports.statisticsCsv(w.compare.view()));
        w.status.setText("Saved " + file + ".");
    }

    File save(String name, String description, String pattern) {
        FileChooser chooser = new FileChooser();
        chooser.setInitialFileName(name);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(description, pattern));
        return chooser.showSaveDialog(w.stage);
    }
}
