package org.plateau.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.plateau.io.Json;

/**
 * A small stand-in for the Hugging Face hub on a real local socket: /{repo}/resolve/{rev}/{path}
 * with the hub's headers (X-Repo-Commit, ETag, and for .safetensors files a 302 to /cdn/{sha256}
 * with X-Linked-Etag and X-Linked-Size), Range requests, and /rows for datasets. Faults on demand.
 */
final class HubServer implements AutoCloseable {

    record Repo(String commit, Map<String, byte[]> files) {}

    final Map<String, Repo> repos = new LinkedHashMap<>();
    final Map<String, List<int[]>> datasets = new HashMap<>();
    final Map<String, byte[]> blobs = new HashMap<>();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger requests = new AtomicInteger();
    /** Where each ranged CDN transfer started. */
    final List<Long> rangeStarts = Collections.synchronizedList(new ArrayList<>());

    /** Fault: the first transfer of a CDN blob stops after this many bytes (−1: never). */
    volatile long dropAfter = -1;
    /** Fault: the hub announces a SHA-256 that does not match the contents. */
    volatile boolean wrongSha;
    /** Fault: small files are announced with another file's git blob id. */
    volatile boolean wrongGitBlob;
    /** Fault: a token is required. */
    volatile String requiredToken;
    /** Fault: this ETag (and X-Linked-Etag) instead of the real one. */
    volatile String etagOverride;
    /** Fault: this X-Repo-Commit instead of the repository's. */
    volatile String commitOverride;
    /** Fault: CDN transfers send this many bytes, then nothing more until the server stops (−1: never). */
    volatile long stallAfter = -1;
    /** Fault: CDN transfers are sent in 16 KiB pieces this many milliseconds apart (0: at once). */
    volatile long dripMillis;
    /** When set: CDN transfers wait until this many HEAD requests for large files have come (concurrent clients). */
    volatile java.util.concurrent.CountDownLatch largeHeads;
    private boolean dropped;

    private final HttpServer server;

    HubServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        // several transfers at once (concurrent clients, a stalled one beside a healthy one)
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hub-server");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Serves the files of a folder (recursively) as a repository. */
    HubServer repo(String name, String commit, Path folder, String prefix) throws IOException {
        Repo r = repos.computeIfAbsent(name, n -> new Repo(commit, new LinkedHashMap<>()));
        try (var files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] data = Files.readAllBytes(f);
                r.files().put(prefix + folder.relativize(f).toString().replace('\\', '/'), data);
                blobs.put(org.plateau.io.Hashing.sha256(data), data);
            }
        }
        return this;
    }

    HubServer dataset(String name, List<int[]> rows) {
        datasets.put(name, rows);
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String path = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
        String range = ex.getRequestHeaders().getFirst("Range");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        log.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " range=" + range) + (auth == null ? "" : " auth"));
        try (ex) {
            if (path.startsWith("/cdn/")) {
                cdn(ex, path.substring(5), range);
            } else if (path.equals("/rows")) {
                rows(ex);
            } else {
                resolve(ex, path, auth);
            }
        } catch (IOException e) {
            // a dropped connection ends here on purpose
        }
    }

    private void resolve(HttpExchange ex, String path, String auth) throws IOException {
        int at = path.indexOf("/resolve/");
        if (at < 0) {
            send(ex, 404, new byte[0]);
            return;
        }
        if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
            send(ex, 401, "unauthorized".getBytes());
            return;
        }
        String repoName = path.substring(1, at);
        String rest = path.substring(at + 9);
        String file = rest.substring(rest.indexOf('/') + 1);
        Repo repo = repos.get(repoName);
        byte[] data = repo == null ? null : repo.files().get(file);
        if (data == null) {
            send(ex, 404, "not found".getBytes());
            return;
        }
        String sha = org.plateau.io.Hashing.sha256(data);
        var h = ex.getResponseHeaders();
        h.add("X-Repo-Commit", commitOverride != null ? commitOverride : repo.commit());
        if (file.endsWith(".safetensors")) {
            if (largeHeads != null && ex.getRequestMethod().equals("HEAD")) {
                largeHeads.countDown();
            }
            String announced = etagOverride != null ? etagOverride
                    : wrongSha ? org.plateau.io.Hashing.sha256("something else".getBytes()) : sha;
            h.add("X-Linked-Etag", "\"" + announced + "\"");
            h.add("X-Linked-Size", Long.toString(data.length));
            h.add("Location", "/cdn/" + sha);
            ex.sendResponseHeaders(302, -1);
            return;
        }
        // the hub's etag for small files: their git blob id
        h.add("ETag", "\"" + (etagOverride != null ? etagOverride : wrongGitBlob ? gitBlobId("other".getBytes()) : gitBlobId(data))
                + "\"");
        if (ex.getRequestMethod().equals("HEAD")) {
            h.add("Content-Length", Long.toString(data.length));
            ex.sendResponseHeaders(200, -1);
        } else {
            send(ex, 200, data);
        }
    }

    static String gitBlobId(byte[] data) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-1");
            md.update(("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return java.util.HexFormat.of().formatHex(md.digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final java.util.concurrent.CountDownLatch stopping = new java.util.concurrent.CountDownLatch(1);

    private void cdn(HttpExchange ex, String sha, String range) throws IOException {
        byte[] data = blobs.get(sha);
        if (data == null) {
            send(ex, 404, new byte[0]);
            return;
        }
        if (largeHeads != null) {
            try {
                largeHeads.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int from = 0;
        if (range != null && range.startsWith("bytes=")) {
            from = Integer.parseInt(range.substring(6, range.indexOf('-')));
            rangeStarts.add((long) from);
        }
        ex.getResponseHeaders().add("Accept-Ranges", "bytes");
        int length = data.length - from;
        if (from > 0) {
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
        }
        ex.sendResponseHeaders(from > 0 ? 206 : 200, length);
        OutputStream out = ex.getResponseBody();
        boolean drop;
        synchronized (this) {
            drop = dropAfter >= 0 && !dropped && length > dropAfter;
            dropped |= drop;
        }
        if (drop) {
            out.write(data, from, (int) dropAfter);
            out.flush();
            throw new IOException("dropping the connection on purpose");
        }
        if (stallAfter >= 0 && length > stallAfter) {
            out.write(data, from, (int) stallAfter);
            out.flush();
            try {
                stopping.await(); // headers and a few bytes, then silence: the connection stays open
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("stalled on purpose");
        }
        for (int at = from; at < data.length; at += 16 << 10) {
            out.write(data, at, Math.min(16 << 10, data.length - at));
            out.flush();
            if (dripMillis > 0) {
                try {
                    Thread.sleep(dripMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void rows(HttpExchange ex) throws IOException {
        Map<String, String> q = new HashMap<>();
        for (String kv : ex.getRequestURI().getRawQuery().split("&")) {
            int eq = kv.indexOf('=');
            q.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        List<int[]> rows = datasets.get(q.get("dataset"));
        if (rows == null) {
            send(ex, 404, "{\"error\": \"no such dataset\"}".getBytes());
            return;
        }
        int offset = Integer.parseInt(q.get("offset"));
        int length = Integer.parseInt(q.get("length"));
        var root = Json.MAPPER.createObjectNode();
        var arr = root.putArray("rows");
        for (int i = offset; i < Math.min(rows.size(), offset + length); i++) {
            var r = arr.addObject();
            r.put("row_idx", i);
            r.putObject("row").putPOJO("input_ids", rows.get(i));
            r.putArray("truncated_cells");
        }
        root.put("num_rows_total", rows.size());
        root.put("num_rows_per_page", 100);
        root.put("partial", false);
        send(ex, 200, root.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int code, byte[] body) throws IOException {
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        stopping.countDown();
        server.stop(0);
    }
}
