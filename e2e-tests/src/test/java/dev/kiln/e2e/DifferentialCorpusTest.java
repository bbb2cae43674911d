package dev.kiln.e2e;

import static dev.kiln.e2e.KilnStack.JSON;
import static dev.kiln.e2e.KilnStack.build;
import static dev.kiln.e2e.KilnStack.cli;
import static dev.kiln.e2e.KilnStack.hubPort;
import static dev.kiln.e2e.KilnStack.logs;
import static dev.kiln.e2e.KilnStack.production;
import static dev.kiln.e2e.KilnStack.registry;
import static dev.kiln.e2e.KilnStack.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kiln.e2e.KilnStack.CliResult;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.TestDocker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * What was built is what ships: every context of the corpus ({@code src/test/resources/corpus/<case>/}) is built by
 * Kiln end to end (packaged CLI → the six services → promoted to production) and by the plain docker CLI's legacy
 * builder ({@code DOCKER_BUILDKIT=0 docker build}) on the same daemon from the same prepared copy of the context,
 * and the two images must be equal: the image config field by field, the history, the number of layers, and the
 * flattened filesystem (path, type, mode with setuid/setgid/sticky, owner, size, link target, content; the mtime of
 * everything that does not come from the build's own clock). What Kiln adds on purpose (its labels, and the one
 * history line they make) is asserted with its expected values; nothing else may differ.
 *
 * <p>Each case is a context directory and a {@code case.txt} of what git cannot hold, applied to the temporary copy
 * before either build: {@code mode <octal> <path>}, {@code symlink <path> <target>}, {@code hardlink <path> <existing>},
 * {@code dir <path>} (an empty directory), {@code random <bytes> <path>} (incompressible, deterministic),
 * {@code tar <path>} / {@code targz <path>} (a fixed archive for {@code ADD}), {@code dockerfile <path>} (not at the
 * root) and {@code parent <case>} (built after that case, {@code @PARENT@} naming that case's image: the
 * Kiln-promoted one for Kiln, the docker-built one for docker). {@code @BASE@} in a Dockerfile is the base image in
 * the production registry. Every file and directory of the copy gets the mtime {@link #CONTEXT_MTIME}.
 */
@Tag("e2e")
@ExtendWith(KilnStack.Extension.class)
class DifferentialCorpusTest {
    /** 2021-03-04T05:06:07Z: every file of a prepared context, so a copied file's mtime is known. */
    static final long CONTEXT_MTIME = 1614834367L;
    /** The mtime of every entry of the generated tar for {@code ADD}. */
    static final long TAR_MTIME = 1500000000L;
    /** The labels Kiln injects into every image built from an uploaded context (InjectLabelsPlugin, NvrReleasePlugin). */
    static final Set<String> INJECTED = Set.of("build-date", "org.opencontainers.image.created", "dev.kiln.build-id",
            "dev.kiln.context-digest", "org.opencontainers.image.source", "org.opencontainers.image.title",
            "org.opencontainers.image.version", "release");
    /** ... and, when the final stage has a parent image, these. */
    static final Set<String> INJECTED_PARENT = Set.of("dev.kiln.parent-image", "dev.kiln.parent-digest",
            "org.opencontainers.image.base.name", "org.opencontainers.image.base.digest");
    static final Set<String> TERMINAL = Set.of("COMPLETE", "FAILED", "CANCELED");

    static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    static final Map<String, Case> cases = new LinkedHashMap<>();
    /**
     * Whether the docker CLI packs contexts with the file-type bits in tar modes ({@code 0100644}), as clients before
     * Docker 23 do (moby#44083 dropped them; Debian 12's docker.io 20.10 still has them). Kiln packs as current
     * clients do, and the legacy builder hashes the mode into the {@code file:<hash>}/{@code dir:<hash>} of a COPY's
     * history line, so with such a client those two hashes alone differ.
     */
    static boolean clientPacksTypeBits;
    static final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    static final List<String> createdImages = new ArrayList<>();
    /** Anything at or after this instant comes from the build's own clock. */
    static Instant t0;
    static Instant kilnStarted;
    static Instant kilnDone;
    static Instant dockerDone;
    /** This run's base image in production: busybox with a label naming the run (see buildTheCorpus). */
    static String corpusBase;
    static String corpusBaseDigest;
    static String corpusBaseId;

    /** One corpus case: its name, the source directory and what {@code case.txt} says. */
    record Case(String name, Path source, String dockerfile, String parent, List<String> manifest) {
        String repository() {
            return "corpus-" + name;
        }

        String dockerTag() {
            return "kiln-corpus/" + name + ":" + RUN;
        }
    }

    /** What came of a case on either side. */
    static final class Outcome {
        volatile String buildId;
        volatile JsonNode build;
        volatile String kilnError;
        volatile String dockerError;
        volatile Path kilnContext;
        volatile Path dockerContext;
    }

    @BeforeAll
    static void buildTheCorpus() throws Exception {
        t0 = Instant.now().minusSeconds(2);
        loadCases();
        Exec version = docker(null, "version", "--format", "{{.Client.Version}}");
        assertEquals(0, version.exit, "docker version: " + version);
        clientPacksTypeBits = Integer.parseInt(version.out.strip().split("\\.")[0]) < 23;
        // The daemon's build cache must not make the two builds one: a base image of this run's own (so no layer of
        // an earlier run matches), docker builds with --no-cache, and only once Kiln has built (so Kiln cannot reuse
        // docker's layers). Every RUN and COPY of either side is then done by that side's build.
        String base = production.hostPort() + "/base/corpus";
        Path baseContext = Files.createTempDirectory(work, "corpus-base-");
        Files.writeString(baseContext.resolve("Dockerfile"), "FROM " + KilnStack.baseImage + "\nLABEL dev.kiln.corpus-run=" + RUN + "\n");
        Exec built = docker(null, "build", "-q", "-t", base + ":" + RUN, baseContext.toString());
        assertEquals(0, built.exit, "the corpus base image: " + built);
        // by id: container-build pulls it by digest, a second name for the same image
        corpusBaseId = docker(null, "image", "inspect", "--format", "{{.Id}}", base + ":" + RUN).out.strip();
        // only an admin may push to production
        Exec login = docker(null, "login", "-u", "admin", "-p", KilnStack.ADMIN_TOKEN, production.hostPort());
        assertEquals(0, login.exit, "docker login to production: " + login);
        Exec pushed = docker(null, "push", "-q", base + ":" + RUN);
        assertEquals(0, pushed.exit, "the corpus base image: " + pushed);
        corpusBase = base + ":" + RUN;
        corpusBaseDigest = registry(production).getManifest("base/corpus", RUN).orElseThrow().digest();
        for (Case c : cases.values()) {
            outcomes.put(c.name, new Outcome());
        }
        // Submit every Kiln build whose parent is not in the corpus at once; container-build runs
        // KilnStack.BUILD_CONCURRENCY of them together. Once they are built, the docker builds run on the same daemon
        // while Kiln pushes, tests, signs and promotes; the ONBUILD child goes to Kiln once its parent is promoted.
        kilnStarted = Instant.now();
        ExecutorService submitters = Executors.newFixedThreadPool(2);
        List<Future<?>> submitted = new ArrayList<>();
        for (Case c : cases.values()) {
            if (c.parent == null) {
                Outcome o = outcomes.get(c.name);
                o.kilnContext = prepare(c, "kiln", null);
                submitted.add(submitters.submit(() -> submit(c, o)));
            }
        }
        try {
            for (Future<?> f : submitted) {
                f.get();
            }
            awaitKiln(Set.of("SUBMITTED", "BUILDING"));
            for (Case c : cases.values()) {
                dockerBuild(c);
            }
            dockerDone = Instant.now();
            awaitKiln(Set.of());
        } finally {
            submitters.shutdownNow();
        }
        kilnDone = Instant.now();
        System.out.printf("corpus: %d cases; Kiln from the first submission to the last promotion %ds, docker builds"
                + " done %ds after the first submission%n", cases.size(), Duration.between(kilnStarted, kilnDone).toSeconds(),
                Duration.between(kilnStarted, dockerDone).toSeconds());
    }

    /** Removes what this test made on the shared daemon, children before parents. */
    @AfterAll
    static void removeImages() {
        List<String> images = new ArrayList<>(createdImages);
        java.util.Collections.reverse(images);
        for (String image : images) {
            docker(null, "rmi", "-f", image);
        }
        if (corpusBaseId != null) {
            // The legacy builder keeps the images of stages other than the last (both sides): every image built on
            // this run's base image was made by this test, through Kiln or docker. Children first, then the base.
            Map<String, List<String>> children = new TreeMap<>();
            String all = docker(null, "images", "-a", "-q", "--no-trunc").out;
            List<String> ids = all.lines().map(String::strip).filter(l -> !l.isEmpty()).distinct().toList();
            if (!ids.isEmpty()) {
                List<String> args = new ArrayList<>(List.of("image", "inspect", "--format", "{{.Id}} {{.Parent}}"));
                args.addAll(ids);
                for (String line : docker(null, args.toArray(String[]::new)).out.lines().toList()) {
                    String[] w = line.strip().split(" ");
                    if (w.length == 2) {
                        children.computeIfAbsent(w[1], k -> new ArrayList<>()).add(w[0]);
                    }
                }
            }
            removeTree(corpusBaseId, children);
        }
    }

    static void removeTree(String id, Map<String, List<String>> children) {
        for (String child : children.getOrDefault(id, List.of())) {
            removeTree(child, children);
        }
        docker(null, "rmi", "-f", id);
    }

    @TestFactory
    Stream<DynamicTest> kilnBuildsWhatDockerBuilds() {
        assertTrue(cases.size() >= 20, "the corpus has " + cases.size() + " cases");
        return cases.values().stream().map(c -> DynamicTest.dynamicTest(c.name, () -> compare(c)));
    }

    // --- the builds -----------------------------------------------------------------------------------------------

    static void loadCases() throws IOException, URISyntaxException {
        Path corpus = Path.of(DifferentialCorpusTest.class.getResource("/corpus").toURI());
        try (Stream<Path> dirs = Files.list(corpus)) {
            for (Path dir : dirs.sorted().toList()) {
                List<String> manifest = Files.readAllLines(dir.resolve("case.txt")).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
                String dockerfile = "Dockerfile";
                String parent = null;
                for (String line : manifest) {
                    String[] w = line.split("\\s+");
                    if (w[0].equals("dockerfile")) {
                        dockerfile = w[1];
                    } else if (w[0].equals("parent")) {
                        parent = w[1];
                    }
                }
                String name = dir.getFileName().toString();
                cases.put(name, new Case(name, dir.resolve("context"), dockerfile, parent, manifest));
            }
        }
        // A parent is built before its children: move children to the end.
        List<Case> children = cases.values().stream().filter(c -> c.parent != null).toList();
        children.forEach(c -> cases.put(c.name, cases.remove(c.name)));
    }

    /** A temporary copy of the case's context with {@code case.txt} applied and {@code @BASE@}/{@code @PARENT@} set. */
    static Path prepare(Case c, String side, String parentImage) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(work, c.name + "-" + side + "-");
        try (Stream<Path> files = Files.walk(c.source)) {
            for (Path p : files.toList()) {
                Path to = dir.resolve(c.source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        Path dockerfile = dir.resolve(c.dockerfile);
        String text = Files.readString(dockerfile).replace("@BASE@", corpusBase);
        if (parentImage != null) {
            text = text.replace("@PARENT@", parentImage);
        }
        Files.writeString(dockerfile, text);
        for (String line : c.manifest) {
            String[] w = line.split("\\s+");
            switch (w[0]) {
                case "dockerfile", "parent" -> {
                }
                case "mode" -> {
                } // after everything else below, so a directory's mode does not stop the writes
                case "symlink" -> Files.createSymbolicLink(dir.resolve(w[1]), Path.of(w[2]));
                case "hardlink" -> Files.createLink(dir.resolve(w[1]), dir.resolve(w[2]));
                case "dir" -> Files.createDirectories(dir.resolve(w[1]));
                case "random" -> {
                    byte[] data = new byte[Integer.parseInt(w[1])];
                    new Random(w[2].hashCode()).nextBytes(data);
                    Files.write(dir.resolve(w[2]), data);
                }
                case "tar" -> Files.write(dir.resolve(w[1]), layerTar());
                case "targz" -> {
                    ByteArrayOutputStream gz = new ByteArrayOutputStream();
                    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                        out.write(layerTar());
                    }
                    Files.write(dir.resolve(w[1]), gz.toByteArray());
                }
                default -> throw new IllegalArgumentException(c.name + "/case.txt: unknown line " + line);
            }
        }
        for (String line : c.manifest) {
            String[] w = line.split("\\s+");
            if (w[0].equals("mode")) {
                exec(List.of("chmod", w[1], dir.resolve(w[2]).toString()), null);
            }
        }
        // Files first, then directories (deepest first), so setting a time does not change the parent's.
        List<Path> all;
        try (Stream<Path> files = Files.walk(dir)) {
            all = new ArrayList<>(files.toList());
        }
        all.sort((a, b) -> Integer.compare(b.getNameCount(), a.getNameCount()));
        for (Path p : all) {
            exec(List.of("touch", "-h", "-d", "@" + CONTEXT_MTIME, p.toString()), null);
        }
        return dir;
    }

    /** The archive {@code ADD} unpacks: modes 0600/0700/4755, owners other than root, links, a long name, fixed times. */
    static byte[] layerTar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tarEntry(tar, "bin/", TarArchiveEntry.LF_DIR, 0755, 0, 0, null, null);
            tarEntry(tar, "bin/tool", TarArchiveEntry.LF_NORMAL, 04755, 0, 0, null, "#!/bin/sh\necho tool\n");
            tarEntry(tar, "home/", TarArchiveEntry.LF_DIR, 0755, 0, 0, null, null);
            tarEntry(tar, "home/user/", TarArchiveEntry.LF_DIR, 0700, 1000, 1000, null, null);
            tarEntry(tar, "home/user/secret", TarArchiveEntry.LF_NORMAL, 0600, 1000, 1000, null, "only mine\n");
            tarEntry(tar, "share/", TarArchiveEntry.LF_DIR, 02775, 0, 50, null, null);
            tarEntry(tar, "share/doc.txt", TarArchiveEntry.LF_NORMAL, 0644, 33, 33, null, "documentation\n");
            tarEntry(tar, "share/tool-link", TarArchiveEntry.LF_SYMLINK, 0777, 0, 0, "../bin/tool", null);
            tarEntry(tar, "share/tool-hard", TarArchiveEntry.LF_LINK, 04755, 0, 0, "bin/tool", null);
            tarEntry(tar, "share/" + "a-name-longer-than-the-hundred-characters-of-a-ustar-header-".repeat(2) + ".txt",
                    TarArchiveEntry.LF_NORMAL, 0640, 0, 0, null, "long name\n");
        }
        return bytes.toByteArray();
    }

    static void tarEntry(TarArchiveOutputStream tar, String name, byte type, int mode, int uid, int gid, String link,
            String content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setMode(mode);
        e.setIds(uid, gid);
        e.setModTime(TAR_MTIME * 1000);
        if (link != null) {
            e.setLinkName(link);
        }
        byte[] data = content == null ? new byte[0] : content.getBytes(StandardCharsets.UTF_8);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    static void submit(Case c, Outcome o) {
        try {
            CliResult r = cli("container-build", "--no-wait", "--dockerfile", c.dockerfile, o.kilnContext.toString());
            if (r.exit() != 0) {
                o.kilnError = "kiln container-build --no-wait failed: " + r;
                return;
            }
            o.buildId = r.buildId();
        } catch (Exception e) {
            o.kilnError = "kiln container-build --no-wait failed: " + e;
        }
    }

    /**
     * Polls the hub until no Kiln build is in a state of {@code waitWhile} (empty: until every build has ended, a
     * child submitted once its parent is in production).
     */
    static void awaitKiln(Set<String> waitWhile) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(20));
        while (true) {
            boolean pending = false;
            for (Case c : cases.values()) {
                Outcome o = outcomes.get(c.name);
                if (o.kilnError != null || (o.build != null && TERMINAL.contains(o.build.path("state").asText()))) {
                    continue;
                }
                if (o.buildId == null) {
                    if (!waitWhile.isEmpty()) {
                        continue;
                    }
                    Outcome parent = outcomes.get(c.parent);
                    if (parent.kilnError != null || (parent.build != null && !parent.build.path("state").asText().equals("COMPLETE")
                            && TERMINAL.contains(parent.build.path("state").asText()))) {
                        o.kilnError = "not built: its parent " + c.parent + " did not reach production";
                        continue;
                    }
                    if (parent.build != null && parent.build.path("state").asText().equals("COMPLETE")) {
                        o.kilnContext = prepare(c, "kiln", promotedReference(parent.build));
                        submit(c, o);
                    }
                    pending = true;
                    continue;
                }
                o.build = build(o.buildId);
                String state = o.build.path("state").asText();
                pending |= waitWhile.isEmpty() ? !TERMINAL.contains(state) : waitWhile.contains(state);
            }
            if (!pending) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Kiln builds still running after 20 minutes\n" + logs());
            }
            Thread.sleep(2000);
        }
    }

    static String promotedReference(JsonNode build) {
        return production.hostPort() + "/" + build.path("promoted").path("repository").asText() + "@"
                + build.path("promoted").path("digest").asText();
    }

    /** {@code DOCKER_BUILDKIT=0 docker build} of the case's own prepared copy; children FROM the docker-built parent. */
    static void dockerBuild(Case c) throws Exception {
        Outcome o = outcomes.get(c.name);
        String parentImage = null;
        if (c.parent != null) {
            if (outcomes.get(c.parent).dockerError != null) {
                o.dockerError = "not built: docker could not build its parent " + c.parent;
                return;
            }
            parentImage = cases.get(c.parent).dockerTag();
        }
        o.dockerContext = prepare(c, "docker", parentImage);
        Exec r = docker(null, "build", "--no-cache", "--force-rm", "-q", "-t", c.dockerTag(), "-f", o.dockerContext.resolve(c.dockerfile).toString(),
                o.dockerContext.toString());
        if (r.exit != 0) {
            o.dockerError = "docker build failed: " + r;
        } else {
            createdImages.add(c.dockerTag());
        }
    }

    // --- the comparison -------------------------------------------------------------------------------------------

    static void compare(Case c) throws Exception {
        Outcome o = outcomes.get(c.name);
        if (o.dockerError != null) {
            fail(c.name + ": " + o.dockerError);
        }
        if (o.kilnError != null) {
            fail(c.name + ": " + o.kilnError + "\n" + logs());
        }
        JsonNode build = o.build;
        assertEquals("COMPLETE", build.path("state").asText(), c.name + ": the Kiln build did not reach production: "
                + build.toPrettyString());
        String reference = promotedReference(build);
        String repository = c.repository();
        assertEquals(repository, build.path("promoted").path("repository").asText());

        // What ships: the config the production registry serves for the promoted digest.
        RegistryClient.Manifest manifest = registry(production).getManifest(repository, build.path("promoted").path("digest").asText())
                .orElseThrow(() -> new AssertionError("no " + reference + " in production"));
        String configDigest = JSON.readTree(manifest.bytes()).path("config").path("digest").asText();
        JsonNode kiln = JSON.readTree(registry(production).getBlob(repository, configDigest));
        JsonNode dockerBuilt = savedConfig(c.dockerTag());

        List<String> differences = new ArrayList<>();
        compareConfig(c, build, kiln, dockerBuilt, differences);

        // The files: both images' flattened filesystems, from containers created and never started.
        Exec pull = docker(null, "pull", "-q", reference);
        assertEquals(0, pull.exit, "docker pull " + reference + ": " + pull);
        // by id: the same image is also known under the reference container-build pulled it by (a child's parent)
        createdImages.add(configDigest);
        assertEquals(configDigest, docker(null, "image", "inspect", "--format", "{{.Id}}", reference).out.strip(),
                "the pulled image is not the config production serves");
        Map<String, FileEntry> kilnFiles = files(reference);
        Map<String, FileEntry> dockerFiles = files(c.dockerTag());
        compareFiles(kilnFiles, dockerFiles, differences);

        if (c.name.equals("onbuild-child")) {
            // The parent's triggers ran in both builds: the child's context was copied, the trigger's RUN, ENV and
            // LABEL took effect.
            for (Map.Entry<String, Map<String, FileEntry>> side : Map.of("Kiln", kilnFiles, "docker", dockerFiles).entrySet()) {
                for (String path : List.of("app/.onbuild", "app/child.txt", "app/sub/deeper.txt", "app/listing", "app/seen")) {
                    if (!side.getValue().containsKey(path)) {
                        differences.add(side.getKey() + "'s child has no /" + path + ": the ONBUILD triggers did not run");
                    }
                }
            }
            for (JsonNode image : List.of(kiln, dockerBuilt)) {
                assertTrue(image.path("config").path("Env").toString().contains("ONBUILT=yes"), image.toPrettyString());
                assertEquals("yes", image.path("config").path("Labels").path("from-trigger").asText(), image.toPrettyString());
                assertTrue(image.path("config").path("OnBuild").isNull() || image.path("config").path("OnBuild").isEmpty(),
                        "a child does not inherit the triggers: " + image.path("config").path("OnBuild"));
            }
        }
        if (c.name.equals("onbuild-parent")) {
            assertEquals(4, kiln.path("config").path("OnBuild").size(), kiln.toPrettyString());
        }
        if (!differences.isEmpty()) {
            fail(c.name + ": the image Kiln shipped (" + reference + ") differs from docker build's (" + c.dockerTag()
                    + "):\n  " + String.join("\n  ", differences));
        }
    }

    static void compareConfig(Case c, JsonNode build, JsonNode kiln, JsonNode dockerBuilt, List<String> differences) {
        // Top level. Excluded by rule: "created" (the build's clock), "container" and "container_config" (the id of
        // the legacy builder's last build container and its run config, whose Cmd is the last instruction: for Kiln
        // its own LABEL line, see the history rule below), "config" and "history" and "rootfs" (compared below).
        Set<String> excluded = Set.of("created", "container", "container_config", "config", "history", "rootfs");
        for (String key : union(kiln, dockerBuilt)) {
            if (!excluded.contains(key) && !Objects.equals(kiln.get(key), dockerBuilt.get(key))) {
                differences.add("config " + key + ": Kiln " + kiln.get(key) + ", docker " + dockerBuilt.get(key));
            }
        }
        // config: every field equal (Env in order, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes, OnBuild,
        // StopSignal, Shell, Healthcheck, ArgsEscaped, ...), except Labels, compared next.
        // Excluded by rule: config.Image, the id of the builder's intermediate image the last instruction ran on (an
        // id over that image's config, so over its "created" time: two docker builds differ there too).
        JsonNode kc = kiln.path("config");
        JsonNode dc = dockerBuilt.path("config");
        for (String key : union(kc, dc)) {
            if (!key.equals("Labels") && !key.equals("Image") && !Objects.equals(kc.get(key), dc.get(key))) {
                differences.add("config.config." + key + ": Kiln " + kc.get(key) + ", docker " + dc.get(key));
            }
        }
        // Labels: docker's, plus Kiln's own with the values they must have (they override the Dockerfile's).
        Map<String, String> expected = expectedKilnLabels(c, build, kc.path("Labels"));
        Map<String, String> kl = strings(kc.path("Labels"));
        Map<String, String> dl = strings(dc.path("Labels"));
        for (String key : union(kc.path("Labels"), dc.path("Labels"))) {
            String want = expected.containsKey(key) ? expected.get(key) : dl.get(key);
            if (!Objects.equals(want, kl.get(key))) {
                differences.add("label " + key + ": Kiln " + kl.get(key) + ", expected " + want
                        + (expected.containsKey(key) ? " (Kiln's own)" : " (docker's)"));
            }
        }
        for (String key : expected.keySet()) {
            if (!kl.containsKey(key)) {
                differences.add("label " + key + " missing in Kiln's image (expected " + expected.get(key) + ")");
            }
        }
        // History: Kiln passes its labels to the legacy builder, which appends them to the final stage as one LABEL
        // instruction per label, in key order. So each Kiln build in an image's ancestry adds one run of empty-layer
        // entries "LABEL <key>=<value>" of Kiln's keys (the ONBUILD child: its parent's run, then its own at the end);
        // without those, the history is docker's, entry by entry (created_by, empty_layer, author, comment).
        // "created" is the build's clock.
        List<JsonNode> kh = new ArrayList<>();
        kiln.path("history").forEach(kh::add);
        List<String> kilnBuilds = new ArrayList<>();
        if (c.parent != null) {
            kilnBuilds.add(outcomes.get(c.parent).build.path("id").asText());
        }
        kilnBuilds.add(build.path("id").asText());
        List<List<Integer>> runs = new ArrayList<>();
        for (int i = 0; i < kh.size(); i++) {
            if (kilnLabelKey(kh.get(i)) != null) {
                if (i == 0 || kilnLabelKey(kh.get(i - 1)) == null) {
                    runs.add(new ArrayList<>());
                }
                runs.get(runs.size() - 1).add(i);
            }
        }
        Set<Integer> injected = new java.util.HashSet<>();
        runs.forEach(injected::addAll);
        if (runs.size() != kilnBuilds.size()) {
            differences.add("history: " + runs.size() + " runs of Kiln's LABEL lines, expected " + kilnBuilds.size()
                    + " (one per Kiln build in the ancestry)");
        } else {
            for (int n = 0; n < runs.size(); n++) {
                List<String> lines = runs.get(n).stream().map(i -> instruction(kh.get(i))).toList();
                List<String> keys = runs.get(n).stream().map(i -> kilnLabelKey(kh.get(i))).toList();
                if (!keys.equals(keys.stream().sorted().toList())
                        || !lines.contains("LABEL dev.kiln.build-id=" + kilnBuilds.get(n))) {
                    differences.add("history: Kiln's LABEL lines for build " + kilnBuilds.get(n) + " are not in key order"
                            + " or do not name the build: " + lines);
                }
            }
            List<Integer> last = runs.get(runs.size() - 1);
            if (last.get(last.size() - 1) != kh.size() - 1) {
                differences.add("history: the last entry is not one of Kiln's LABEL lines: " + kh.get(kh.size() - 1));
            }
            List<String> wanted = new ArrayList<>();
            expected.forEach((k, v) -> wanted.add("LABEL " + k + "=" + v));
            List<String> lines = last.stream().map(i -> instruction(kh.get(i))).toList();
            if (!lines.equals(wanted)) {
                differences.add("history: Kiln's LABEL lines at the end are\n    " + lines + "\n  expected\n    " + wanted);
            }
            for (int i : injected) {
                if (!kh.get(i).path("empty_layer").asBoolean()) {
                    differences.add("history: Kiln's LABEL line " + i + " made a layer: " + kh.get(i));
                }
            }
        }
        List<JsonNode> kept = new ArrayList<>();
        for (int i = 0; i < kh.size(); i++) {
            if (!injected.contains(i)) {
                kept.add(historyEntry(kh.get(i)));
            }
        }
        List<JsonNode> dh = new ArrayList<>();
        dockerBuilt.path("history").forEach(h -> dh.add(historyEntry(h)));
        if (!kept.equals(dh)) {
            differences.add("history without Kiln's LABEL lines:\n    Kiln   " + kept + "\n    docker " + dh);
        }
        int kLayers = kiln.path("rootfs").path("diff_ids").size();
        int dLayers = dockerBuilt.path("rootfs").path("diff_ids").size();
        if (kLayers != dLayers) {
            differences.add("layers: Kiln " + kLayers + ", docker " + dLayers);
        }
    }

    /** What follows "#(nop)  " in a history entry (the shell before it is the stage's SHELL). */
    static String instruction(JsonNode h) {
        String createdBy = h.path("created_by").asText();
        int at = createdBy.indexOf("#(nop)  ");
        return at < 0 ? createdBy : createdBy.substring(at + "#(nop)  ".length());
    }

    /** The key of a history entry that is one of Kiln's LABEL lines, else null. */
    static String kilnLabelKey(JsonNode h) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(".* #\\(nop\\)  LABEL ([^=]+)=.*")
                .matcher(h.path("created_by").asText());
        if (!m.matches()) {
            return null;
        }
        return INJECTED.contains(m.group(1)) || INJECTED_PARENT.contains(m.group(1)) ? m.group(1) : null;
    }

    static JsonNode historyEntry(JsonNode h) {
        var n = JsonNodeFactory.instance.objectNode();
        for (String key : union(h, JsonNodeFactory.instance.objectNode())) {
            if (!key.equals("created")) {
                n.set(key, h.get(key));
            }
        }
        if (clientPacksTypeBits && n.has("created_by")) {
            // named rule: an older docker client's context has other tar modes (see clientPacksTypeBits); the files
            // themselves are compared below, mode by mode
            n.put("created_by", n.get("created_by").asText().replaceAll("\\b(file|dir):[0-9a-f]{64}\\b",
                    "$1:<hash of the context's tar entries>"));
        }
        return n;
    }

    /** The labels Kiln's image must carry whatever the Dockerfile says, with their values. */
    static Map<String, String> expectedKilnLabels(Case c, JsonNode build, JsonNode labels) {
        Map<String, String> expected = new TreeMap<>();
        String date = labels.path("build-date").asText();
        try {
            Instant at = Instant.parse(date);
            assertTrue(!at.isBefore(t0.minusSeconds(1)) && !at.isAfter(Instant.now()), "build-date " + date + " is not of this run");
        } catch (java.time.format.DateTimeParseException e) {
            fail(c.name + ": build-date is not an instant: " + date);
        }
        expected.put("build-date", date);
        expected.put("org.opencontainers.image.created", date);
        expected.put("dev.kiln.build-id", build.path("id").asText());
        String contextDigest = build.path("source").path("contextDigest").asText();
        assertTrue(contextDigest.startsWith("sha256:"), build.toPrettyString());
        expected.put("dev.kiln.context-digest", contextDigest);
        expected.put("org.opencontainers.image.source", "http://localhost:" + hubPort + "/api/v1/contexts/" + contextDigest);
        expected.put("org.opencontainers.image.title", c.repository());
        expected.put("org.opencontainers.image.version", "1.0-1");
        expected.put("release", "1");
        String parent = expectedParent(c);
        if (parent.equals("scratch")) {
            // FROM scratch: Kiln names "scratch" as the parent, with no digest.
            assertEquals(parent, build.path("parentImage").asText(), c.name + ": the parent Kiln recorded");
            assertTrue(build.path("parentDigest").isMissingNode() || build.path("parentDigest").isNull(), build.toPrettyString());
            expected.put("dev.kiln.parent-image", parent);
            expected.put("org.opencontainers.image.base.name", parent);
        } else {
            String digest = parent.contains("@") ? parent.substring(parent.indexOf('@') + 1) : corpusBaseDigest;
            assertEquals(parent, build.path("parentImage").asText(), c.name + ": the parent Kiln recorded");
            assertEquals(digest, build.path("parentDigest").asText(), c.name + ": the parent digest Kiln recorded");
            expected.put("dev.kiln.parent-image", parent);
            expected.put("org.opencontainers.image.base.name", parent);
            expected.put("dev.kiln.parent-digest", digest);
            expected.put("org.opencontainers.image.base.digest", digest);
        }
        assertTrue(expected.keySet().containsAll(INJECTED) && union(INJECTED, INJECTED_PARENT).containsAll(expected.keySet()),
                expected.toString());
        return expected;
    }

    /** The image the final stage is built FROM, as Kiln must record it. */
    static String expectedParent(Case c) {
        if (c.name.equals("copy-from-image")) {
            return "scratch";
        }
        if (c.parent != null) {
            return promotedReference(outcomes.get(c.parent).build);
        }
        return corpusBase;
    }

    static void compareFiles(Map<String, FileEntry> kiln, Map<String, FileEntry> dockerBuilt, List<String> differences) {
        Set<String> paths = new java.util.TreeSet<>(kiln.keySet());
        paths.addAll(dockerBuilt.keySet());
        long clock = t0.getEpochSecond();
        for (String path : paths) {
            FileEntry k = kiln.get(path);
            FileEntry d = dockerBuilt.get(path);
            if (k == null || d == null) {
                differences.add("/" + path + " only in " + (k == null ? "docker's image: " + d : "Kiln's image: " + k));
                continue;
            }
            // mtime rule: an entry whose mtime is the build's clock on both sides (RUN-made files, directories COPY
            // or a RUN created or changed, the container's /etc/hostname) is compared without its mtime; a file
            // from the context (CONTEXT_MTIME), the ADD'ed tar (TAR_MTIME) or the base image keeps its time.
            boolean buildClock = k.mtime >= clock && d.mtime >= clock;
            FileEntry kc = buildClock ? k.withoutMtime() : k;
            FileEntry dc = buildClock ? d.withoutMtime() : d;
            if (!kc.equals(dc)) {
                differences.add("/" + path + ": Kiln " + k + ", docker " + d);
            }
        }
    }

    /** One entry of a flattened filesystem. */
    record FileEntry(char type, String mode, long uid, long gid, long size, String link, String sha256, long mtime) {
        FileEntry withoutMtime() {
            return new FileEntry(type, mode, uid, gid, size, link, sha256, -1);
        }

        @Override
        public String toString() {
            return type + " " + mode + " " + uid + ":" + gid + " " + size + (link == null ? "" : " -> " + link)
                    + (sha256 == null ? "" : " sha256:" + sha256.substring(0, 12)) + (mtime < 0 ? "" : " @" + Instant.ofEpochSecond(mtime));
        }
    }

    /** {@code docker export} of a container created (never started) from {@code image}, entry by entry. */
    static Map<String, FileEntry> files(String image) throws Exception {
        Exec created = docker(null, "create", image, "/kiln-never-started");
        assertEquals(0, created.exit, "docker create " + image + ": " + created);
        String id = created.out.strip();
        try {
            Map<String, FileEntry> entries = new TreeMap<>();
            Exec exported = docker(in -> {
                try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                    TarArchiveEntry e;
                    while ((e = tar.getNextEntry()) != null) {
                        String path = e.getName().replaceAll("^\\./", "").replaceAll("/$", "");
                        if (path.isEmpty()) {
                            continue;
                        }
                        char type = e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : e.isLink() ? 'h'
                                : e.isCharacterDevice() ? 'c' : e.isBlockDevice() ? 'b' : e.isFIFO() ? 'p' : 'f';
                        String sha = null;
                        if (type == 'f') {
                            MessageDigest md = MessageDigest.getInstance("SHA-256");
                            byte[] buf = new byte[65536];
                            int n;
                            while ((n = tar.read(buf)) > 0) {
                                md.update(buf, 0, n);
                            }
                            sha = HexFormat.of().formatHex(md.digest());
                        }
                        entries.put(path, new FileEntry(type, String.format("%04o", e.getMode() & 07777), e.getLongUserId(),
                                e.getLongGroupId(), e.getSize(), type == 'l' || type == 'h' ? e.getLinkName() : null, sha,
                                e.getLastModifiedDate().toInstant().getEpochSecond()));
                    }
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }, "export", id);
            assertEquals(0, exported.exit, "docker export " + image + ": " + exported);
            return entries;
        } finally {
            docker(null, "rm", "-f", id);
        }
    }

    /** The config JSON of a local image, from {@code docker save}. */
    static JsonNode savedConfig(String image) throws Exception {
        Map<String, byte[]> small = new TreeMap<>();
        Exec saved = docker(in -> {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    if (e.isFile() && e.getSize() < (1 << 20)) {
                        small.put(e.getName(), tar.readAllBytes());
                    }
                }
            }
        }, "save", image);
        assertEquals(0, saved.exit, "docker save " + image + ": " + saved);
        JsonNode manifest = JSON.readTree(small.get("manifest.json"));
        return JSON.readTree(small.get(manifest.path(0).path("Config").asText()));
    }

    // --- small things ---------------------------------------------------------------------------------------------

    static Set<String> union(JsonNode a, JsonNode b) {
        Set<String> keys = new LinkedHashSet<>();
        a.fieldNames().forEachRemaining(keys::add);
        b.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new java.util.TreeSet<>(a);
        s.addAll(b);
        return s;
    }

    static Map<String, String> strings(JsonNode object) {
        Map<String, String> m = new TreeMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    interface StdoutReader {
        void read(InputStream in) throws Exception;
    }

    record Exec(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n" + out + err;
        }
    }

    /** The docker CLI on the test daemon, legacy builder; stdout to {@code reader} when given. */
    static Exec docker(StdoutReader reader, String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Map<String, String> env = new TreeMap<>();
        env.put("DOCKER_HOST", TestDocker.host());
        env.put("DOCKER_BUILDKIT", "0");
        TestDocker.certPath().ifPresent(p -> {
            env.put("DOCKER_TLS_VERIFY", "1");
            env.put("DOCKER_CERT_PATH", p);
        });
        env.put("DOCKER_CONFIG", work.resolve("docker-config").toString());
        try {
            return exec(cmd, env, reader);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + e, e);
        }
    }

    static Exec exec(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        Exec r = exec(cmd, env, null);
        if (r.exit != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + r);
        }
        return r;
    }

    static Exec exec(List<String> cmd, Map<String, String> env, StdoutReader reader) throws IOException, InterruptedException {
        Path err = Files.createTempFile(work, "exec", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        if (env != null) {
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        String out = "";
        try (InputStream in = p.getInputStream()) {
            if (reader != null) {
                try {
                    // the reader may close what it wraps around the stream; the rest is drained below
                    reader.read(new java.io.FilterInputStream(in) {
                        @Override
                        public void close() {
                        }
                    });
                } catch (Exception e) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", cmd) + ": reading its output: " + e, e);
                }
                in.transferTo(OutputStream.nullOutputStream());
            } else {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not end in 5 minutes");
        }
        String errText = Files.readString(err);
        Files.deleteIfExists(err);
        return new Exec(p.exitValue(), out, errText);
    }
}
