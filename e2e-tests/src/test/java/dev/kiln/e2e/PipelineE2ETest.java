package dev.kiln.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.Postgres;
import dev.kiln.testsupport.RegistryProcess;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline with every part real: a KRaft broker, two distribution registries, PostgreSQL, dockerd, and the
 * six services as separate processes from their packaged jars, driven by the packaged CLI.
 */
@Tag("e2e")
class PipelineE2ETest {
    static final List<String> SERVICES = List.of("build-submission", "container-build", "registry-push", "qa", "signing", "release");
    static final ObjectMapper JSON = new ObjectMapper();

    static Path root;
    static Path work;
    static KafkaBroker kafka;
    static RegistryProcess candidate;
    static RegistryProcess production;
    static DockerClient docker;
    static KeyPair signingKey;
    static final List<ServiceProcess> services = new ArrayList<>();
    static int hubPort;
    static int releasePort;
    static String baseImage;
    /** The hub's bootstrap admin token, which the CLI uses too. */
    static final String ADMIN_TOKEN = java.util.UUID.randomUUID().toString();

    @BeforeAll
    static void startEverything() throws Exception {
        root = Path.of(System.getProperty("kiln.root", "..")).toAbsolutePath().normalize();
        work = Files.createTempDirectory("kiln-e2e-");
        docker = TestDocker.client();
        kafka = KafkaBroker.startEphemeral();
        candidate = RegistryProcess.start("candidate");
        production = RegistryProcess.start("production");
        String db = Postgres.createDatabase("kiln_e2e");

        // The base image lives in the production registry, as Fedora's base image lives in Fedora's registry.
        TestDocker.ensureBaseImage(docker);
        baseImage = production.hostPort() + "/base/busybox:latest";
        docker.tagImageCmd(TestDocker.BASE_IMAGE, production.hostPort() + "/base/busybox", "latest").exec();
        docker.pushImageCmd(production.hostPort() + "/base/busybox").withTag("latest")
                .exec(new ResultCallback.Adapter<PushResponseItem>()).awaitCompletion(2, TimeUnit.MINUTES);
        assertTrue(registry(production).manifestExists("base/busybox", "latest"), "base image was not published");

        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        signingKey = gen.generateKeyPair();
        Path keyFile = work.resolve("cosign.key");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(signingKey.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        Map<String, Integer> ports = new HashMap<>();
        for (String s : SERVICES) {
            ports.put(s, KafkaBroker.freePort());
        }
        hubPort = ports.get("build-submission");
        releasePort = ports.get("release");
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", Postgres.jdbcUrl(db));
        env.put("QUARKUS_DATASOURCE_USERNAME", Postgres.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", Postgres.password());
        env.put("KILN_HUB_URL", "http://localhost:" + hubPort);
        env.put("KILN_DOCKER_HOST", TestDocker.host());
        TestDocker.certPath().ifPresent(p -> env.put("KILN_DOCKER_CERT_PATH", p));
        env.put("KILN_REGISTRY_CANDIDATE_ADDRESS", candidate.hostPort());
        env.put("KILN_REGISTRY_CANDIDATE_URL", candidate.url());
        env.put("KILN_REGISTRY_PRODUCTION_ADDRESS", production.hostPort());
        env.put("KILN_REGISTRY_PRODUCTION_URL", production.url());
        env.put("KILN_SIGNING_KEY_FILE", keyFile.toString());
        env.put("QUARKUS_ANALYTICS_DISABLED", "true");
        env.put("KILN_AUTH_BOOTSTRAP_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("KILN_DOCKER_ALLOW_INSECURE_SOCKET", Boolean.toString(TestDocker.certPath().isEmpty()));
        Path logs = root.resolve("e2e-tests/target/e2e-logs");
        for (String s : SERVICES) {
            services.add(ServiceProcess.start(root, s, ports.get(s), env, logs));
        }
        for (ServiceProcess s : services) {
            s.awaitReady(Duration.ofMinutes(3));
        }
    }

    @AfterAll
    static void stopEverything() {
        services.forEach(ServiceProcess::close);
        if (candidate != null) {
            candidate.close();
        }
        if (production != null) {
            production.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aDockerfileComesOutAsATestedSignedImageInProduction() throws Exception {
        Path ctx = context("e2e-hello", "RUN echo 'Hello from Kiln' > /hello.txt\nCMD [\"/bin/cat\", \"/hello.txt\"]\n");
        CliResult cli = cli("container-build", ctx.toString());
        assertEquals(0, cli.exit, "CLI failed:\n" + cli + "\n" + logs());
        String reference = cli.lastLine();
        Matcher m = Pattern.compile(Pattern.quote(production.hostPort()) + "/e2e-hello@(sha256:[0-9a-f]{64})").matcher(reference);
        assertTrue(m.matches(), "last line is not the promoted reference: " + reference);
        String digest = m.group(1);

        JsonNode build = build(cli.buildId());
        assertEquals("COMPLETE", build.path("state").asText(), build.toPrettyString());
        assertEquals(digest, build.path("candidate").path("digest").asText(), "QA tested another digest than shipped");
        assertEquals(digest, build.path("promoted").path("digest").asText());
        assertFalse(build.path("parentDigest").asText().isEmpty(), "the parent image was not pinned: " + build);

        // The manifest bytes are the same in both registries, so the digest is too.
        RegistryClient.Manifest inCandidate = registry(candidate).getManifest("e2e-hello", digest).orElseThrow();
        RegistryClient.Manifest inProduction = registry(production).getManifest("e2e-hello", "1.0-1").orElseThrow();
        assertArrayEquals(inCandidate.bytes(), inProduction.bytes());
        assertEquals(digest, inProduction.digest());
        assertTrue(registry(production).tags("e2e-hello").containsAll(List.of("1.0-1", "1.0", "latest")));

        // The production name carries a cosign signature that verifies with the public key, and fails with another.
        JsonNode layer = signatureLayerFor(production, "e2e-hello", digest, production.hostPort() + "/e2e-hello:");
        byte[] payload = registry(production).getBlob("e2e-hello", layer.path("digest").asText());
        byte[] sig = Base64.getDecoder().decode(layer.path("annotations").path("dev.cosignproject.cosign/signature").asText());
        assertTrue(verify(signingKey.getPublic(), payload, sig), "production signature does not verify");
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        assertFalse(verify(gen.generateKeyPair().getPublic(), payload, sig), "signature verifies with a foreign key");
        assertEquals(digest, JSON.readTree(payload).path("critical").path("image").path("docker-manifest-digest").asText());

        // The SBOM registry-push attached to the candidate travelled to production with the image, and the hub keeps
        // the layer list: the base image's layer and the RUN step's, bottom first.
        RegistryClient.Manifest sbom = registry(production).getManifest("e2e-hello", digest.replace(':', '-') + ".sbom")
                .orElseThrow(() -> new AssertionError("no SBOM for " + digest + " in production"));
        JsonNode sbomLayer = JSON.readTree(sbom.bytes()).path("layers").path(0);
        assertEquals("application/vnd.cyclonedx+json", sbomLayer.path("mediaType").asText());
        JsonNode bom = JSON.readTree(registry(production).getBlob("e2e-hello", sbomLayer.path("digest").asText()));
        assertEquals("CycloneDX", bom.path("bomFormat").asText());
        assertTrue(bom.path("metadata").path("component").path("purl").asText().contains(digest.replace(":", "%3A")),
                bom.toPrettyString());
        JsonNode layers = build.path("layers");
        assertEquals(2, layers.size(), "base layer + RUN layer: " + layers);
        assertTrue(layers.path(1).path("createdBy").asText().contains("Hello from Kiln"), layers.toPrettyString());
        JsonNode config = JSON.readTree(registry(production).getBlob("e2e-hello",
                JSON.readTree(inProduction.bytes()).path("config").path("digest").asText()));
        assertEquals(config.path("rootfs").path("diff_ids").get(1).asText(), layers.path(1).path("diffId").asText());

        // And the shipped image runs.
        assertEquals("Hello from Kiln", run(reference).strip());

        // The hub is the one source of identity: a release engineer's token made by the hub works on release (the
        // build is already in production, so nothing changes), a maintainer's is refused.
        String engineer = cli("token", "create", "--user", "bob", "--role", "release-engineer").lastLine();
        String maintainer = cli("token", "create", "--user", "mo", "--role", "maintainer").lastLine();
        CliResult promoted = cliAs(engineer, "promote", cli.buildId());
        assertEquals(0, promoted.exit, "promote with a release engineer's token failed:\n" + promoted + "\n" + logs());
        assertTrue(promoted.stdout.contains(digest), promoted.toString());
        CliResult refused = cliAs(maintainer, "promote", cli.buildId());
        assertEquals(6, refused.exit, refused.toString());
        assertTrue(refused.stderr.contains("mo has role maintainer"), refused.toString());
    }

    @Test
    void aFailingRunEndsFailedAtStageBuildAndNothingReachesProduction() throws Exception {
        Path ctx = context("e2e-broken", "RUN echo about to fail && exit 3\n");
        CliResult cli = cli("container-build", ctx.toString());
        assertEquals(1, cli.exit, "expected the build to fail:\n" + cli);
        assertTrue(cli.stderr.contains("stage build"), cli.toString());
        assertTrue(cli.stderr.contains("non-zero code: 3"), "the daemon's error is not in the reason: " + cli);

        JsonNode build = build(cli.buildId());
        assertEquals("FAILED", build.path("state").asText());
        assertEquals("build", build.path("failure").path("stage").asText());
        assertEquals("build-step-failed", build.path("failure").path("reason").asText());
        assertTrue(build.path("failure").path("message").asText().contains("non-zero code: 3"), build.toPrettyString());
        assertTrue(registry(production).tags("e2e-broken").isEmpty(), "a failed build reached production");
        assertTrue(registry(candidate).tags("e2e-broken").isEmpty(), "a failed build reached the candidate registry");
    }

    // --- helpers --------------------------------------------------------------------------------------------------

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
        List<String> cmd = new ArrayList<>(List.of(ServiceProcess.javaBin(), "-jar", jar.toString()));
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

    static RegistryClient registry(RegistryProcess r) {
        return RegistryClient.anonymous(r.hostPort(), URI.create(r.url()));
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
