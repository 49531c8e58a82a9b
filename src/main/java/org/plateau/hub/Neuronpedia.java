package org.plateau.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.regex.Pattern;
import org.plateau.io.AtomicFiles;
import org.plateau.io.CacheDir;
import org.plateau.io.Json;

/**
 * What a latent means, from Neuronpedia's public feature API
 * ({@code /api/feature/{model}/{source}/{index}}): the first explanation's description. Answers
 * are cached on disk (an explanation does not change), including "none"; a failure (offline, a
 * timeout, an unknown SAE) gives no explanation and is not retried within the session. Nothing here
 * throws: the index alone is always a valid answer.
 */
public final class Neuronpedia {

    public static final String DEFAULT_ENDPOINT = "https://www.neuronpedia.org";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][\\w.-]{0,99}");
    private static final long MAX_BYTES = 4 << 20;

    /**
     * An SAE as Neuronpedia names it: model and source ({@code gpt2-small} and {@code 1-res-jb}).
     */
    public record Source(String model, String id) {

        /** From a SAELens {@code neuronpedia_id} ({@code gpt2-small/1-res-jb}); null when it is not one. */
        public static Source of(String neuronpediaId) {
            if (neuronpediaId == null) {
                return null;
            }
            String[] parts = neuronpediaId.split("/");
            return parts.length == 2 && NAME.matcher(parts[0]).matches() && NAME.matcher(parts[1]).matches()
                    ? new Source(parts[0], parts[1]) : null;
        }
    }

    private final String endpoint;
    private final Path cache;
    private final boolean offline;
    private final Duration timeout;
    /** Made on the first fetch: building one sets up TLS, which a window that never asks should not wait for. */
    private volatile HttpClient http;
    /** What this session knows, from disk or the network; empty = no explanation. */
    private final Map<String, Optional<String>> known = new ConcurrentHashMap<>();

    public Neuronpedia(String endpoint, Path cache, boolean offline, Duration timeout) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.cache = cache;
        this.offline = offline;
        this.timeout = timeout;
    }

    private HttpClient http() {
        HttpClient h = http;
        if (h == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL)
                            .build();
                }
                h = http;
            }
        }
        return h;
    }

    /** $NEURONPEDIA_ENDPOINT (default the public site), offline with HF_HUB_OFFLINE, cached under Plateau's cache. */
    public static Neuronpedia fromEnvironment() {
        HubSettings hub = HubSettings.fromEnvironment();
        String e = System.getenv("NEURONPEDIA_ENDPOINT");
        return new Neuronpedia(e == null || e.isBlank() ? DEFAULT_ENDPOINT : e.strip(),
                CacheDir.root().resolve("neuronpedia"), hub.offline(), hub.metadataTimeout());
    }

    /** The latent's page, to open in a browser. */
    public URI page(Source s, int index) {
        return URI.create(endpoint + "/" + s.model() + "/" + s.id() + "/" + index);
    }

    /** The explanation if this session or the disk cache knows it, without the network; null if unknown yet. */
    public Optional<String> known(Source s, int index) {
        String key = key(s, index);
        Optional<String> k = known.get(key);
        if (k == null) {
            k = fromDisk(s, index);
            if (k != null) {
                known.put(key, k);
            }
        }
        return k;
    }

    /** The explanation: known, or fetched (blocking, under the timeout); empty when there is none or it cannot be had. */
    public Optional<String> explanation(Source s, int index) {
        Optional<String> k = known(s, index);
        if (k != null) {
            return k;
        }
        Optional<String> got = offline ? Optional.empty() : fetch(s, index);
        known.put(key(s, index), got);
        return got;
    }

    private Optional<String> fetch(Source s, int index) {
        URI url = URI.create(endpoint + "/api/feature/" + s.model() + "/" + s.id() + "/" + index);
        try {
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> r = http().send(HttpRequest.newBuilder(url).timeout(timeout)
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofPublisher());
            try (TimedBody body = TimedBody.of(r.body(), timeout)) {
                if (r.statusCode() == 404) {
                    remember(s, index, null); // Neuronpedia has no such latent: that answer keeps
                    return Optional.empty();
                }
                if (r.statusCode() != 200) {
                    return Optional.empty();
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                body.copyTo(out, MAX_BYTES, n -> {});
                String description = describe(Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8)));
                remember(s, index, description);
                return Optional.ofNullable(description);
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // offline, refused, stalled or malformed: the index alone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The first explanation's description, as the API's JSON has it; null when it has none. */
    static String describe(JsonNode feature) {
        for (JsonNode e : feature.path("explanations")) {
            String d = e.path("description").asText("").strip();
            if (!d.isEmpty()) {
                return d.length() > 300 ? d.substring(0, 300) + "…" : d;
            }
        }
        return null;
    }

    private Path file(Source s, int index) {
        return cache.resolve(s.model()).resolve(s.id()).resolve(index + ".json");
    }

    private Optional<String> fromDisk(Source s, int index) {
        Path f = file(s, index);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            JsonNode n = Json.read(f);
            return Optional.ofNullable(n.path("description").isTextual() ? n.get("description").asText() : null);
        } catch (RuntimeException e) {
            return null; // an unreadable entry is fetched again
        }
    }

    private void remember(Source s, int index, String description) {
        try {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("description", description);
            AtomicFiles.writeString(file(s, index), n.toString());
        } catch (RuntimeException e) {
            // a read-only cache only costs asking again next session
        }
    }

    private static String key(Source s, int index) {
        return s.model() + "/" + s.id() + "/" + index;
    }
}
