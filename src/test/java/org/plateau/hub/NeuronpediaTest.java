package org.plateau.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Latent explanations from a local server that answers as Neuronpedia's feature API does, over real sockets. */
class NeuronpediaTest {

    @TempDir
    Path tmp;
    HttpServer server;
    final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/feature/", ex -> {
            requests.incrementAndGet();
            String[] parts = ex.getRequestURI().getPath().split("/"); // "", api, feature, model, source, index
            int index = Integer.parseInt(parts[5]);
            byte[] body;
            int code = 200;
            if (!parts[3].equals("gpt2-small") || !parts[4].equals("1-res-jb") || index >= 24576) {
                code = 404;
                body = "{\"message\":\"Feature not found\"}".getBytes(StandardCharsets.UTF_8);
            } else if (index == 7) {
                body = ("{\"modelId\":\"gpt2-small\",\"layer\":\"1-res-jb\",\"index\":\"7\",\"explanations\":[]}")
                        .getBytes(StandardCharsets.UTF_8);
            } else {
                body = ("{\"modelId\":\"gpt2-small\",\"layer\":\"1-res-jb\",\"index\":\"" + index + "\",\"maxActApprox\":3.2,"
                        + "\"explanations\":[{\"description\":\" mentions of dogs " + index + "\",\"typeName\":\"oai_token-act-pair\"}]}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(code, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    Neuronpedia client(boolean offline) {
        return new Neuronpedia("http://127.0.0.1:" + server.getAddress().getPort(), tmp.resolve("np"), offline,
                Duration.ofSeconds(5));
    }

    static final Neuronpedia.Source RES_JB_1 = Neuronpedia.Source.of("gpt2-small/1-res-jb");

    @Test
    void explanationsAreFetchedOnceAndCachedOnDisk() {
        Neuronpedia np = client(false);
        assertNull(np.known(RES_JB_1, 42), "not known before it is asked");
        assertEquals(Optional.of("mentions of dogs 42"), np.explanation(RES_JB_1, 42));
        assertEquals(Optional.empty(), np.explanation(RES_JB_1, 7), "a latent without an explanation");
        assertEquals(2, requests.get());
        np.explanation(RES_JB_1, 42);
        assertEquals(2, requests.get(), "the session remembers");
        // a new session, the server gone: the disk remembers, including "none"
        server.stop(0);
        Neuronpedia later = client(false);
        assertEquals(Optional.of("mentions of dogs 42"), later.known(RES_JB_1, 42));
        assertEquals(Optional.empty(), later.explanation(RES_JB_1, 7));
        assertTrue(later.page(RES_JB_1, 42).toString().endsWith("/gpt2-small/1-res-jb/42"));
    }

    @Test
    void noServerAnUnknownSaeOrOfflineLeaveTheIndexAlone() {
        Neuronpedia np = client(false);
        assertEquals(Optional.empty(), np.explanation(Neuronpedia.Source.of("gpt2-small/9-unknown"), 3), "404");
        Neuronpedia off = client(true);
        assertEquals(Optional.empty(), off.explanation(RES_JB_1, 43), "offline asks nobody");
        int before = requests.get();
        server.stop(0);
        assertEquals(Optional.empty(), client(false).explanation(RES_JB_1, 44), "server down");
        assertEquals(before, requests.get());
        assertNull(Neuronpedia.Source.of("not an id"));
        assertNull(Neuronpedia.Source.of("a/../b"));
    }
}
