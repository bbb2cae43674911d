package dev.kiln.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.support.registry.ImageCopier;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.RegistryProcess;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The digest-preserving copy against real registries, without the service around it. */
class ImageCopierTest {
    static RegistryProcess a;
    static RegistryProcess b;

    @BeforeAll
    static void start() {
        a = RegistryProcess.start("copier-a");
        b = RegistryProcess.start("copier-b");
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
    }


    @Test
    void copiesBetweenRegistriesKeepingTheDigest() {
        RegistryClient from = a.client();
        RegistryClient to = b.client();
        String digest = TestImages.push(from, "src/app", "1.0-1");
        ImageCopier.copy(from, "src/app", digest, to, "app", List.of("1.0-1", "1.0", "latest"));
        for (String tag : List.of("1.0-1", "1.0", "latest")) {
            assertArrayEquals(from.getManifest("src/app", digest).orElseThrow().bytes(), to.getManifest("app", tag).orElseThrow().bytes());
        }
        // again: every blob is already there, nothing fails
        ImageCopier.copy(from, "src/app", digest, to, "app", List.of("latest"));
    }

    @Test
    void mountsWithinOneRegistry() {
        RegistryClient r = a.client();
        String digest = TestImages.push(r, "cand/tool", "2.0-1");
        ImageCopier.copy(r, "cand/tool", digest, r, "prod/tool", List.of("2.0"));
        assertEquals(digest, r.getManifest("prod/tool", "2.0").orElseThrow().digest());
        assertTrue(a.log().contains("mount="), "a cross-repository mount was asked for");
    }

    @Test
    void copiesAnIndexWithItsChildren() {
        RegistryClient from = a.client();
        RegistryClient to = b.client();
        String child = TestImages.push(from, "multi", "child");
        byte[] childBytes = from.getManifest("multi", child).orElseThrow().bytes();
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + RegistryClient.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + RegistryClient.DOCKER_MANIFEST + "\",\"size\":" + childBytes.length + ",\"digest\":\"" + child
                + "\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}").getBytes(StandardCharsets.UTF_8);
        String digest = from.putManifest("multi", "1.0", index, RegistryClient.OCI_INDEX);
        ImageCopier.copy(from, "multi", digest, to, "multi", List.of("1.0"));
        assertArrayEquals(index, to.getManifest("multi", "1.0").orElseThrow().bytes());
        assertTrue(to.manifestExists("multi", child));
    }

    @Test
    void unreachableTargetIsAnError() {
        RegistryClient from = a.client();
        String digest = TestImages.push(from, "src/lost", "1.0-1");
        RegistryClient dead = RegistryClient.anonymous("localhost:1", URI.create("http://localhost:" + KafkaBroker.freePort()));
        RegistryException e = assertThrows(RegistryException.class,
                () -> ImageCopier.copy(from, "src/lost", digest, dead, "lost", List.of("1.0")));
        assertTrue(e.isTransient());
    }
}
