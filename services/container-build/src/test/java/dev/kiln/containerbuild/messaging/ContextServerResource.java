package dev.kiln.containerbuild.messaging;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Stands in for build-submission's context endpoint: a tiny HTTP server on a free loopback port serving
 * {@code /api/v1/contexts/<digest>} from files in a directory (named {@code sha256_<hex>}), and {@code /ping}.
 * The directory and the port are published as system properties; {@link #put} adds a context.
 */
public class ContextServerResource implements QuarkusTestResourceLifecycleManager {
    public static final String DIR_PROPERTY = "containerbuild.test.contexts-dir";
    public static final String PORT_PROPERTY = "containerbuild.test.hub-port";
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("kiln-contexts-");
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/api/v1/contexts/", exchange -> {
                String digest = exchange.getRequestURI().getPath().substring("/api/v1/contexts/".length());
                Path file = dir.resolve(digest.replace(':', '_'));
                if (digest.contains("/") || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                    return;
                }
                byte[] body = Files.readAllBytes(file);
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.createContext("/ping", exchange -> {
                byte[] body = "pong\n".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            int port = server.getAddress().getPort();
            System.setProperty(DIR_PROPERTY, dir.toString());
            System.setProperty(PORT_PROPERTY, Integer.toString(port));
            return Map.of("kiln.hub.url", "http://127.0.0.1:" + port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test context server: " + e.getMessage(), e);
        }
    }

    /**
     * Tars {@code files} (name → content, in the map's order), stores the archive where the server finds it and
     * returns its digest, as build-submission would after an upload.
     */
    public static String put(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                byte[] data = f.getValue();
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(data.length);
                e.setMode(0644);
                tar.putArchiveEntry(e);
                tar.write(data);
                tar.closeArchiveEntry();
            }
        }
        return putArchive(out.toByteArray());
    }

    /** Stores an archive as it is (any tar, e.g. with modes and links of the test's choosing); returns its digest. */
    public static String putArchive(byte[] bytes) throws IOException {
        String digest = "sha256:" + HexFormat.of().formatHex(sha256(bytes));
        Files.write(Path.of(System.getProperty(DIR_PROPERTY)).resolve(digest.replace(':', '_')), bytes);
        return digest;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
