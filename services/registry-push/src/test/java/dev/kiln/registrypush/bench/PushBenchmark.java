package dev.kiln.registrypush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import dev.kiln.support.registry.ImageCopier;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Nvr;
import dev.kiln.registrypush.BaseImage;
import dev.kiln.registrypush.config.RegistryPushConfig;
import dev.kiln.registrypush.service.PushService;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code ./kiln bench push}: times Kiln's candidate push (docker save from the daemon, registry-push's {@link PushService})
 * and promotion (release's {@link ImageCopier}) of a trivial and a ~100 MB image next to {@code docker push}
 * (docker-java) and {@code skopeo copy} on this machine, in this run, against real {@code docker-registry}
 * processes, and prints a table with the ratios (also written to {@code target/bench/push-benchmark.txt}). Tagged
 * {@code benchmark}: not part of the normal test run. No timing is asserted; only that every copy kept its digest.
 *
 * <pre>./mvnw -B -pl services/registry-push test -Dgroups=benchmark -Dtest=PushBenchmark</pre>
 */
@Tag("benchmark")
class PushBenchmark {
    static final String SKOPEO = System.getenv().getOrDefault("KILN_SKOPEO", "/usr/bin/skopeo");

    record Row(String image, String operation, Duration kiln, String otherTool, Duration other) {
        String ratio() {
            return other.isZero() ? "n/a" : String.format(Locale.ROOT, "%.2f", (double) kiln.toNanos() / other.toNanos());
        }
    }

    @Test
    void pushAndPromoteNextToDockerPushAndSkopeoCopy() throws Exception {
        List<Row> rows = new ArrayList<>();
        List<String> madeImages = new ArrayList<>();
        try (DockerClient docker = TestDocker.client();
                RegistryProcess candidate = RegistryProcess.start("bench-candidate");
                RegistryProcess production = RegistryProcess.start("bench-production")) {
            BaseImage.ensure(docker);
            // warm up the JVM paths (Jib, HTTP clients) once, untimed, so the first row does not carry class loading
            String baseId = docker.inspectImageCmd(TestDocker.BASE_IMAGE).exec().getId();
            pushService(candidate, Files.createTempDirectory("kiln-bench-warmup-")).push(new BuildCompleted(
                    UUID.randomUUID().toString(), "warmup", false, baseId, TestDocker.host(), new Nvr("warmup", "1", "1"),
                    null, null, Map.of(), 0, List.of(), List.of(), null, Instant.now()));
            ImageCopier.copy(candidate.client(), "warmup", candidate.client().getManifest("warmup", "1-1").orElseThrow().digest(),
                    production.client(), "warmup", List.of("1-1"));
            String run = UUID.randomUUID().toString().substring(0, 8);
            Map<String, String> dockerfiles = new java.util.LinkedHashMap<>();
            dockerfiles.put("trivial", "RUN echo " + run + " > /stamp\n");
            dockerfiles.put("100MB", "RUN head -c 100000000 /dev/urandom > /blob && echo " + run + " > /stamp\n");
            for (Map.Entry<String, String> image : dockerfiles.entrySet()) {
                String size = image.getKey();
                String localTag = "kiln-bench/" + size.toLowerCase(Locale.ROOT) + ":" + run;
                String imageId = build(docker, "FROM " + TestDocker.BASE_IMAGE + "\n" + image.getValue(), localTag);
                madeImages.add(localTag);
                String repo = "bench-" + size.toLowerCase(Locale.ROOT);

                // candidate push: Kiln (docker save from the daemon, fresh layer cache) vs docker push, then both again
                PushService kiln = pushService(candidate, Files.createTempDirectory("kiln-bench-cache-"));
                BuildCompleted event = new BuildCompleted(UUID.randomUUID().toString(), repo + "-kiln", false, imageId,
                        TestDocker.host(), new Nvr(repo + "-kiln", "1.0", "1"), null, null, Map.of(), 0, List.of(), List.of(), null, Instant.now());
                long t0 = System.nanoTime();
                KilnEvent result = kiln.push(event);
                Duration kilnPush = Duration.ofNanos(System.nanoTime() - t0);
                ImagePushed pushed = assertInstanceOf(ImagePushed.class, result, () -> result.toString());

                String dockerRef = candidate.hostPort() + "/" + repo + "-docker";
                docker.tagImageCmd(imageId, dockerRef, "1.0-1").exec();
                madeImages.add(dockerRef + ":1.0-1");
                Duration dockerPush = time(() -> dockerPush(docker, dockerRef, "1.0-1"));
                rows.add(new Row(size, "candidate push", kilnPush, "docker push", dockerPush));

                long t1 = System.nanoTime();
                kiln.push(event);
                Duration kilnAgain = Duration.ofNanos(System.nanoTime() - t1);
                Duration dockerAgain = time(() -> dockerPush(docker, dockerRef, "1.0-1"));
                rows.add(new Row(size, "repeated push (no layer sent)", kilnAgain, "docker push", dockerAgain));

                // promotion to another registry: release's copy vs skopeo copy of the same candidate image
                RegistryClient from = candidate.client();
                RegistryClient to = production.client();
                long t2 = System.nanoTime();
                ImageCopier.copy(from, repo + "-kiln", pushed.digest(), to, repo + "-kiln", List.of("1.0-1", "1.0", "latest"));
                Duration kilnPromote = Duration.ofNanos(System.nanoTime() - t2);
                assertEquals(pushed.digest(), to.getManifest(repo + "-kiln", "1.0-1").orElseThrow().digest());
                Duration skopeo = time(() -> skopeo(candidate.hostPort() + "/" + repo + "-kiln:1.0-1",
                        production.hostPort() + "/" + repo + "-skopeo:1.0-1"));
                assertEquals(pushed.digest(), to.getManifest(repo + "-skopeo", "1.0-1").orElseThrow().digest(),
                        "skopeo kept the digest too");
                rows.add(new Row(size, "promotion, other registry", kilnPromote, "skopeo copy", skopeo));

                // promotion within one registry: mount vs skopeo
                long t3 = System.nanoTime();
                ImageCopier.copy(from, repo + "-kiln", pushed.digest(), from, "prod/" + repo + "-kiln", List.of("1.0-1", "1.0", "latest"));
                Duration kilnMount = Duration.ofNanos(System.nanoTime() - t3);
                Duration skopeoSame = time(() -> skopeo(candidate.hostPort() + "/" + repo + "-kiln:1.0-1",
                        candidate.hostPort() + "/prod/" + repo + "-skopeo:1.0-1"));
                rows.add(new Row(size, "promotion, same registry", kilnMount, "skopeo copy", skopeoSame));
            }
        } finally {
            try (DockerClient docker = TestDocker.client()) {
                for (String image : madeImages) {
                    try {
                        docker.removeImageCmd(image).withForce(true).exec();
                    } catch (RuntimeException e) {
                        // already gone
                    }
                }
            }
        }
        String table = table(rows);
        System.out.println(table);
        Path out = Path.of("target", "bench", "push-benchmark.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder("\nkiln bench push (" + Instant.now() + ", this machine, loopback registries)\n");
        String format = "%-8s %-31s %10s  %-12s %10s  %s%n";
        b.append(String.format(Locale.ROOT, format, "image", "operation", "kiln", "other", "other", "kiln/other"));
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, format, r.image(), r.operation(), ms(r.kiln()), r.otherTool(), ms(r.other()),
                    r.ratio()));
        }
        b.append("ratio < 1: Kiln faster; kiln = registry-push's push (incl. docker save on a cold cache and read-back) ")
                .append("and release's copy (incl. digest check).\n");
        return b.toString();
    }

    private static String ms(Duration d) {
        return String.format(Locale.ROOT, "%d ms", d.toMillis());
    }

    interface Action {
        void run() throws Exception;
    }

    private static Duration time(Action action) throws Exception {
        long t = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - t);
    }

    private static String build(DockerClient docker, String dockerfile, String tag) throws IOException {
        Path context = Files.createTempDirectory("kiln-bench-ctx-");
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        String id = docker.buildImageCmd(context.toFile()).withTags(Set.of(tag)).withNetworkMode("none").withPull(false)
                .withForcerm(true).exec(new BuildImageResultCallback()).awaitImageId(5, TimeUnit.MINUTES);
        return docker.inspectImageCmd(id).exec().getId();
    }

    private static void dockerPush(DockerClient docker, String repository, String tag) throws InterruptedException {
        ResultCallback.Adapter<PushResponseItem> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(PushResponseItem item) {
                if (item.getErrorDetail() != null) {
                    onError(new IllegalStateException("docker push: " + item.getErrorDetail().getMessage()));
                }
            }
        };
        docker.pushImageCmd(repository).withTag(tag).exec(callback).awaitCompletion(10, TimeUnit.MINUTES);
    }

    private static void skopeo(String from, String to) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(SKOPEO, "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                "docker://" + from, "docker://" + to).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("skopeo copy " + from + " " + to + " failed: " + output);
        }
    }


    private static PushService pushService(RegistryProcess registry, Path cache) {
        RegistryPushConfig config = new RegistryPushConfig() {
            @Override
            public Docker docker() {
                return new Docker() {
                    @Override
                    public Optional<String> certPath() {
                        return TestDocker.certPath();
                    }

                    @Override
                    public boolean allowInsecureSocket() {
                        return TestDocker.certPath().isEmpty();
                    }
                };
            }

            @Override
            public Registry registry() {
                return () -> new Registry.Candidate() {
                    @Override
                    public String address() {
                        return registry.hostPort();
                    }

                    @Override
                    public java.net.URI url() {
                        return java.net.URI.create(registry.url());
                    }

                    @Override
                    public Optional<String> caFile() {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<String> username() {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<String> password() {
                        return Optional.empty();
                    }
                };
            }

            @Override
            public Provenance provenance() {
                return new Provenance() {
                    @Override
                    public Optional<String> keyFile() {
                        return Optional.empty();
                    }

                    @Override
                    public String builderId() {
                        return dev.kiln.support.attest.Provenance.DEFAULT_BUILDER_ID;
                    }
                };
            }

            @Override
            public Push push() {
                return new Push() {
                    @Override
                    public Duration timeout() {
                        return Duration.ofMinutes(10);
                    }

                    @Override
                    public Optional<String> cacheDir() {
                        return Optional.of(cache.toString());
                    }
                };
            }
        };
        return PushService.standalone(config);
    }
}
