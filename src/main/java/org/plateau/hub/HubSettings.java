package org.plateau.hub;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the hub is and how to reach it, read from the same variables as Hugging Face's own client,
 * so that an existing cache is reused and what Plateau downloads is usable by Python tools.
 *
 * @param endpoint HF_ENDPOINT (default https://huggingface.co)
 * @param cache HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub
 * @param token HF_TOKEN, sent as a bearer token when set (null otherwise)
 * @param offline HF_HUB_OFFLINE=1: the cache only, never the network
 * @param datasetsServer where the dataset-rows service is (PLATEAU_DATASETS_SERVER, default
 *     https://datasets-server.huggingface.co)
 * @param metadataTimeout how long to wait for the answer to a HEAD request (HF_HUB_ETAG_TIMEOUT,
 *     seconds, default 10, as the official client)
 * @param downloadTimeout how long a download may go without a byte arriving before it is called
 *     stalled (HF_HUB_DOWNLOAD_TIMEOUT, seconds, default 10, as the official client)
 */
public record HubSettings(String endpoint, Path cache, String token, boolean offline, String datasetsServer,
        Duration metadataTimeout, Duration downloadTimeout) {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    public static final String DEFAULT_DATASETS_SERVER = "https://datasets-server.huggingface.co";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** With the official client's default timeouts. */
    public HubSettings(String endpoint, Path cache, String token, boolean offline, String datasetsServer) {
        this(endpoint, cache, token, offline, datasetsServer, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT);
    }

    public HubSettings withTimeouts(Duration metadata, Duration download) {
        return new HubSettings(endpoint, cache, token, offline, datasetsServer, metadata, download);
    }

    public static HubSettings fromEnvironment() {
        String endpoint = env("HF_ENDPOINT", DEFAULT_ENDPOINT);
        Path cache;
        if (System.getenv("HF_HUB_CACHE") != null && !System.getenv("HF_HUB_CACHE").isBlank()) {
            cache = Path.of(System.getenv("HF_HUB_CACHE"));
        } else if (System.getenv("HF_HOME") != null && !System.getenv("HF_HOME").isBlank()) {
            cache = Path.of(System.getenv("HF_HOME"), "hub");
        } else {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            cache = base.resolve("huggingface").resolve("hub");
        }
        String token = System.getenv("HF_TOKEN");
        String offline = env("HF_HUB_OFFLINE", "0").strip().toLowerCase();
        return new HubSettings(stripSlash(endpoint), cache, token == null || token.isBlank() ? null : token.strip(),
                offline.equals("1") || offline.equals("true") || offline.equals("yes") || offline.equals("on"),
                stripSlash(env("PLATEAU_DATASETS_SERVER", DEFAULT_DATASETS_SERVER)),
                seconds("HF_HUB_ETAG_TIMEOUT"), seconds("HF_HUB_DOWNLOAD_TIMEOUT"));
    }

    /** A timeout in seconds from the environment; the default when unset or not a positive number. */
    private static Duration seconds(String name) {
        try {
            double s = Double.parseDouble(env(name, "10"));
            return s > 0 && s < 86_400 ? Duration.ofMillis(Math.round(s * 1000)) : DEFAULT_TIMEOUT;
        } catch (NumberFormatException e) {
            return DEFAULT_TIMEOUT;
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.strip();
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
