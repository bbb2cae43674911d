package dev.kiln.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.release.config.ReleaseConfig;
import dev.kiln.release.domain.Policy;
import dev.kiln.release.service.PolicyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyStoreTest {
    @TempDir
    Path dir;

    static PolicyStore store(Optional<String> policyDir) {
        ReleaseConfig config = new ReleaseConfig() {
            @Override
            public Registries registry() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Release release() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Hub hub() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Gating gating() {
                return () -> policyDir;
            }
        };
        return new PolicyStore(config);
    }

    @Test
    void withoutADirectoryTheBuiltInDefaultApplies() {
        assertSame(Policy.BUILT_IN, store(Optional.empty()).policyFor("hello"));
    }

    @Test
    void aComponentFileWinsOverTheDefaultFile() throws Exception {
        Files.writeString(dir.resolve("default.json"), "{\"id\":\"default\",\"required_test_cases\":[\"a.b\"],\"signature_required\":false}");
        Files.writeString(dir.resolve("hello.yaml"), "id: hello-strict\nrequired_test_cases: [kiln.image.starts, x.y]\n");
        PolicyStore store = store(Optional.of(dir.toString()));
        Policy hello = store.policyFor("hello");
        assertEquals("hello-strict", hello.id());
        assertEquals(List.of("kiln.image.starts", "x.y"), hello.requiredTestCases());
        assertTrue(hello.signatureRequired(), "a signature is required unless a policy says otherwise");
        Policy other = store.policyFor("other");
        assertEquals(new Policy("default", List.of("a.b"), false), other);
    }

    @Test
    void aDirectoryWithoutADefaultFileFallsBackToTheBuiltInDefault() throws Exception {
        Files.writeString(dir.resolve("hello.yml"), "id: hello\nrequiredTestCases: []\nsignatureRequired: false\n");
        PolicyStore store = store(Optional.of(dir.toString()));
        assertSame(Policy.BUILT_IN, store.policyFor("other"));
        assertEquals(new Policy("hello", List.of(), false), store.policyFor("hello"));
    }

    @Test
    void anyProblemWithAPolicyIsAnErrorNeverALaxerPolicy() throws Exception {
        PolicyStore store = store(Optional.of(dir.toString()));
        Map<String, String> broken = Map.of(
                "a", "id: a\nsignature_required: maybe\n",
                "b", "required_test_cases: [kiln.image.starts]\n",
                "c", "id: c\nrequired_test_cases: kiln.image.starts\n",
                "d", "id: d\nsignature_requried: false\n",
                "e", "id: e\nrequired_test_cases: [\"Not A Name\"]\n",
                "f", "{ this is: [not yaml\n",
                "g", "- just\n- a list\n");
        for (var e : broken.entrySet()) {
            Files.writeString(dir.resolve(e.getKey() + ".yaml"), e.getValue());
            assertThrows(PolicyStore.PolicyException.class, () -> store.policyFor(e.getKey()), e.getKey());
        }
        Files.writeString(dir.resolve("two.yaml"), "id: two\n");
        Files.writeString(dir.resolve("two.json"), "{\"id\": \"two\"}");
        assertThrows(PolicyStore.PolicyException.class, () -> store.policyFor("two"));
        assertThrows(PolicyStore.PolicyException.class, () -> store.policyFor("../etc/passwd"));
        assertThrows(PolicyStore.PolicyException.class, () -> store(Optional.of(dir.resolve("nope").toString())).policyFor("x"));
        assertFalse(Files.exists(dir.resolve("default.yaml")));
    }
}
