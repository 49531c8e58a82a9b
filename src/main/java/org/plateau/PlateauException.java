package org.plateau;

/**
 * A problem the user can fix: a missing file, a bad option, a model that does not fit its SAE.
 *
 * <p>The message is one plain sentence meant to be shown as it is, on stderr or in the window;
 * never a stack trace.
 */
public class PlateauException extends RuntimeException {

    public PlateauException(String message) {
        super(message);
    }

    public PlateauException(String message, Throwable cause) {
        super(message, cause);
    }
}
