package org.plateau.ui;

import javafx.application.Application;
import javafx.stage.Stage;
import org.plateau.explore.UserSettings;

/** The desktop explorer. Started by {@link #open} (the class path has no JavaFX module layer). */
public final class PlateauApp extends Application {

    @Override
    public void start(Stage stage) {
        boolean returning = java.nio.file.Files.exists(UserSettings.file());
        MainWindow window = new MainWindow(stage, UserSettings.load());
        stage.show();
        if (returning && !window.modelBar.model.getText().isBlank()) {
            window.loadModel(); // what was loaded last time, from the cache
        } else {
            // a first start downloads nothing unasked
            window.status.setText("Load fetches the paper's GPT-2 small and its layer-1 SAE from the Hugging Face hub"
                    + " (about 700 MB, once); a folder works too. Use demo tries the window with random weights.");
        }
    }

    /** Opens the window and returns when it is closed. */
    public static void open(String[] args) {
        Application.launch(PlateauApp.class, args);
    }
}
