package dev.kiln.release;

import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.Postgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real hub: the packaged build-submission ({@code services/build-submission/target/quarkus-app}) run as its own
 * process on its own database, with a bootstrap admin token that creates the tests' tokens through its API.
 */
final class HubProcess implements AutoCloseable {
    static final String ADMIN_TOKEN = "release-test-admin-token";
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

    final String url;
    private final Process process;
    private final String db;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private HubProcess(String url, Process process, String db, Path log) {
        this.url = url;
        this.process = process;
        this.db = db;
        this.log = log;
    }

    static HubProcess start() {
        Path jar = Path.of("").toAbsolutePath().resolve("../build-submission/target/quarkus-app/quarkus-run.jar").normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package build-submission first (./mvnw package -pl services/release -am)");
        }
        int port = KafkaBroker.freePort();
        String db = Postgres.createDatabase("kiln_release_hub");
        try {
            Path log = Files.createDirectories(Path.of("target")).resolve("hub.log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx192m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", KafkaResource.broker().bootstrapServers());
            pb.environment().put("QUARKUS_DATASOURCE_JDBC_URL", Postgres.jdbcUrl(db));
            pb.environment().put("QUARKUS_DATASOURCE_USERNAME", Postgres.user());
            pb.environment().put("QUARKUS_DATASOURCE_PASSWORD", Postgres.password());
            pb.environment().put("QUARKUS_ANALYTICS_DISABLED", "true");
            pb.environment().put("KILN_AUTH_BOOTSTRAP_ADMIN_TOKEN", ADMIN_TOKEN);
            HubProcess hub = new HubProcess("http://localhost:" + port, pb.start(), db, log);
            hub.awaitListening(Duration.ofMinutes(2));
            return hub;
        } catch (IOException | InterruptedException e) {
            Postgres.dropDatabase(db);
            throw new IllegalStateException("the hub did not start", e);
        }
    }

    /** A new token made by the hub's admin for {@code user} with {@code role}. */
    String createToken(String user, String role) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/tokens"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\": \"" + user + "\", \"role\": \"" + role + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = TOKEN.matcher(r.body());
            if (r.statusCode() != 201 || !m.find()) {
                throw new IllegalStateException("the hub did not create a token: " + r.statusCode() + " " + r.body());
            }
            return m.group(1);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitListening(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the hub exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/whoami"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the hub did not answer within " + timeout + ":\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Postgres.dropDatabase(db);
    }
}
