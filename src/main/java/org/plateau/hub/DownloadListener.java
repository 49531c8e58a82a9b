package org.plateau.hub;

/** Progress of a download, for the command line's progress line and the app's dialog. */
public interface DownloadListener {

    /**
     * Called when a transfer starts (with {@code done} the bytes already kept from an earlier,
     * interrupted one) and as it goes.
     *
     * @param total bytes in all, or −1 when the server does not say
     */
    void progress(String file, long done, long total);

    /** Another process is downloading the same file into the cache; this one waits for it. */
    default void waiting(String file) {}

    DownloadListener NONE = (file, done, total) -> {};
}
