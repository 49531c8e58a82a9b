package org.plateau.ui;

import javafx.application.Application;
import javafx.stage.Stage;
import org.plateau.explore.UserSettings;

/** The desktop explorer. Started by {@link #open} (the class path has no JavaFX module layer). */
public final class PlateauApp extends Application {

    @Override
    public void start(Stage stage) {
        MainWindow window = new MainWindow(stage, UserSettings.load());
        stage.show();
        if (window.modelBar.model.getText().isBlank()) {
            window.status.setText("Choose a model folder (and an SAE) above, then Load.");
        } else {
            window.loadModel();
        }
    }

    /** Opens the window and returns when it is closed. */
    public static void open(String[] args) {
        Application.launch(PlateauApp.class, args);
    }
}
