package dev.kiln.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.e2e.BadInput.Case;
import dev.kiln.e2e.BadInput.Who;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.Postgres;
import dev.kiln.testsupport.ServiceProcess;
import dev.kiln.testsupport.TestDocker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The front doors under bad input: every request of {@link BadInput}'s corpus, sent to the packaged hub, qa, signing
 * and release, is answered 4xx with a short {@code application/problem+json} sentence (no Java, no echo of the
 * input), stores nothing (every table of the four services' schemas and the hub's upload spool are as before), and
 * leaves every service up.
 */
@Tag("e2e")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputTest {
    /** Small limits, so that the over-limit cases stay cheap. */
    static final long UPLOAD_LIMIT = 8L << 20;
    static final long EXPANDED_LIMIT = 32L << 20;
    static final int ENTRY_LIMIT = 2000;
    static final List<String> SERVICES = List.of("build-submission", "qa", "signing", "release");
    static final List<String> SCHEMAS = List.of("submission", "qa", "signing", "release");
    static final Pattern INTERNALS = Pattern.compile(
            "java\\.|javax\\.|jakarta\\.|com\\.fasterxml|org\\.jboss|io\\.vertx|io\\.quarkus|Exception|@Consumes|"
                    + "RESTEASY|\\bat [a-z]+\\.[a-z]+\\.|\\$[A-Z][a-z]+\\b|Jackson|Unrecognized field|Cannot deserialize");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ADMIN_TOKEN = UUID.randomUUID().toString();
    static final String HOOK_TOKEN = UUID.randomUUID().toString();

    static KafkaBroker kafka;
    static String db;
    static Path spool;
    static final List<ServiceProcess> services = new ArrayList<>();
    static final Map<String, Integer> ports = new HashMap<>();
    static final Map<Who, String> tokens = new EnumMap<>(Who.class);
    /** A context the maintainer uploaded: a valid Dockerfile for {@link BadInput#OWNED}. */
    static String context;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        Path root = ServiceProcess.repositoryRoot();
        kafka = KafkaBroker.startEphemeral();
        db = Postgres.createDatabase("kiln_badinput");
        spool = Files.createTempDirectory("kiln-badinput-spool-");
        for (String s : SERVICES) {
            ports.put(s, KafkaBroker.freePort());
        }
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", Postgres.jdbcUrl(db));
        env.put("QUARKUS_DATASOURCE_USERNAME", Postgres.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", Postgres.password());
        env.put("KILN_HUB_URL", url("build-submission"));
        env.put("KILN_DOCKER_HOST", TestDocker.host());
        TestDocker.certPath().ifPresent(p -> env.put("KILN_DOCKER_CERT_PATH", p));
        env.put("KILN_DOCKER_ALLOW_INSECURE_SOCKET", Boolean.toString(TestDocker.certPath().isEmpty()));
        env.put("QUARKUS_ANALYTICS_DISABLED", "true");
        env.put("KILN_AUTH_BOOTSTRAP_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("KILN_QA_HOOK_TOKENS", HOOK_TOKEN + ":badinput-hook");
        env.put("KILN_CONTEXT_MAX_BYTES", Long.toString(UPLOAD_LIMIT));
        env.put("KILN_CONTEXT_MAX_EXPANDED_BYTES", Long.toString(EXPANDED_LIMIT));
        env.put("KILN_CONTEXT_MAX_ENTRIES", Integer.toString(ENTRY_LIMIT));
        env.put("KILN_CONTEXT_SPOOL_DIR", spool.toString());
        // signing needs a key; qa and release name registries they never reach here
        Path key = Files.createTempDirectory("kiln-badinput-keys-").resolve("cosign.key");
        java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("EC");
        gen.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(gen.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        env.put("KILN_SIGNING_KEY_FILE", key.toString());
        env.put("KILN_REGISTRY_CANDIDATE_ADDRESS", "localhost:1");
        env.put("KILN_REGISTRY_CANDIDATE_URL", "http://localhost:1");
        env.put("KILN_REGISTRY_PRODUCTION_ADDRESS", "localhost:2");
        env.put("KILN_REGISTRY_PRODUCTION_URL", "http://localhost:2");
        Path logs = root.resolve("e2e-tests/target/badinput-logs");
        for (String s : SERVICES) {
            Map<String, String> own = new HashMap<>(env);
            own.put("KILN_BUS_CERTS", kafka.certificates(s).toString()); // its own principal on the bus
            services.add(ServiceProcess.start(root, s, ports.get(s), own, logs));
        }
        for (ServiceProcess s : services) {
            s.awaitReady(Duration.ofMinutes(3));
        }

        tokens.put(Who.ADMIN, ADMIN_TOKEN);
        tokens.put(Who.HOOK, HOOK_TOKEN);
        tokens.put(Who.GARBAGE, "not-a-token-" + UUID.randomUUID());
        tokens.put(Who.MAINTAINER, token("mo", "maintainer"));
        tokens.put(Who.ENGINEER, token("rita", "release-engineer"));
        admin("POST", "/api/v1/components", "{\"name\":\"" + BadInput.OWNED + "\",\"owners\":[\"mo\"]}", 201);
        admin("POST", "/api/v1/components", "{\"name\":\"" + BadInput.NOT_OWNED + "\",\"owners\":[\"alice\"]}", 201);
        byte[] tar = BadInput.tar(Map.of("Dockerfile", BadInput.file("FROM busybox\nLABEL name=" + BadInput.OWNED
                + " version=1.0\n")));
        HttpResponse<String> uploaded = HTTP.send(HttpRequest.newBuilder(URI.create(url("build-submission")
                + "/api/v1/contexts")).header("Authorization", "Bearer " + tokens.get(Who.MAINTAINER))
                .header("Content-Type", BadInput.TAR).POST(HttpRequest.BodyPublishers.ofByteArray(tar)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, uploaded.statusCode(), uploaded.body());
        context = JSON.readTree(uploaded.body()).path("digest").asText();
    }

    @AfterAll
    static void stop() {
        ServiceProcess.closeAll(services);
        if (kafka != null) {
            kafka.close();
        }
    }

    static String url(String service) {
        return "http://localhost:" + ports.get(service);
    }

    static String token(String user, String role) throws Exception {
        String body = admin("POST", "/api/v1/tokens", "{\"user\":\"" + user + "\",\"role\":\"" + role + "\"}", 201);
        return JSON.readTree(body).path("token").asText();
    }

    static String admin(String method, String path, String json, int expected) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url("build-submission") + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    @Order(1)
    void theCorpusIsLargeAndCoversEveryService() {
        List<Case> corpus = BadInput.corpus(UPLOAD_LIMIT, EXPANDED_LIMIT, ENTRY_LIMIT, context);
        assertTrue(corpus.size() >= 100, corpus.size() + " cases");
        assertEquals(corpus.size(), corpus.stream().map(Case::toString).distinct().count(), "case names repeat");
        for (String service : List.of("hub", "qa", "signing", "release")) {
            assertTrue(corpus.stream().anyMatch(c -> c.service().equals(service)), service);
        }
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> everyBadRequestGetsAProblemAndStoresNothing() {
        return BadInput.corpus(UPLOAD_LIMIT, EXPANDED_LIMIT, ENTRY_LIMIT, context).stream()
                .map(c -> DynamicTest.dynamicTest(c.toString(), () -> check(c)));
    }

    @Test
    @Order(3)
    void everyServiceIsStillUpAfterTheCorpus() throws Exception {
        for (String s : SERVICES) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url(s) + "/q/health/live"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), s + " is not live: " + r.body());
        }
    }

    static void check(Case c) throws Exception {
        Map<String, Long> before = counts();
        List<String> spoolBefore = spoolFiles();
        HttpResponse<byte[]> r = send(c);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        String shown = body.length() > 500 ? body.substring(0, 500) + "…" : body;
        assertTrue(c.statuses().contains(r.statusCode()), c + ": answered " + r.statusCode() + ", expected one of "
                + c.statuses() + ": " + shown);
        String type = r.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.startsWith("application/problem+json"), c + ": Content-Type " + type + ": " + shown);
        assertTrue(r.body().length <= 4096, c + ": a " + r.body().length + "-byte answer echoes the input: " + shown);
        JsonNode problem = JSON.readTree(body);
        assertEquals(r.statusCode(), problem.path("status").asInt(), c + ": " + shown);
        assertTrue(!problem.path("title").asText().isBlank(), c + ": no title: " + shown);
        String detail = problem.path("detail").asText();
        assertTrue(detail.length() >= 15 && detail.contains(" "), c + ": detail is not a sentence: " + shown);
        assertTrue(!INTERNALS.matcher(body).find(), c + ": the answer shows internals: " + shown);
        assertEquals(before, counts(), c + ": something was stored");
        assertEquals(spoolBefore, spoolFiles(), c + ": the upload spool kept a file");
    }

    static HttpResponse<byte[]> send(Case c) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(service(c.service())) + c.path()))
                .timeout(Duration.ofMinutes(2));
        if (c.contentType() != null) {
            b.header("Content-Type", c.contentType());
        }
        switch (c.who()) {
            case NOBODY -> { }
            case BASIC -> b.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8)));
            default -> b.header("Authorization", "Bearer " + tokens.get(c.who()));
        }
        b.method(c.method(), publisher(c));
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            if (c.body() == null || c.body().zeros() < 0) {
                throw e;
            }
            // the hub answered before the whole over-limit body was sent and closed the connection: ask first
            b.expectContinue(true).method(c.method(), publisher(c));
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    static HttpRequest.BodyPublisher publisher(Case c) {
        if (c.body() == null) {
            return HttpRequest.BodyPublishers.noBody();
        }
        if (c.body().zeros() >= 0) {
            long size = c.body().zeros();
            HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> zeros(size));
            return c.chunked() ? stream : HttpRequest.BodyPublishers.fromPublisher(stream, size);
        }
        byte[] bytes = c.body().bytes().get();
        return c.chunked() ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))
                : HttpRequest.BodyPublishers.ofByteArray(bytes);
    }

    static InputStream zeros(long size) {
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? 0 : -1;
            }

            @Override
            public int read(byte[] buf, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(buf, off, off + n, (byte) 0);
                left -= n;
                return n;
            }
        };
    }

    static String service(String name) {
        return name.equals("hub") ? "build-submission" : name;
    }

    /** Rows of every table of the four services' schemas. */
    static Map<String, Long> counts() throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(Postgres.jdbcUrl(db), Postgres.user(), Postgres.password());
                Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                    + "WHERE table_type = 'BASE TABLE' AND table_schema IN ('" + String.join("','", SCHEMAS) + "')")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertTrue(tables.size() >= 10, "the services' tables are not there: " + tables);
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t)) {
                    rs.next();
                    counts.put(t, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    static List<String> spoolFiles() throws IOException {
        try (Stream<Path> files = Files.walk(spool)) {
            return files.filter(Files::isRegularFile).map(Path::toString).sorted().toList();
        }
    }
}
