package dev.kiln.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.kiln.e2e.KilnStack.JSON;
import static dev.kiln.e2e.KilnStack.build;
import static dev.kiln.e2e.KilnStack.candidate;
import static dev.kiln.e2e.KilnStack.cli;
import static dev.kiln.e2e.KilnStack.cliAs;
import static dev.kiln.e2e.KilnStack.context;
import static dev.kiln.e2e.KilnStack.logs;
import static dev.kiln.e2e.KilnStack.production;
import static dev.kiln.e2e.KilnStack.registry;
import static dev.kiln.e2e.KilnStack.run;
import static dev.kiln.e2e.KilnStack.signatureLayerFor;
import static dev.kiln.e2e.KilnStack.signingKey;
import static dev.kiln.e2e.KilnStack.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.e2e.KilnStack.CliResult;
import dev.kiln.support.attest.Attestations;
import dev.kiln.support.attest.Provenance;
import dev.kiln.support.registry.RegistryClient;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole pipeline with every part real ({@link KilnStack}): a KRaft broker, two distribution registries,
 * PostgreSQL, dockerd, and the six services as separate processes from their packaged jars, driven by the packaged
 * CLI.
 */
@Tag("e2e")
@ExtendWith(KilnStack.Extension.class)
class PipelineE2ETest {
    @Test
    void aDockerfileComesOutAsATestedSignedImageInProduction() throws Exception {
        Path ctx = context("e2e-hello", "RUN echo 'Hello from Kiln' > /hello.txt\nCMD [\"/bin/cat\", \"/hello.txt\"]\n");
        CliResult cli = cli("container-build", ctx.toString());
        assertEquals(0, cli.exit(), "CLI failed:\n" + cli + "\n" + logs());
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

        // The candidate carries the build's SLSA provenance, signed by the builder key (which signing does not hold),
        // naming this digest and this build.
        List<Attestations.Attached> provenance = Attestations.read(registry(candidate), "e2e-hello", digest).stream()
                .filter(x -> x.predicateType().equals(Provenance.PREDICATE_TYPE)).toList();
        assertEquals(1, provenance.size(), "one provenance for the build");
        assertTrue(provenance.get(0).envelope().verifiedBy(List.of(KilnStack.builderKey.getPublic())).isPresent(),
                "the provenance is not signed by the builder key");
        assertTrue(provenance.get(0).envelope().verifiedBy(List.of(signingKey.getPublic())).isEmpty());
        Provenance.Facts facts = Provenance.read(provenance.get(0).envelope().payload());
        assertTrue(facts.names(digest), "the provenance names another image");
        assertEquals(cli.buildId(), facts.buildId());

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
        assertEquals(0, promoted.exit(), "promote with a release engineer's token failed:\n" + promoted + "\n" + logs());
        assertTrue(promoted.stdout().contains(digest), promoted.toString());
        CliResult refused = cliAs(maintainer, "promote", cli.buildId());
        assertEquals(6, refused.exit(), refused.toString());
        assertTrue(refused.stderr().contains("mo has role maintainer"), refused.toString());
    }

    @Test
    void aFailingRunEndsFailedAtStageBuildAndNothingReachesProduction() throws Exception {
        Path ctx = context("e2e-broken", "RUN echo about to fail && exit 3\n");
        CliResult cli = cli("container-build", ctx.toString());
        assertEquals(1, cli.exit(), "expected the build to fail:\n" + cli);
        assertTrue(cli.stderr().contains("stage build"), cli.toString());
        assertTrue(cli.stderr().contains("non-zero code: 3"), "the daemon's error is not in the reason: " + cli);

        JsonNode build = build(cli.buildId());
        assertEquals("FAILED", build.path("state").asText());
        assertEquals("build", build.path("failure").path("stage").asText());
        assertEquals("build-step-failed", build.path("failure").path("reason").asText());
        assertTrue(build.path("failure").path("message").asText().contains("non-zero code: 3"), build.toPrettyString());
        assertTrue(registry(production).tags("e2e-broken").isEmpty(), "a failed build reached production");
        assertTrue(registry(candidate).tags("e2e-broken").isEmpty(), "a failed build reached the candidate registry");
    }
}
