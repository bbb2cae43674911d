package dev.kiln.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import dev.kiln.testsupport.TinyImage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The registries' doors on the running stack (docs/security.md): both take tokens from the hub's realm only, and
 * the realm grants each principal what its role allows. Every push below that should not happen is refused, and the
 * repository holds exactly the tags it held before.
 */
@Tag("e2e")
@ExtendWith(KilnStack.Extension.class)
class RegistryDoorsE2ETest {

    @Test
    void anonymousPushesAreRefusedOnBothRegistries() {
        for (RegistryProcess registry : List.of(KilnStack.candidate, KilnStack.production)) {
            assertRefused(registry.client(), registry,
                    "base/busybox", "latest-forged");
        }
    }

    @Test
    void registryPushsCredentialsDoNotOpenProduction() {
        RegistryClient asRegistryPush = as(KilnStack.production, "registry-push");
        assertRefused(asRegistryPush, KilnStack.production, "base/busybox", "latest");
        assertRefused(as(KilnStack.production, "qa"), KilnStack.production, "base/busybox", "qa-was-here");
        assertRefused(as(KilnStack.candidate, "release"), KilnStack.candidate, "base/busybox", "release-was-here");
    }

    @Test
    void dockerPushToTheCandidateWithoutATokenIsRefused() throws Exception {
        String target = KilnStack.candidate.hostPort() + "/intruder";
        KilnStack.docker.tagImageCmd(TestDocker.BASE_IMAGE, target, "latest").exec();
        List<String> before = KilnStack.registry(KilnStack.candidate).tags("intruder");
        // a docker CLI with no credentials at all (its own, empty configuration)
        Path config = Files.createTempDirectory(KilnStack.work, "docker-config-");
        Exec push = docker(config, "push", target + ":latest");
        assertNotEquals(0, push.exit(), "docker push without a token succeeded: " + push);
        assertTrue(push.out().contains("denied") || push.out().contains("unauthorized")
                || push.err().contains("denied") || push.err().contains("unauthorized"), push.toString());
        assertEquals(before, KilnStack.registry(KilnStack.candidate).tags("intruder"), "nothing was pushed");
        // and a maintainer's login does not make it a push either
        String maintainer = KilnStack.token("mallory", "maintainer");
        assertEquals(0, docker(config, "login", "-u", "mallory", "-p", maintainer, KilnStack.candidate.hostPort()).exit());
        assertNotEquals(0, docker(config, "push", target + ":latest").exit(), "a maintainer pushed to the candidate");
        assertEquals(before, KilnStack.registry(KilnStack.candidate).tags("intruder"), "nothing was pushed");
    }

    @Test
    void productionIsPulledAnonymouslyAndCandidatesAreNot() {
        RegistryProcess production = KilnStack.production;
        assertTrue(production.client()
                .manifestExists("base/busybox", "latest"));
        RegistryProcess candidate = KilnStack.candidate;
        assertEquals(401, assertThrows(RegistryException.class, () -> candidate.client().tags("base/busybox")).status());
    }

    @Test
    void theRegistriesSpeakOnlyTlsWithACertificateFromKilnsCa() {
        for (RegistryProcess registry : List.of(KilnStack.candidate, KilnStack.production)) {
            assertTrue(registry.url().startsWith("https://"), registry.url());
            // plain HTTP to the same port: the registry answers 400 and serves nothing
            RegistryClient plain = RegistryClient.anonymous(registry.hostPort(),
                    URI.create(registry.url().replace("https://", "http://")));
            assertEquals(400, assertThrows(RegistryException.class, () -> plain.manifestExists("base/busybox", "latest"))
                    .status());
            // a client that trusts only the system's CAs refuses the registry's certificate, and says why
            RegistryClient untrusting = RegistryClient.anonymous(registry.hostPort(), URI.create(registry.url()));
            RegistryException refused = assertThrows(RegistryException.class,
                    () -> untrusting.manifestExists("base/busybox", "latest"));
            assertFalse(refused.isTransient(), refused.getMessage());
            assertTrue(refused.getMessage().contains("does not trust"), refused.getMessage());
        }
    }

    @Test
    void aBuildOnACandidateParentPullsItAsContainerBuild() throws Exception {
        // a layered build on an image still in the candidate registry, which nobody pulls anonymously: the builder's
        // daemon pulls it with container-build's service token
        String parent = KilnStack.candidate.hostPort() + "/base/busybox-candidate";
        KilnStack.docker.tagImageCmd(TestDocker.BASE_IMAGE, parent, "latest").exec();
        KilnStack.docker.pushImageCmd(parent).withTag("latest")
                .withAuthConfig(new AuthConfig().withUsername("admin").withPassword(KilnStack.ADMIN_TOKEN)
                        .withRegistryAddress(KilnStack.candidate.hostPort()))
                .exec(new ResultCallback.Adapter<PushResponseItem>()).awaitCompletion(2, TimeUnit.MINUTES);
        KilnStack.docker.removeImageCmd(parent + ":latest").exec();
        Path ctx = Files.createTempDirectory(KilnStack.work, "on-candidate");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + parent + ":latest\n"
                + "LABEL name=\"e2e-on-candidate\" version=\"1.0\" summary=\"built on a candidate\"\n");
        KilnStack.CliResult cli = KilnStack.cli("container-build", "--scratch", ctx.toString());
        assertEquals(0, cli.exit(), "the build on a candidate parent failed:\n" + cli + "\n" + KilnStack.logs());
        assertTrue(cli.lastLine().startsWith(KilnStack.candidate.hostPort() + "/e2e-on-candidate"), cli.lastLine());
    }

    /** A client of {@code registry} with {@code service}'s own registry credentials (its service token). */
    private static RegistryClient as(RegistryProcess registry, String service) {
        return registry.client(service, KilnStack.SERVICE_TOKENS.get(service));
    }

    /** A one-layer image pushed as {@code repo:tag} by {@code client} is refused, and {@code repo}'s tags are unchanged. */
    private static void assertRefused(RegistryClient client, RegistryProcess registry, String repo, String tag) {
        List<String> before = KilnStack.registry(registry).tags(repo);
        RegistryException refused = assertThrows(RegistryException.class, () -> TinyImage.push(client, repo, tag),
                "pushed " + repo + ":" + tag + " to " + registry.hostPort());
        assertEquals(401, refused.status(), "refused by the registry's door, not on the way: " + refused.getMessage());
        assertEquals(before, KilnStack.registry(registry).tags(repo), "the tags of " + repo + " are unchanged");
    }

    record Exec(int exit, String out, String err) {
    }

    /** The docker CLI on the test daemon with the configuration directory {@code config}. */
    private static Exec docker(Path config, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker", "--config", config.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> env = new TreeMap<>();
        env.put("DOCKER_HOST", TestDocker.host());
        TestDocker.certPath().ifPresent(p -> {
            env.put("DOCKER_TLS_VERIFY", "1");
            env.put("DOCKER_CERT_PATH", p);
        });
        Path out = Files.createTempFile(KilnStack.work, "docker", ".out");
        Path err = Files.createTempFile(KilnStack.work, "docker", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 3 minutes");
        }
        return new Exec(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
