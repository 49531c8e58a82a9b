package org.plateau.hub;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.LinkOption;
import java.util.concurrent.Flow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.plateau.PlateauException;
import org.plateau.io.Hashing;

/**
 * Fetches repository files from the hub into the cache, as Hugging Face's own client does: a HEAD
 * request names the commit and the file's etag (for large files, the SHA-256 of its contents); the
 * file then downloads into blobs/{etag}.incomplete, resuming where a dropped connection left it,
 * and enters the cache only once whole and, where the hub announces a SHA-256, verified.
 */
public final class HubClient {

    /** How often a dropped download is resumed before giving up. */
    static final int ATTEMPTS = 6;
    /** How many stalled transfers end a download (a server that stalls once tends to again). */
    static final int STALLS = 3;
    /** Bounds a body whose size the server does not announce. */
    static final long MAX_UNSIZED_BYTES = 64L << 30;
    /** Bounds a JSON answer of the dataset service. */
    static final long MAX_DOCUMENT_BYTES = 64L << 20;

    private final HubSettings settings;
    private final HubCache cache;
    private final HttpClient http;

    public HubClient(HubSettings settings) {
        this.settings = settings;
        this.cache = new HubCache(settings.cache());
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER) // redirects are followed by hand: the token stays on the hub
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    public HubSettings settings() {
        return settings;
    }

    public HubCache cache() {
        return cache;
    }

    /**
     * The local path of each file of a repository revision: from the cache when there, else
     * downloaded (unless offline). Returns the paths in the order asked.
     */
    public List<Path> files(String repo, String kind, String revision, List<String> files, DownloadListener listener) {
        return files(repo, kind, revision, files, List.of(), listener);
    }

    /**
     * As above, with files that a repository may lack ({@code optional}: an SAE's sparsity); the
     * result has the required files in order, then each optional one that exists (null for one
     * the hub does not have, or that an offline cache lacks).
     */
    public List<Path> files(String repo, String kind, String revision, List<String> files, List<String> optional,
            DownloadListener listener) {
        HubNames.repoId(repo);
        HubNames.revision(revision);
        files.forEach(HubNames::repoPath);
        optional.forEach(HubNames::repoPath);
        List<String> all = new java.util.ArrayList<>(files);
        all.addAll(optional);
        List<Path> out = new java.util.ArrayList<>();
        for (String f : all) {
            boolean needed = files.contains(f);
            Path cached = cache.find(repo, kind, revision, f);
            if (cached != null) {
                out.add(cached);
                continue;
            }
            if (settings.offline()) {
                if (!needed) {
                    out.add(null);
                    continue;
                }
                throw new PlateauException("HF_HUB_OFFLINE is set and the cache at " + cache.repoFolder(repo, kind)
                        + " does not hold " + f + "; " + byHand(repo, kind, files));
            }
            try {
                out.add(download(repo, kind, revision, f, files, listener));
            } catch (MissingFile e) {
                if (needed) {
                    throw e;
                }
                out.add(null);
            }
        }
        return out;
    }

    /** The hub has no such file (404). */
    static final class MissingFile extends PlateauException {
        MissingFile(String message) {
            super(message);
        }
    }

    /**
     * What HEAD told about a file, every name already checked for its shape.
     *
     * @param signed its location is a signed URL elsewhere (the CDN)
     */
    record Metadata(String commit, String etag, long size, URI location, boolean signed) {}

    private Path download(String repo, String kind, String revision, String file, List<String> all,
            DownloadListener listener) {
        URI url = resolveUrl(repo, kind, revision, file);
        Metadata meta = head(url, repo, kind, revision, file, all);
        Path blob = cache.blob(repo, kind, meta.etag());
        try (HubCache.BlobLock lock = cache.lock(repo, kind, meta.etag(), () -> listener.waiting(file))) {
            if (Files.isRegularFile(blob) && mismatch(blob, meta) == null) {
                // the same contents under another name or revision, or another process's download
                Path p = cache.link(repo, kind, meta.etag(), meta.commit(), file);
                cache.writeRef(repo, kind, revision, meta.commit());
                return p;
            }
            Path part = cache.incomplete(repo, kind, meta.etag());
            Files.createDirectories(part.getParent());
            if (Files.exists(part, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS)) {
                throw new PlateauException("The cache holds " + part + ", which is not a file; remove it and run again.");
            }
            fetch(meta, part, file, listener, repo, kind, all);
            String bad = mismatch(part, meta);
            if (bad != null) {
                Files.deleteIfExists(part);
                throw new PlateauException("The download of " + file + " from " + repo + " " + bad + "; nothing was kept."
                        + " Run again, or " + byHand(repo, kind, all));
            }
            Path p = cache.commit(repo, kind, meta.etag(), part, meta.commit(), file);
            // checked again where it now lies: what sits under a verified name must be what it names
            String moved = mismatch(blob, meta);
            if (moved != null) {
                Files.deleteIfExists(p);
                Files.deleteIfExists(blob);
                throw new PlateauException("The cached copy of " + file + " from " + repo + " changed as it was stored ("
                        + moved + "); nothing was kept. Run again.");
            }
            cache.writeRef(repo, kind, revision, meta.commit());
            return p;
        } catch (IOException e) {
            throw new PlateauException("Cannot write to the Hugging Face cache at " + cache.root() + " (" + e.getMessage() + ").");
        }
    }

    /**
     * Why a file is not what the hub announced, or null if it is: its size, and its SHA-256 (large
     * files) or git blob id (small files), both of which the etag is.
     */
    private static String mismatch(Path file, Metadata meta) throws IOException {
        long size = Files.size(file);
        if (meta.size() >= 0 && size != meta.size()) {
            return "ended at " + size + " bytes instead of " + meta.size();
        }
        boolean sha256 = HubNames.SHA256.matcher(meta.etag()).matches();
        String got = sha256 ? Hashing.sha256(file) : Hashing.gitBlobId(file);
        if (!got.equals(meta.etag())) {
            return "does not match the " + (sha256 ? "SHA-256" : "git blob id") + " the hub announced ("
                    + meta.etag().substring(0, 12) + "…, got " + got.substring(0, 12) + "…)";
        }
        return null;
    }

    URI resolveUrl(String repo, String kind, String revision, String file) {
        String prefix = kind.equals("dataset") ? "/datasets/" : "/";
        return URI.create(settings.endpoint() + prefix + repo + "/resolve/" + encode(revision) + "/" + encodePath(file));
    }

    /** HEAD, following the hub's own (relative) redirects but stopping at a CDN one, as the official client does. */
    private Metadata head(URI url, String repo, String kind, String revision, String file, List<String> all) {
        URI current = url;
        for (int hop = 0; hop < 6; hop++) {
            HttpResponse<Void> r = send(request(current, settings.metadataTimeout())
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding(), repo, kind, all);
            int code = r.statusCode();
            String linkedEtag = r.headers().firstValue("X-Linked-Etag").orElse(null);
            String rawEtag = clean(linkedEtag != null ? linkedEtag : r.headers().firstValue("ETag").orElse(null));
            long size = r.headers().firstValueAsLong("X-Linked-Size")
                    .orElse(r.headers().firstValueAsLong("Content-Length").orElse(-1));
            if (code >= 300 && code < 400) {
                URI location = current.resolve(r.headers().firstValue("Location").orElseThrow(
                        () -> new PlateauException("The hub redirected " + file + " without saying where.")));
                if (linkedEtag != null || !sameHost(location, url)) {
                    // a large file: its contents live elsewhere (the CDN), its identity is in these headers
                    return new Metadata(HubNames.commit(r.headers().firstValue("X-Repo-Commit").orElse(null), file),
                            HubNames.etag(rawEtag, file), size, location, true);
                }
                current = location;
                continue;
            }
            checkStatus(code, repo, kind, revision, file, all);
            return new Metadata(HubNames.commit(r.headers().firstValue("X-Repo-Commit").orElse(null), file),
                    HubNames.etag(rawEtag, file), size, current, false);
        }
        throw new PlateauException("The hub redirected " + file + " of " + repo + " too many times.");
    }

    /**
     * GET into {@code part}, resuming with a Range request after a dropped or stalled connection.
     * What arrived stays in {@code part}: a later run resumes from it.
     */
    private void fetch(Metadata meta, Path part, String file, DownloadListener listener, String repo, String kind,
            List<String> all) throws IOException {
        IOException last = null;
        int stalls = 0;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long have = Files.exists(part) ? Files.size(part) : 0;
            if (meta.size() >= 0 && have >= meta.size()) {
                return;
            }
            try {
                if (attempt > 0) {
                    Thread.sleep(Math.min(8000, 250L << attempt));
                }
                getInto(meta.location(), meta.signed(), part, have, meta.size(), file, listener, repo, kind, all);
                return;
            } catch (TimedBody.Stalled e) {
                last = e;
                if (++stalls >= STALLS) {
                    break;
                }
            } catch (IOException e) {
                last = e; // dropped: resume from what arrived
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PlateauException("The download of " + file + " was interrupted; run again to resume it.");
            }
        }
        String why = last instanceof TimedBody.Stalled
                ? "stalled: no data for " + settings.downloadTimeout().toSeconds() + " s (HF_HUB_DOWNLOAD_TIMEOUT)"
                : "kept breaking off (" + HubClient.reason(last) + ")";
        throw new PlateauException("The download of " + file + " from " + repo + " " + why
                + "; what arrived is kept, run again to resume it.");
    }

    private void getInto(URI start, boolean signed, Path part, long have, long size, String file,
            DownloadListener listener, String repo, String kind, List<String> all) throws IOException, InterruptedException {
        URI current = start;
        for (int hop = 0; hop < 6; hop++) {
            // a signed URL needs no token, and the token must not travel beyond the hub
            boolean onHub = !signed && sameHost(current, URI.create(settings.endpoint()));
            HttpRequest.Builder b = onHub ? request(current, settings.downloadTimeout())
                    : HttpRequest.newBuilder(current).timeout(settings.downloadTimeout()).header("User-Agent", userAgent());
            if (have > 0) {
                b.header("Range", "bytes=" + have + "-");
            }
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> r;
            try {
                r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofPublisher());
            } catch (ConnectException | UnknownHostException | HttpConnectTimeoutException e) {
                throw new PlateauException("Cannot reach the hub at " + settings.endpoint() + " to download " + file
                        + " (" + reason(e) + "); " + byHand(repo, kind, all));
            } catch (HttpTimeoutException e) {
                throw new TimedBody.Stalled(settings.downloadTimeout());
            }
            try (TimedBody body = TimedBody.of(r.body(), settings.downloadTimeout())) {
                int code = r.statusCode();
                if (code >= 300 && code < 400) {
                    URI next = current.resolve(r.headers().firstValue("Location").orElseThrow(
                            () -> new IOException("a redirect without a location")));
                    signed |= !sameHost(next, current);
                    current = next;
                    continue;
                }
                if (code == 416 && size >= 0 && have >= size) {
                    return;
                }
                boolean resumed = code == 206;
                if (!resumed && code != 200) {
                    checkStatus(code, repo, kind, "", file, all);
                }
                if (resumed && !rangeStartsAt(r, have)) {
                    throw new IOException("the server resumed at another offset than asked");
                }
                long from = resumed ? have : 0;
                listener.progress(file, from, size);
                StandardOpenOption mode = resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
                long limit = size >= 0 ? size - from : MAX_UNSIZED_BYTES;
                long[] lastReport = {0};
                long got;
                try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        mode, LinkOption.NOFOLLOW_LINKS)) {
                    got = body.copyTo(out, limit, n -> {
                        if (n - lastReport[0] > (1 << 20)) {
                            listener.progress(file, from + n, size);
                            lastReport[0] = n;
                        }
                    });
                }
                listener.progress(file, from + got, size);
                if (size >= 0 && from + got < size) {
                    throw new IOException("connection closed after " + (from + got) + " of " + size + " bytes");
                }
                return;
            }
        }
        throw new IOException("too many redirects");
    }

    /** A 206 answer must cover the bytes from where we asked. */
    private static boolean rangeStartsAt(HttpResponse<?> r, long have) {
        String range = r.headers().firstValue("Content-Range").orElse(null);
        return range == null || range.strip().startsWith("bytes " + have + "-");
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler, String repo, String kind,
            List<String> all) {
        try {
            return http.send(req, handler);
        } catch (ConnectException | UnknownHostException | HttpConnectTimeoutException e) {
            throw new PlateauException("Cannot reach the hub at " + settings.endpoint() + " (" + reason(e) + "); "
                    + byHand(repo, kind, all));
        } catch (HttpTimeoutException e) {
            throw new PlateauException("The hub at " + settings.endpoint() + " did not answer within "
                    + req.timeout().map(Duration::toSeconds).orElse(0L) + " s; " + byHand(repo, kind, all));
        } catch (IOException e) {
            throw new PlateauException("The connection to the hub at " + settings.endpoint() + " failed (" + reason(e)
                    + "); " + byHand(repo, kind, all));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlateauException("Interrupted while asking the hub for " + repo + ".");
        }
    }

    private void checkStatus(int code, String repo, String kind, String revision, String file, List<String> all) {
        if (code == 401 || code == 403) {
            throw new PlateauException("The hub refused access to " + repo + " (" + code + "): it may be gated or private;"
                    + (settings.token() == null ? " set HF_TOKEN to a token that has access," : " HF_TOKEN has no access to it;")
                    + " or " + byHand(repo, kind, all));
        }
        if (code == 404) {
            throw new MissingFile("The hub has no file " + file + " in " + repo
                    + (revision.isEmpty() ? "" : " at revision " + revision) + " (404); check the name, or "
                    + byHand(repo, kind, all));
        }
        if (code >= 400) {
            throw new PlateauException("The hub answered " + code + " for " + file + " of " + repo + "; try again later, or "
                    + byHand(repo, kind, all));
        }
    }

    HttpRequest.Builder request(URI url, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout).header("User-Agent", userAgent());
        if (settings.token() != null) {
            b.header("Authorization", "Bearer " + settings.token());
        }
        return b;
    }

    /** GET of a small JSON document (the dataset-rows service), every read under the download timeout. */
    String getText(URI url, String what) {
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> r = send(request(url, settings.downloadTimeout()).GET().build(),
                HttpResponse.BodyHandlers.ofPublisher(), what, "dataset", List.of());
        try (TimedBody body = TimedBody.of(r.body(), settings.downloadTimeout())) {
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                throw new PlateauException("The hub refused access to " + what + " (" + r.statusCode() + "); set HF_TOKEN"
                        + " to a token that has access.");
            }
            if (r.statusCode() != 200) {
                throw new PlateauException("The dataset service answered " + r.statusCode() + " for " + what + ".");
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            body.copyTo(out, MAX_DOCUMENT_BYTES, n -> {});
            return out.toString(StandardCharsets.UTF_8);
        } catch (TimedBody.Stalled e) {
            throw new PlateauException("The dataset service stalled while sending " + what + " (no data for "
                    + settings.downloadTimeout().toSeconds() + " s); try again later.");
        } catch (IOException e) {
            throw new PlateauException("The dataset service's answer for " + what + " broke off (" + reason(e) + ").");
        }
    }

    private static String userAgent() {
        return "plateau/" + org.plateau.Version.current() + "; java/" + System.getProperty("java.version");
    }

    /** The sentence that ends every failure: which files, and where they go by hand. */
    String byHand(String repo, String kind, List<String> files) {
        return "to work without the network, put " + describe(repo, files) + " in a folder and pass that folder instead"
                + " (or into " + cache.repoFolder(repo, kind).resolve("snapshots").resolve("<commit>")
                + ", with refs/main naming that commit).";
    }

    private static String describe(String repo, List<String> files) {
        return String.join(", ", files) + " of " + repo;
    }

    private static String require(String etag, String file, String repo) {
        if (etag == null || etag.isEmpty()) {
            throw new PlateauException("The hub did not identify " + file + " of " + repo + " (no ETag).");
        }
        return etag;
    }

    /** An etag without quotes or weakness marker, as the cache names blobs. */
    static String clean(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        return e.replace("\"", "");
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    /** Why a connection failed, in words rather than exception names. */
    static String reason(Exception e) {
        String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("").strip();
        if (e instanceof HttpConnectTimeoutException) {
            return "no answer within 20 s";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host" + (m.isEmpty() ? "" : " " + m);
        }
        if (e instanceof ConnectException) {
            return "no connection" + (m.isEmpty() ? "" : ": " + m);
        }
        return m.isEmpty() ? "the connection failed" : m;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        StringBuilder b = new StringBuilder();
        for (String part : path.split("/")) {
            b.append(b.length() == 0 ? "" : "/").append(encode(part));
        }
        return b.toString();
    }
}
