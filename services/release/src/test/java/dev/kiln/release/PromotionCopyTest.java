package dev.kiln.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.support.registry.ImageCopier;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.RegistryProcess;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Promotion copies with attachments (signatures, SBOM, referrers) against real registries, without the service. */
class PromotionCopyTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static RegistryProcess one;
    static RegistryProcess other;

    @BeforeAll
    static void start() {
        one = RegistryProcess.start("promote-one");
        other = RegistryProcess.start("promote-other");
    }

    @AfterAll
    static void stop() {
        one.close();
        other.close();
    }


    @Test
    void promotionWithinOneRegistryTransfersNoLayerBytes() {
        RegistryClient r = one.client();
        String digest = TestImages.push(r, "candidate/app", "1.0-1", 1 << 20);
        TestImages.attachSignature(r, "candidate/app", digest, "candidate-name");
        TestImages.attachSbom(r, "candidate/app", digest);
        int putsBefore = blobPuts(one, "production/app");
        int mountsBefore = mounts(one, "production/app");

        ImageCopier.copy(r, "candidate/app", digest, r, "production/app", List.of("1.0-1", "1.0", "latest"));
        ImageCopier.Attachments attachments = ImageCopier.copyAttachments(r, "candidate/app", digest, r, "production/app");

        assertEquals(List.of(sigTag(digest), sbomTag(digest)), attachments.copied());
        assertEquals(putsBefore, blobPuts(one, "production/app"), "no blob bytes were uploaded:\n" + one.log());
        assertTrue(mounts(one, "production/app") - mountsBefore >= 2 + 2 + 2,
                "image config+layer, signature config+payload and SBOM config+layer were mounted");
        assertEquals(digest, r.getManifest("production/app", "latest").orElseThrow().digest());
        assertArrayEquals(r.getManifest("candidate/app", sigTag(digest)).orElseThrow().bytes(),
                r.getManifest("production/app", sigTag(digest)).orElseThrow().bytes());
        assertArrayEquals(r.getManifest("candidate/app", sbomTag(digest)).orElseThrow().bytes(),
                r.getManifest("production/app", sbomTag(digest)).orElseThrow().bytes());
    }

    @Test
    void signaturesSbomAndReferrersTravelToAnotherRegistryAndSignaturesAreMergedNotOverwritten() throws Exception {
        RegistryClient from = one.client();
        RegistryClient to = other.client();
        String digest = TestImages.push(from, "cand/tool", "2.0-1", 4096);
        TestImages.attachSignature(from, "cand/tool", digest, "candidate-name");
        TestImages.attachSbom(from, "cand/tool", digest);
        String referrer = TestImages.attachReferrersIndex(from, "cand/tool", digest);
        // production already holds a signature layer (e.g. a partial earlier run): it must survive
        TestImages.push(to, "tool", "seed", 16);
        TestImages.attachSignature(to, "tool", digest, "production-name");

        ImageCopier.copy(from, "cand/tool", digest, to, "tool", List.of("2.0-1", "2.0", "latest"));
        ImageCopier.Attachments attachments = ImageCopier.copyAttachments(from, "cand/tool", digest, to, "tool");
        assertEquals(List.of(sigTag(digest), sbomTag(digest), digest.replace(':', '-')), attachments.copied());

        assertEquals(digest, to.getManifest("tool", "2.0").orElseThrow().digest());
        JsonNode sig = JSON.readTree(to.getManifest("tool", sigTag(digest)).orElseThrow().bytes());
        List<String> identities = new ArrayList<>();
        for (JsonNode layer : sig.path("layers")) {
            identities.add(JSON.readTree(to.getBlob("tool", layer.path("digest").asText())).path("critical").path("identity")
                    .path("docker-reference").asText());
        }
        assertEquals(List.of("production-name", "candidate-name"), identities, "existing layer kept, candidate's appended");
        JsonNode config = JSON.readTree(to.getBlob("tool", sig.path("config").path("digest").asText()));
        assertEquals(2, config.path("rootfs").path("diff_ids").size());

        assertArrayEquals(from.getManifest("cand/tool", sbomTag(digest)).orElseThrow().bytes(),
                to.getManifest("tool", sbomTag(digest)).orElseThrow().bytes());
        assertTrue(to.manifestExists("tool", referrer), "the referrer named by the referrers tag index was copied");
        JsonNode sbom = JSON.readTree(to.getManifest("tool", sbomTag(digest)).orElseThrow().bytes());
        assertTrue(to.blobExists("tool", sbom.path("layers").get(0).path("digest").asText()));

        // again: nothing changes
        byte[] before = to.getManifest("tool", sigTag(digest)).orElseThrow().bytes();
        ImageCopier.copyAttachments(from, "cand/tool", digest, to, "tool");
        assertArrayEquals(before, to.getManifest("tool", sigTag(digest)).orElseThrow().bytes());
    }

    @Test
    void anImageWithoutAttachmentsCopiesNone() {
        RegistryClient from = one.client();
        String digest = TestImages.push(from, "cand/plain", "1-1");
        assertEquals(List.of(), ImageCopier.copyAttachments(from, "cand/plain", digest, other.client(), "plain").copied());
    }

    static String sigTag(String digest) {
        return digest.replace(':', '-') + ".sig";
    }

    static String sbomTag(String digest) {
        return digest.replace(':', '-') + ".sbom";
    }

    /** Blob upload PUTs (the requests that carry blob bytes) into {@code repository}, from the registry's access log. */
    static int blobPuts(RegistryProcess r, String repository) {
        return count(r, "\"(PUT|PATCH) /v2/" + Pattern.quote(repository) + "/blobs/uploads/");
    }

    static int mounts(RegistryProcess r, String repository) {
        return count(r, "\"POST /v2/" + Pattern.quote(repository) + "/blobs/uploads/\\?mount=");
    }

    private static int count(RegistryProcess r, String regex) {
        Matcher m = Pattern.compile(regex).matcher(r.log());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static byte[] random(int size) {
        byte[] b = new byte[size];
        new SecureRandom().nextBytes(b);
        return b;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
