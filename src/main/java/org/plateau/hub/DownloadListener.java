package org.plateau.hub;

/** Progress of a download, for the command line's progress line and the app's dialog. */
public interface DownloadListener {

    /** @param total bytes in all, or −1 when the server does not say */
    void progress(String file, long done, long total);

    DownloadListener NONE = (file, done, total) -> {};
}
