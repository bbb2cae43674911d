package dev.kiln.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.tls.CertificateAuthority;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.Postgres;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.ServiceProcess;
import dev.kiln.testsupport.TestDocker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole pipeline with every part real, started once per test JVM and shared by the end-to-end tests: a KRaft
 * broker, two distribution registries, PostgreSQL, dockerd, and the six services as separate processes from their
 * packaged jars, driven by the packaged CLI. {@link #start()} is idempotent; everything stops when the JVM ends.
 */
final class KilnStack {
    static final List<String> SERVICES = List.of("build-submission", "container-build", "registry-push", "qa", "signing", "release");
    /** The schema of each service that keeps state; deploy/postgres/roles.sql gives it role {@code <database>_<schema>}. */
    static final Map<String, String> DB_SCHEMAS = Map.of("build-submission", "submission", "qa", "qa",
            "release", "release", "signing", "signing");
    /** Each schema's role password, made for this run. */
    static final Map<String, String> DB_PASSWORDS = new HashMap<>();
    /** The database the services use. */
    static String database;
    static final ObjectMapper JSON = new ObjectMapper();
    /** Builds container-build runs at once ({@code kiln.build.concurrency}); the corpus submits its builds together. */
    static final int BUILD_CONCURRENCY = 3;

    static Path root;
    static Path work;
    static KafkaBroker kafka;
    static RegistryProcess candidate;
    static RegistryProcess production;
    static DockerClient docker;
    static KeyPair signingKey;
    static KeyPair builderKey;
    private static Path builderKeyFile;
    static final List<ServiceProcess> services = new ArrayList<>();
    static int hubPort;
    static int releasePort;
    static String baseImage;
    static final Path LOGS = ServiceProcess.repositoryRoot().resolve("e2e-tests/target/e2e-logs");
    private static final Map<String, Integer> ports = new HashMap<>();
    private static final Map<String, String> env = new HashMap<>();
    private static int kafkaPort;
    private static int kafkaControllerPort;
    private static Path kafkaLogDir;
    private static int restarts;
    /** The services that reach a registry, each with its own service token from the hub. */
    static final List<String> REGISTRY_USERS = List.of("container-build", "registry-push", "qa", "signing", "release");
    static final Map<String, String> SERVICE_TOKENS = new HashMap<>();
    private static Path registrySigner;
    /** The hub's bootstrap admin token, which the CLI uses too. */
    static final String ADMIN_TOKEN = java.util.UUID.randomUUID().toString();

    private static boolean started;
    private static RuntimeException failed;

    private KilnStack() {
    }

    /**
     * Starts the stack once for the whole test run: the first test class that needs it starts it, and it stops when
     * JUnit closes its root context (the end of the run), not at JVM exit, so surefire does not wait on it.
     */
    static final class Extension implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(KilnStack.class, k -> {
                KilnStack.start();
                return new Running();
            });
        }
    }

    /** What the root store closes at the end of the run (AutoCloseable for JUnit 5.13+, CloseableResource before). */
    @SuppressWarnings("deprecation")
    private static final class Running implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            stop();
        }
    }

    /** Starts the stack on first use; later calls return at once (or repeat the first start's failure). */
    static synchronized void start() {
        if (failed != null) {
            throw failed;
        }
        if (started) {
            return;
        }
        try {
            startEverything();
            started = true;
        } catch (Exception e) {
            stop();
            failed = new IllegalStateException("the Kiln stack did not start: " + e.getMessage(), e);
            throw failed;
        }
    }

    private static void startEverything() throws Exception {
        root = ServiceProcess.repositoryRoot();
        work = Files.createTempDirectory("kiln-e2e-");
        docker = TestDocker.client();
        kafkaPort = KafkaBroker.freePort();
        kafkaControllerPort = KafkaBroker.freePort();
        kafkaLogDir = Files.createTempDirectory("kiln-e2e-kafka-");
        KafkaBroker.prepareCertificates(kafkaLogDir.resolve("certs"));
        kafka = startBroker();
        kafka.setUp(6);
        for (String s : SERVICES) {
            ports.put(s, KafkaBroker.freePort());
        }
        hubPort = ports.get("build-submission");
        releasePort = ports.get("release");
        // the registries serve https with certificates from Kiln's CA and take tokens from the hub's realm only, signed
        // by a certificate from the same CA
        Path ca = kafkaLogDir.resolve("certs").resolve("ca");
        registrySigner = work.resolve("registry-tokens");
        CertificateAuthority authority = CertificateAuthority.load(ca);
        authority.issueClient("kiln-registry-tokens", Duration.ofDays(1)).writeTo(registrySigner);
        RegistryProcess.Tls tls = RegistryProcess.Tls.issuedBy(authority);
        String realm = "http://localhost:" + hubPort + "/api/v1/registry/token";
        Path trusted = ca.resolve(CertificateAuthority.CA_CERT);
        candidate = RegistryProcess.startWithTokenAuth("candidate", realm, "kiln-candidate", "kiln", trusted, tls);
        production = RegistryProcess.startWithTokenAuth("production", realm, "kiln-production", "kiln", trusted, tls);
        String db = Postgres.createDatabase("kiln_e2e");
        database = db;
        for (String schema : DB_SCHEMAS.values()) {
            DB_PASSWORDS.put(schema, java.util.UUID.randomUUID().toString());
        }
        Postgres.applyRoles(root.resolve("deploy/postgres/roles.sql"), db, DB_PASSWORDS);

        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        signingKey = gen.generateKeyPair();
        Path keyFile = privateKeyFile("cosign.key", signingKey);
        // the build side's own key for provenance: registry-push alone holds it
        builderKey = gen.generateKeyPair();
        builderKeyFile = privateKeyFile("builder.key", builderKey);

        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", Postgres.jdbcUrl(db));
        env.put("KILN_HUB_URL", "http://localhost:" + hubPort);
        env.put("KILN_DOCKER_HOST", TestDocker.host());
        TestDocker.certPath().ifPresent(p -> env.put("KILN_DOCKER_CERT_PATH", p));
        env.put("KILN_REGISTRY_CANDIDATE_ADDRESS", candidate.hostPort());
        env.put("KILN_REGISTRY_CANDIDATE_URL", candidate.url());
        env.put("KILN_REGISTRY_PRODUCTION_ADDRESS", production.hostPort());
        env.put("KILN_REGISTRY_PRODUCTION_URL", production.url());
        env.put("KILN_REGISTRY_CANDIDATE_CA_FILE", tls.caFile().toString());
        env.put("KILN_REGISTRY_PRODUCTION_CA_FILE", tls.caFile().toString());
        env.put("KILN_SIGNING_KEY_FILE", keyFile.toString());
        env.put("QUARKUS_ANALYTICS_DISABLED", "true");
        env.put("KILN_AUTH_BOOTSTRAP_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("KILN_DOCKER_ALLOW_INSECURE_SOCKET", Boolean.toString(TestDocker.certPath().isEmpty()));
        env.put("KILN_BUILD_CONCURRENCY", Integer.toString(BUILD_CONCURRENCY));
        env.put("KILN_REGISTRY_TOKENS_SIGNER_DIR", registrySigner.toString());
        // the hub first: the registries' realm, and it issues the other services' registry credentials
        ServiceProcess hub = ServiceProcess.start(root, "build-submission", hubPort, env("build-submission"), LOGS);
        services.add(hub);
        hub.awaitReady(Duration.ofMinutes(3));
        for (String s : REGISTRY_USERS) {
            SERVICE_TOKENS.put(s, token(s, "service"));
        }

        // The base image lives in the production registry, as Fedora's base image lives in Fedora's registry; only an
        // admin may put it there.
        TestDocker.ensureBaseImage(docker);
        baseImage = production.hostPort() + "/base/busybox:latest";
        docker.tagImageCmd(TestDocker.BASE_IMAGE, production.hostPort() + "/base/busybox", "latest").exec();
        docker.pushImageCmd(production.hostPort() + "/base/busybox").withTag("latest")
                .withAuthConfig(new AuthConfig().withUsername("admin").withPassword(ADMIN_TOKEN)
                        .withRegistryAddress(production.hostPort()))
                .exec(new ResultCallback.Adapter<PushResponseItem>()).awaitCompletion(2, TimeUnit.MINUTES);
        assertTrue(registry(production).manifestExists("base/busybox", "latest"), "base image was not published");

        for (String s : SERVICES) {
            if (!s.equals("build-submission")) {
                services.add(ServiceProcess.start(root, s, ports.get(s), env(s), LOGS));
            }
        }
        for (ServiceProcess s : services) {
            s.awaitReady(Duration.ofMinutes(3));
        }
    }

    /** A new hub token for {@code user} with {@code role}, made by the admin (a service's: its registry credentials). */
    static String token(String user, String role) throws Exception {
        String body = JSON.writeValueAsString(Map.of("user", user, "role", role, "description", "e2e"));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + hubPort + "/api/v1/tokens"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("token").asText();
    }

    /**
     * The environment of {@code service}: the shared one plus a stable instance name, as a deployment gives it (the
     * consumers join as static members; a restart under the same name takes its partitions back at once), and for
     * container-build a stable worker id (its cancel consumer group is reused across restarts), and for a service with
     * a database its own role, and its own certificate for the bus (its principal in the broker's ACLs).
     */
    private static Map<String, String> env(String service) {
        Map<String, String> own = new HashMap<>(env);
        own.put("KILN_BUS_CERTS", kafka.certificates(service).toString());
        own.put("KILN_MESSAGING_INSTANCE_ID", service + "@e2e");
        own.put("KILN_WORKER_ID", "e2e-worker-1");
        if (service.equals("registry-push")) {
            own.put("KILN_PROVENANCE_KEY_FILE", builderKeyFile.toString());
        }
        String token = SERVICE_TOKENS.get(service);
        if (token != null) {
            // who it is to the registries' token realm
            for (String registry : List.of("CANDIDATE", "PRODUCTION")) {
                own.put("KILN_REGISTRY_" + registry + "_USERNAME", service);
                own.put("KILN_REGISTRY_" + registry + "_PASSWORD", token);
            }
        }
        String schema = DB_SCHEMAS.get(service);
        if (schema != null) {
            // its own role, owning only its schema (deploy/postgres/roles.sql)
            own.put("QUARKUS_DATASOURCE_USERNAME", dbRole(schema));
            own.put("QUARKUS_DATASOURCE_PASSWORD", DB_PASSWORDS.get(schema));
        }
        return own;
    }

    /** {@code key}'s private half as a PKCS#8 PEM file (0600) in the run's work directory. */
    private static Path privateKeyFile(String name, KeyPair key) throws IOException {
        Path file = work.resolve(name);
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** The role deploy/postgres/roles.sql made for {@code schema} in this run's database. */
    static String dbRole(String schema) {
        return database + "_" + schema;
    }

    private static synchronized void stop() {
        ServiceProcess.closeAll(services);
        services.clear();
        if (candidate != null) {
            candidate.close();
            candidate = null;
        }
        if (production != null) {
            production.close();
            production = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (kafkaLogDir != null) {
            try (var paths = Files.walk(kafkaLogDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory: best effort
            }
        }
        if (database != null) {
            // the database and its roles (roles belong to the whole server, so each run removes its own)
            Postgres.dropDatabase(database);
            DB_SCHEMAS.values().forEach(schema -> Postgres.dropRole(dbRole(schema)));
            database = null;
        }
    }

    // --- chaos: crashes and restarts (ChaosE2ETest) ------------------------------------------------------------------

    /** The running process of {@code service}. */
    static synchronized ServiceProcess service(String name) {
        return services.stream().filter(s -> s.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    /** Kills {@code service} with SIGKILL and starts it again at once, on its port with its settings. */
    static synchronized ServiceProcess killAndRestart(String name) throws IOException {
        ServiceProcess old = service(name);
        old.kill();
        services.remove(old);
        ServiceProcess fresh = ServiceProcess.start(root, name, ports.get(name), env(name), LOGS,
                name + "-" + (++restarts));
        services.add(fresh);
        return fresh;
    }

    /** Stops the broker and starts it again on the same ports and log directory (its data kept). */
    static synchronized void restartBroker() {
        kafka.close();
        kafka = startBroker();
    }

    /** The broker on this run's ports, log directory and certificates (its topics and ACLs are in its log). */
    private static KafkaBroker startBroker() {
        return KafkaBroker.start(kafkaPort, kafkaControllerPort, kafkaLogDir.resolve("logs"),
                kafkaLogDir.resolve("certs"), false);
    }

    /**
     * Restarts the PostgreSQL server every service uses ({@code pg_ctl restart -m fast}, as the postgres user): every
     * connection is cut. The data directory comes from {@code KILN_TEST_PG_DATA} ({@code ./kiln test} sets it); without
     * it the restart cannot be done, and the caller fails.
     */
    static void restartPostgres() throws IOException, InterruptedException {
        String data = System.getenv("KILN_TEST_PG_DATA");
        if (data == null || data.isBlank()) {
            throw new IllegalStateException("KILN_TEST_PG_DATA is not set: the chaos run restarts PostgreSQL and needs its"
                    + " data directory (./kiln test and ./kiln chaos set it)");
        }
        Path bin;
        try (var dirs = Files.list(Path.of("/usr/lib/postgresql"))) {
            bin = dirs.map(d -> d.resolve("bin/pg_ctl")).filter(Files::isExecutable).sorted().reduce((a, b) -> b)
                    .orElseThrow(() -> new IllegalStateException("no pg_ctl under /usr/lib/postgresql"));
        }
        Process p = new ProcessBuilder("runuser", "-u", "postgres", "--", bin.toString(), "-D", data, "-w", "-t", "60",
                "-m", "fast", "restart").directory(new java.io.File("/")).redirectErrorStream(true)
                .redirectOutput(LOGS.resolve("pg-restart.log").toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("pg_ctl restart failed: " + Files.readString(LOGS.resolve("pg-restart.log")));
        }
    }

    // --- used by the tests ----------------------------------------------------------------------------------------------

    static Path context(String name, String body) throws IOException {
        Path dir = Files.createTempDirectory(work, name);
        Files.writeString(dir.resolve("Dockerfile"), "FROM " + baseImage + "\n"
                + "LABEL name=\"" + name + "\" version=\"1.0\" summary=\"Kiln end-to-end test image\"\n" + body);
        return dir;
    }

    record CliResult(int exit, String stdout, String stderr) {
        String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines[lines.length - 1].strip();
        }

        String buildId() {
            Matcher m = Pattern.compile("Build (\\S+) submitted").matcher(stdout + stderr);
            assertTrue(m.find(), "no build id in CLI output: " + this);
            return m.group(1);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    static CliResult cli(String... args) throws Exception {
        return cliAs(ADMIN_TOKEN, args);
    }

    /** The packaged CLI with {@code token} as KILN_TOKEN and the release service at KILN_RELEASE_URL. */
    static CliResult cliAs(String token, String... args) throws Exception {
        Path jar = root.resolve("cli/target/quarkus-app/quarkus-run.jar");
        List<String> cmd = new ArrayList<>(List.of(ServiceProcess.javaBin(), "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--server", "http://localhost:" + hubPort));
        Path out = Files.createTempFile(work, "cli", ".out");
        Path err = Files.createTempFile(work, "cli", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("KILN_TOKEN", token);
        pb.environment().put("KILN_RELEASE_URL", "http://localhost:" + releasePort);
        pb.environment().put("XDG_CONFIG_HOME", work.resolve("config").toString());
        Process p = pb.start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("CLI did not finish in 8 minutes\n" + logs());
        }
        return new CliResult(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static JsonNode build(String id) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + hubPort + "/api/v1/builds/" + id)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** A client of {@code r} as the admin, who may read (and write) everything. */
    static RegistryClient registry(RegistryProcess r) {
        return r.client("admin", ADMIN_TOKEN);
    }

    static JsonNode signatureLayerFor(RegistryProcess r, String repo, String digest, String referencePrefix) throws Exception {
        String tag = digest.replace("sha256:", "sha256-") + ".sig";
        RegistryClient.Manifest sig = registry(r).getManifest(repo, tag)
                .orElseThrow(() -> new AssertionError("no signature " + tag + " in " + r.hostPort() + "/" + repo));
        for (JsonNode layer : JSON.readTree(sig.bytes()).path("layers")) {
            byte[] payload = registry(r).getBlob(repo, layer.path("digest").asText());
            String ref = JSON.readTree(payload).path("critical").path("identity").path("docker-reference").asText();
            if (ref.startsWith(referencePrefix)) {
                assertEquals("application/vnd.dev.cosign.simplesigning.v1+json", layer.path("mediaType").asText());
                return layer;
            }
        }
        throw new AssertionError("no signature for " + referencePrefix + "* in " + new String(sig.bytes(), StandardCharsets.UTF_8));
    }

    static boolean verify(PublicKey key, byte[] payload, byte[] signature) throws Exception {
        PublicKey k = KeyFactory.getInstance("EC").generatePublic(new java.security.spec.X509EncodedKeySpec(key.getEncoded()));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initVerify(k);
        s.update(payload);
        return s.verify(signature);
    }

    static String run(String reference) throws Exception {
        docker.pullImageCmd(reference).exec(new ResultCallback.Adapter<PullResponseItem>()).awaitCompletion(2, TimeUnit.MINUTES);
        CreateContainerResponse c = docker.createContainerCmd(reference)
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none")).exec();
        try {
            docker.startContainerCmd(c.getId()).exec();
            int exit = docker.waitContainerCmd(c.getId()).start().awaitStatusCode(60, TimeUnit.SECONDS);
            StringBuilder out = new StringBuilder();
            docker.logContainerCmd(c.getId()).withStdOut(true).withStdErr(true).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                }
            }).awaitCompletion(30, TimeUnit.SECONDS);
            assertEquals(0, exit, "the promoted image exited " + exit + ": " + out);
            return out.toString();
        } finally {
            docker.removeContainerCmd(c.getId()).withForce(true).exec();
        }
    }

    static String logs() {
        StringBuilder sb = new StringBuilder();
        for (ServiceProcess s : services) {
            sb.append("\n===== ").append(s.name).append(" (last lines)\n").append(s.tail());
        }
        return sb.toString();
    }
}
