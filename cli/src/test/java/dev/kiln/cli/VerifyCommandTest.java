package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.tls.CertificateAuthority;
import dev.kiln.support.verify.CosignFormat;
import dev.kiln.support.verify.CosignKeys;
import dev.kiln.testsupport.RegistryProcess;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln verify against a real docker-registry holding an image and a cosign signature made here, with a fake signing
 * service (keys and a lookaside store holding one broken simple signature).
 */
@QuarkusMainTest
class VerifyCommandTest {
    static RegistryProcess registry;
    static HttpServer signing;
    static final Map<String, byte[]> lookaside = new ConcurrentHashMap<>();
    static KeyPair key;
    static KeyPair otherKey;
    static String digest;
    static String unsignedDigest;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryProcess.start("verify",
                RegistryProcess.Tls.issuedBy(CertificateAuthority.create("kiln-test-ca", Duration.ofDays(1))));
        RegistryClient client = registry.client();
        key = ecKeyPair();
        otherKey = ecKeyPair();
        digest = pushImage(client, "hello", "1.0-1", "hello layer");
        unsignedDigest = pushImage(client, "plain", "1.0", "plain layer");

        byte[] payload = CosignFormat.payload(registry.hostPort() + "/hello:1.0-1", digest, Instant.now());
        byte[] foreign = CosignFormat.payload(registry.hostPort() + "/hello:1.0-1", digest, Instant.now().plusSeconds(1));
        List<JsonNode> layers = List.of(CosignFormat.layer(payload, sign(key, payload)),
                CosignFormat.layer(foreign, sign(otherKey, foreign)));
        client.putBlob("hello", RegistryClient.sha256(payload), payload);
        client.putBlob("hello", RegistryClient.sha256(foreign), foreign);
        byte[] config = CosignFormat.config(List.of(RegistryClient.sha256(payload), RegistryClient.sha256(foreign)));
        client.putBlob("hello", RegistryClient.sha256(config), config);
        client.putManifest("hello", digest.replace(':', '-') + ".sig", CosignFormat.manifest(config, layers), RegistryClient.OCI_MANIFEST);

        lookaside.put("/lookaside/hello@" + digest.replace(':', '=') + "/signature-1", "not an OpenPGP message".getBytes());
        signing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        signing.createContext("/lookaside/", x -> {
            byte[] body = lookaside.get(x.getRequestURI().getPath());
            send(x, body == null ? 404 : 200, body == null ? new byte[0] : body);
        });
        signing.createContext("/api/v1/keys", x -> send(x, 200, ("[{\"keyId\":\"" + CosignKeys.keyId(key.getPublic())
                + "\",\"format\":\"cosign\",\"algorithm\":\"ECDSA-P256-SHA256\",\"active\":true,\"publicKeyPem\":\""
                + pem(key).replace("\n", "\\n") + "\"}]").getBytes(StandardCharsets.UTF_8)));
        signing.start();
    }

    @AfterAll
    static void stop() {
        signing.stop(0);
        registry.close();
    }

    /** {@code kiln verify ARGS --registry-ca <the registry's CA>}. */
    static LaunchResult verify(QuarkusMainLauncher launcher, String... args) {
        List<String> all = new ArrayList<>(List.of("verify"));
        all.addAll(List.of(args));
        all.addAll(List.of("--registry-ca", registry.caFile().orElseThrow().toString()));
        return launcher.launch(all.toArray(String[]::new));
    }

    static String signingUrl() {
        return "http://localhost:" + signing.getAddress().getPort();
    }

    private static void send(HttpExchange x, int status, byte[] body) throws IOException {
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        } else {
            x.close();
        }
    }

    static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static String sign(KeyPair k, byte[] payload) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(k.getPrivate());
        s.update(payload);
        return Base64.getEncoder().encodeToString(s.sign());
    }

    static String pem(KeyPair k) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(k.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** A one-layer OCI image; returns its manifest digest. */
    static String pushImage(RegistryClient client, String repository, String tag, String content) {
        byte[] layer = content.getBytes(StandardCharsets.UTF_8);
        client.putBlob(repository, RegistryClient.sha256(layer), layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + RegistryClient.sha256(layer) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        client.putBlob(repository, RegistryClient.sha256(config), config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + RegistryClient.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"size\":" + config.length + ",\"digest\":\""
                + RegistryClient.sha256(config) + "\"},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"size\":" + layer.length + ",\"digest\":\"" + RegistryClient.sha256(layer) + "\"}]}").getBytes(StandardCharsets.UTF_8);
        client.putManifest(repository, tag, manifest, RegistryClient.OCI_MANIFEST);
        return RegistryClient.sha256(manifest);
    }

    private Path keyFile(KeyPair k) throws IOException {
        Path f = Files.createTempFile(dir, "cosign", ".pub");
        Files.writeString(f, pem(k));
        return f;
    }

    @Test
    void aTagWithAValidCosignSignatureVerifies(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult r = verify(launcher, registry.hostPort() + "/hello:1.0-1", "--key", keyFile(key).toString(),
                "--lookaside", signingUrl() + "/lookaside");
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        List<String> lines = r.getOutput().lines().toList();
        assertEquals(3, lines.size(), r.getOutput());
        assertTrue(lines.get(0).startsWith("valid   cosign key " + CosignKeys.keyId(key.getPublic()) + " signs "
                + registry.hostPort() + "/hello:1.0-1"), lines.get(0));
        assertTrue(lines.get(1).startsWith("INVALID cosign") && lines.get(1).endsWith("no given cosign key verifies this signature"),
                lines.get(1));
        assertTrue(lines.get(2).startsWith("INVALID simple-signing") && lines.get(2).contains("signature-1"), lines.get(2));

        LaunchResult byDigest = verify(launcher, registry.hostPort() + "/hello@" + digest, "--key", keyFile(key).toString(),
                "--lookaside", signingUrl() + "/lookaside");
        assertEquals(0, byDigest.exitCode(), byDigest.getErrorOutput());
    }

    @Test
    void withoutKeysTheSigningServicesKeysAreUsed(QuarkusMainLauncher launcher) {
        LaunchResult r = verify(launcher, registry.hostPort() + "/hello:1.0-1", "--keys-url", signingUrl(),
                "--lookaside", signingUrl() + "/lookaside");
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        assertTrue(r.getOutput().startsWith("valid   cosign key " + CosignKeys.keyId(key.getPublic())), r.getOutput());
    }

    @Test
    void noValidSignatureExitsOne(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult foreign = verify(launcher, registry.hostPort() + "/hello:1.0-1", "--key", keyFile(ecKeyPair()).toString(),
                "--lookaside", signingUrl() + "/lookaside");
        assertEquals(1, foreign.exitCode(), foreign.getErrorOutput());
        assertTrue(foreign.getOutput().lines().allMatch(l -> l.startsWith("INVALID")), foreign.getOutput());
        assertTrue(foreign.getErrorOutput().contains("No valid signature for " + registry.hostPort() + "/hello@" + digest),
                foreign.getErrorOutput());

        LaunchResult unsigned = verify(launcher, registry.hostPort() + "/plain:1.0", "--key", keyFile(key).toString(),
                "--lookaside", signingUrl() + "/lookaside");
        assertEquals(1, unsigned.exitCode(), unsigned.getErrorOutput());
        assertEquals("", unsigned.getOutput());
        assertTrue(unsigned.getErrorOutput().contains("No signatures found for " + registry.hostPort() + "/plain@" + unsignedDigest),
                unsigned.getErrorOutput());
    }

    @Test
    void badInputIsRefused(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult missing = verify(launcher, registry.hostPort() + "/hello:9.9", "--key", keyFile(key).toString(),
                "--lookaside", signingUrl() + "/lookaside");
        assertEquals(ExitCodes.REFUSED, missing.exitCode(), missing.getErrorOutput());
        assertTrue(missing.getErrorOutput().contains("does not exist"), missing.getErrorOutput());
        assertEquals(ExitCodes.USAGE, verify(launcher, "no-registry").exitCode());
        assertEquals(ExitCodes.USAGE, verify(launcher, registry.hostPort() + "/hello:1.0-1", "--key",
                dir.resolve("absent.pub").toString()).exitCode());
        Path notAKey = Files.writeString(dir.resolve("garbage.pub"), "hello");
        assertEquals(ExitCodes.USAGE, verify(launcher, registry.hostPort() + "/hello:1.0-1", "--key", notAKey.toString())
                .exitCode());
        LaunchResult noSigning = verify(launcher, registry.hostPort() + "/hello:1.0-1", "--keys-url", "http://localhost:1");
        assertEquals(ExitCodes.UNREACHABLE, noSigning.exitCode(), noSigning.getErrorOutput());
        LaunchResult noRegistry = verify(launcher, "localhost:1/hello:1.0-1", "--key", keyFile(key).toString());
        assertEquals(ExitCodes.UNREACHABLE, noRegistry.exitCode(), noRegistry.getErrorOutput());
        assertTrue(noRegistry.getErrorOutput().contains("https://localhost:1"), noRegistry.getErrorOutput());
    }

    @Test
    void aRegistryWhoseCertificateIsNotTrustedIsRefusedWithTheRemedy(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult r = launcher.launch("verify", registry.hostPort() + "/hello:1.0-1", "--key", keyFile(key).toString());
        assertEquals(ExitCodes.UNREACHABLE, r.exitCode(), r.getErrorOutput());
        String err = r.getErrorOutput();
        assertTrue(err.contains("does not trust") && err.contains("--registry-ca"), err);
        assertFalse(err.contains("PKIX") || err.contains("Exception") || err.contains("sun."), err);
        assertTrue(r.getOutput().isBlank(), r.getOutput());
    }

    @Test
    void plainHttpIsOnlyWhatTheUserAsksFor(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult tlsAsPlain = verify(launcher, registry.hostPort() + "/hello:1.0-1", "--key", keyFile(key).toString(),
                "--plain-http");
        assertNotEquals(0, tlsAsPlain.exitCode(), tlsAsPlain.getErrorOutput());
        assertTrue(tlsAsPlain.getErrorOutput().contains("HTTP request to an HTTPS server"), tlsAsPlain.getErrorOutput());
        try (RegistryProcess plain = RegistryProcess.start("verify-plain")) {
            pushImage(plain.client(), "plain", "1.0", "plain layer");
            LaunchResult asTls = verify(launcher, plain.hostPort() + "/plain:1.0", "--key", keyFile(key).toString());
            assertEquals(ExitCodes.UNREACHABLE, asTls.exitCode(), asTls.getErrorOutput());
            assertTrue(asTls.getErrorOutput().contains("plain HTTP, not TLS") && asTls.getErrorOutput().contains("--plain-http"),
                    asTls.getErrorOutput());
            LaunchResult asPlain = verify(launcher, plain.hostPort() + "/plain:1.0", "--key", keyFile(key).toString(),
                    "--plain-http");
            assertEquals(ExitCodes.NOT_VERIFIED, asPlain.exitCode(), asPlain.getErrorOutput());
            assertTrue(asPlain.getErrorOutput().contains("No signatures found"), asPlain.getErrorOutput());
        }
    }
}
