package dev.kiln.qa;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real candidate registry for the test images, the test daemon, a stand-in for build-submission's context endpoint
 * (a JDK HTTP server on loopback serving archives by digest), a hook token, and short time limits.
 */
public class CandidateRegistryResource implements QuarkusTestResourceLifecycleManager {
    public static final String HOOK_TOKEN = "s3cret-hook-token";
    public static final String HOOK_NAME = "example-hook";
    private static final Map<String, byte[]> CONTEXTS = new ConcurrentHashMap<>();
    private static RegistryProcess registry;
    private static HttpServer hub;

    public static RegistryProcess registry() {
        return registry;
    }

    /** Serves {@code archive} at {@code /api/v1/contexts/<digest>}; returns the digest. */
    public static String serveContext(byte[] archive) throws Exception {
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive));
        CONTEXTS.put(digest, archive);
        return digest;
    }

    @Override
    public Map<String, String> start() {
        registry = RegistryProcess.start("qa-candidate");
        try {
            hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        hub.createContext("/api/v1/contexts/", exchange -> {
            String digest = exchange.getRequestURI().getPath().substring("/api/v1/contexts/".length());
            byte[] body = CONTEXTS.get(digest);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        hub.start();
        Map<String, String> config = new HashMap<>(Map.of(
                "kiln.qa.timeout", "5s",
                "kiln.qa.source-wait", "5s",
                "kiln.docker.host", TestDocker.host(),
                "kiln.hub.url", "http://127.0.0.1:" + hub.getAddress().getPort(),
                "kiln.qa.hook-tokens", HOOK_TOKEN + ":" + HOOK_NAME,
                "kiln.qa.size-budgets.qa-tiny", "1024"));
        TestDocker.certPath().ifPresent(p -> config.put("kiln.docker.cert-path", p));
        return config;
    }

    @Override
    public void stop() {
        if (hub != null) {
            hub.stop(0);
        }
        if (registry != null) {
            registry.close();
        }
    }
}
