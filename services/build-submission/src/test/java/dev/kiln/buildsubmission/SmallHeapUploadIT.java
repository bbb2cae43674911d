package dev.kiln.buildsubmission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.Postgres;
import dev.kiln.testsupport.ServiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged hub, started with a 96 MiB heap, takes a 190 MiB context (with a Content-Length and chunked), serves
 * it back byte for byte and reads its Dockerfile (the archive's last entry) to accept a build: uploads are streamed
 * to disk and the database a chunk at a time, never held in memory.
 */
class SmallHeapUploadIT {
    private static final String ADMIN_TOKEN = "small-heap-admin-token";
    private static final long CONTEXT_BYTES = 190L * 1024 * 1024;

    static ServiceProcess hub;
    static String url;
    static String db;
    static Path spool;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startHub() throws Exception {
        int port = KafkaBroker.freePort();
        db = Postgres.createDatabase("kiln_hub_small_heap");
        spool = Files.createDirectories(Path.of("target/small-heap-spool")).toAbsolutePath();
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", KafkaResource.broker().bootstrapServers(),
                "QUARKUS_DATASOURCE_JDBC_URL", Postgres.jdbcUrl(db), "QUARKUS_DATASOURCE_USERNAME", Postgres.user(),
                "QUARKUS_DATASOURCE_PASSWORD", Postgres.password(), "KILN_AUTH_BOOTSTRAP_ADMIN_TOKEN", ADMIN_TOKEN,
                "KILN_CONTEXT_SPOOL_DIR", spool.toString(),
                "KILN_BUS_CERTS", KafkaResource.broker().certificates("build-submission").toString());
        // the packaged hub (this test runs after `package`), exiting at the first OutOfMemoryError
        hub = ServiceProcess.start(ServiceProcess.repositoryRoot(), "build-submission", port, env,
                Path.of("target/small-heap-logs"), List.of("-Xmx96m", "-XX:+ExitOnOutOfMemoryError"));
        url = hub.url();
        hub.awaitReady(Duration.ofMinutes(2));
    }

    @AfterAll
    static void stopHub() throws Exception {
        if (hub != null) {
            hub.close();
        }
        if (db != null) {
            Postgres.dropDatabase(db);
        }
    }

    @Test
    void aContextNearTheLimitIsStreamedThroughASmallHeap() throws Exception {
        Path context = Files.createTempFile(Path.of("target"), "small-heap-context-", ".tar");
        try {
            String name = "big" + Long.toHexString(System.nanoTime());
            String digest = writeContext(context, name);
            long size = Files.size(context);
            assertTrue(size > 189L * 1024 * 1024, "the context is " + size + " bytes");

            HttpResponse<String> sized = HTTP.send(request("/api/v1/contexts").header("Content-Type",
                    "application/x-tar").POST(HttpRequest.BodyPublishers.ofFile(context)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, sized.statusCode(), sized.body() + "\n" + tail());
            assertTrue(sized.body().contains("\"digest\":\"" + digest + "\""), sized.body());
            assertTrue(sized.body().contains("\"size\":" + size), sized.body());

            HttpResponse<String> chunked = HTTP.send(request("/api/v1/contexts").header("Content-Type",
                    "application/x-tar").POST(HttpRequest.BodyPublishers.ofInputStream(() -> open(context))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, chunked.statusCode(), chunked.body() + "\n" + tail());
            assertTrue(chunked.body().contains("\"digest\":\"" + digest + "\""), chunked.body());

            HttpResponse<InputStream> back = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/contexts/"
                    + digest)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, back.statusCode());
            assertEquals("application/octet-stream", back.headers().firstValue("Content-Type").orElse(""));
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long read = 0;
            try (InputStream in = back.body()) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                    read += n;
                }
            }
            assertEquals(size, read);
            assertEquals(digest, "sha256:" + HexFormat.of().formatHex(sha.digest()));

            // the Dockerfile is the archive's last entry: the whole archive is read back from the database
            HttpResponse<String> build = HTTP.send(request("/api/v1/builds").header("Content-Type",
                    "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"context\":{\"digest\":\""
                    + digest + "\"},\"scratch\":true}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, build.statusCode(), build.body() + "\n" + tail());
            assertTrue(build.body().contains("\"component\":\"" + name + "\""), build.body());

            assertTrue(hub.isAlive(), tail());
            assertFalse(tail().contains("OutOfMemoryError"), tail());
            try (var files = Files.list(spool)) {
                assertEquals(0, files.count(), "spool files were left behind");
            }
        } finally {
            Files.deleteIfExists(context);
        }
    }

    /** 190 MiB of incompressible files, then the Dockerfile; returns the archive's digest. */
    private static String writeContext(Path file, String name) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        SplittableRandom random = new SplittableRandom(12);
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            byte[] buf = new byte[1 << 20];
            long piece = 19L * 1024 * 1024;
            for (int i = 0; i < CONTEXT_BYTES / piece; i++) {
                TarArchiveEntry e = new TarArchiveEntry("data/blob-" + i);
                e.setSize(piece);
                tar.putArchiveEntry(e);
                for (long left = piece; left > 0; left -= buf.length) {
                    random.nextBytes(buf);
                    tar.write(buf, 0, (int) Math.min(buf.length, left));
                }
                tar.closeArchiveEntry();
            }
            byte[] dockerfile = ("FROM scratch\nLABEL name=" + name + " version=1\nCOPY data /data\n")
                    .getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("Dockerfile");
            e.setSize(dockerfile.length);
            tar.putArchiveEntry(e);
            tar.write(dockerfile);
            tar.closeArchiveEntry();
            tar.finish();
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + ADMIN_TOKEN);
    }

    private static String tail() {
        return hub.tail();
    }
}
