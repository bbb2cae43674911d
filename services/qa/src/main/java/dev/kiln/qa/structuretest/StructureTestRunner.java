package dev.kiln.qa.structuretest;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.ExposedPort;
import dev.kiln.qa.client.DockerRunner;
import dev.kiln.qa.domain.CaseResult;
import dev.kiln.qa.domain.CheckFailure;
import dev.kiln.qa.domain.CommandRun;
import dev.kiln.qa.domain.FileEntry;
import dev.kiln.qa.domain.RunLimits;
import dev.kiln.qa.structuretest.StructureTest.CommandTest;
import dev.kiln.qa.structuretest.StructureTest.FileContentTest;
import dev.kiln.qa.structuretest.StructureTest.FileExistenceTest;
import dev.kiln.qa.structuretest.StructureTest.LicenseTest;
import dev.kiln.qa.structuretest.StructureTest.MetadataTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Executes container-structure-test tests against an image (in the daemon already) with docker-java: each command in
 * a fresh isolated container, files read through the archive API of a fresh never-started container, metadata from the
 * image config. Returns PASSED or FAILED with a summary saying what differs; daemon trouble surfaces as
 * {@link CheckFailure}.
 *
 * <p>Longer than the house's 300 lines: one small runner per container-structure-test type (command, file existence,
 * file content, metadata, license) sharing the container set-up and the wording of differences.
 */
public final class StructureTestRunner {
    static final long MAX_CONTENT_BYTES = 16L << 20;
    private static final int EXCERPT = 300;
    private static final Pattern VAR = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*))");

    private final DockerRunner docker;
    private final RunLimits limits;

    public StructureTestRunner(DockerRunner docker, RunLimits limits) {
        this.docker = docker;
        this.limits = limits;
    }

    public CaseResult run(String image, PlannedTest planned) {
        StructureTest test = planned.test();
        if (test instanceof CommandTest c) {
            return command(image, c, planned.globalEnvVars(), planned.runOptions());
        }
        if (test instanceof FileExistenceTest f) {
            return existence(image, f);
        }
        if (test instanceof FileContentTest f) {
            return content(image, f);
        }
        if (test instanceof MetadataTest m) {
            return metadata(docker.inspect(image), m);
        }
        return license(image, (LicenseTest) test);
    }

    // ---- commandTests ----

    private CaseResult command(String image, CommandTest test, List<EnvVar> global, RunOptions options) {
        List<String> env = environment(docker.inspect(image).getConfig(), options.env(), global, test.envVars());
        List<String> cleanUp = new ArrayList<>();
        try {
            String current = image;
            for (List<String> setup : test.setup()) {
                CommandRun run = docker.exec(current, setup, env, options.user(), options.tty(), limits, true);
                if (run.committedImage() != null) {
                    cleanUp.add(run.committedImage());
                }
                if (run.timedOut() || run.exitCode() == null || run.exitCode() != 0) {
                    return CaseResult.failed("setup command " + setup + " " + ended(run) + output(run));
                }
                current = run.committedImage();
            }
            // as container-structure-test: $VAR / ${VAR} in command and args come from the image's config, which there
            // includes globalEnvVars (committed into the image first) but not the test's own envVars; unset is ""
            Map<String, String> config = configEnv(docker.inspect(image).getConfig(), global);
            List<String> command = new ArrayList<>();
            command.add(expand(test.command(), config));
            for (String arg : test.args()) {
                command.add(expand(arg, config));
            }
            CommandRun run = docker.exec(current, command, env, options.user(), options.tty(), limits,
                    !test.teardown().isEmpty());
            if (run.committedImage() != null) {
                cleanUp.add(run.committedImage());
            }
            List<String> problems = new ArrayList<>();
            if (run.timedOut()) {
                return CaseResult.failed(command + " did not exit within " + limits.timeout().toSeconds() + "s" + output(run));
            }
            if (run.exitCode() == null || run.exitCode() != test.exitCode()) {
                problems.add("exit code " + run.exitCode() + ", expected " + test.exitCode());
            }
            matchAll(problems, "stdout", run.stdout(), test.expectedOutput(), test.excludedOutput());
            matchAll(problems, "stderr", run.stderr(), test.expectedError(), test.excludedError());
            for (List<String> teardown : test.teardown()) {
                CommandRun t = docker.exec(run.committedImage(), teardown, env, options.user(), options.tty(), limits,
                        false);
                if (t.timedOut() || t.exitCode() == null || t.exitCode() != 0) {
                    problems.add("teardown command " + teardown + " " + ended(t));
                }
            }
            if (!problems.isEmpty()) {
                return CaseResult.failed(String.join("; ", problems) + output(run));
            }
            int checks = test.expectedOutput().size() + test.excludedOutput().size() + test.expectedError().size()
                    + test.excludedError().size();
            return CaseResult.passed("exit code " + test.exitCode() + (checks == 0 ? "" : ", " + checks + " output checks passed"));
        } finally {
            for (int i = cleanUp.size() - 1; i >= 0; i--) {
                docker.removeImage(cleanUp.get(i));
            }
        }
    }

    /** The image's environment, then the file's and the test's variables, {@code $VAR} expanded in order. */
    static List<String> environment(ContainerConfig config, List<EnvVar> global, List<EnvVar> own) {
        return environment(config, List.of(), global, own);
    }

    /**
     * The variables a command test's container gets beside the image's own: those of {@code containerRunOptions}
     * ({@code envFile}, then {@code envVars}), as written, then {@code globalEnvVars} and the test's {@code envVars},
     * each expanded against what is set so far. Where container-structure-test, once {@code containerRunOptions} is
     * set, gives the container the run options' variables only (dropping the test's own), Kiln keeps them.
     */
    static List<String> environment(ContainerConfig config, List<EnvVar> envFile, List<EnvVar> global,
            List<EnvVar> own) {
        Map<String, String> env = new LinkedHashMap<>();
        if (config != null && config.getEnv() != null) {
            for (String kv : config.getEnv()) {
                int eq = kv.indexOf('=');
                env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        for (EnvVar v : envFile) {
            env.put(v.key(), v.value());
            overrides.put(v.key(), v.value());
        }
        for (List<EnvVar> vars : List.of(global, own)) {
            for (EnvVar v : vars) {
                String value = expand(v.value(), env);
                env.put(v.key(), value);
                overrides.put(v.key(), value);
            }
        }
        return overrides.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    static Map<String, String> configEnv(ContainerConfig config, List<EnvVar> global) {
        Map<String, String> env = new LinkedHashMap<>();
        if (config != null && config.getEnv() != null) {
            for (String kv : config.getEnv()) {
                int eq = kv.indexOf('=');
                env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
        }
        Map<String, String> image = new LinkedHashMap<>(env);
        for (EnvVar v : global) {
            env.put(v.key(), expand(v.value(), image));
        }
        return env;
    }

    static String expand(String value, Map<String, String> env) {
        Matcher m = VAR.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(name, "")));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void matchAll(List<String> problems, String stream, String text, List<String> expected, List<String> excluded) {
        for (String r : expected) {
            if (!Pattern.compile(r).matcher(text).find()) {
                problems.add(stream + " does not match \"" + r + "\"");
            }
        }
        for (String r : excluded) {
            if (Pattern.compile(r).matcher(text).find()) {
                problems.add(stream + " matches excluded \"" + r + "\"");
            }
        }
    }

    private static String ended(CommandRun run) {
        if (run.timedOut()) {
            return "did not exit in time";
        }
        return "exited " + run.exitCode() + (run.stderr().isBlank() ? "" : " (" + excerpt(run.stderr()) + ")");
    }

    private static String output(CommandRun run) {
        StringBuilder s = new StringBuilder();
        if (!run.stdout().isBlank()) {
            s.append("; stdout: ").append(excerpt(run.stdout()));
        }
        if (!run.stderr().isBlank()) {
            s.append("; stderr: ").append(excerpt(run.stderr()));
        }
        return s.toString();
    }

    private static String excerpt(String text) {
        String t = text.strip();
        return t.length() <= EXCERPT ? t : t.substring(0, EXCERPT) + "…";
    }

    // ---- fileExistenceTests ----

    private CaseResult existence(String image, FileExistenceTest test) {
        Optional<FileEntry> found = docker.stat(image, test.path(), limits);
        if (found.isEmpty()) {
            return test.shouldExist() ? CaseResult.failed(test.path() + " does not exist")
                    : CaseResult.passed(test.path() + " does not exist, as expected");
        }
        if (!test.shouldExist()) {
            return CaseResult.failed(test.path() + " exists but should not");
        }
        FileEntry e = found.get();
        List<String> problems = new ArrayList<>();
        String mode = modeString(e);
        if (test.permissions() != null && !test.permissions().equals(mode)) {
            problems.add("permissions are " + mode + ", expected " + test.permissions());
        }
        if (test.uid() != null && e.uid() != test.uid()) {
            problems.add("owner uid is " + e.uid() + ", expected " + test.uid());
        }
        if (test.gid() != null && e.gid() != test.gid()) {
            problems.add("group gid is " + e.gid() + ", expected " + test.gid());
        }
        if (test.isExecutableBy() != null) {
            int bits = switch (test.isExecutableBy()) {
                case "owner" -> 0100;
                case "group" -> 0010;
                case "other" -> 0001;
                default -> 0111;
            };
            if ((e.mode() & bits) == 0) {
                problems.add("is not executable by " + test.isExecutableBy() + " (" + mode + ")");
            }
        }
        if (!problems.isEmpty()) {
            return CaseResult.failed(test.path() + ": " + String.join("; ", problems));
        }
        return CaseResult.passed(test.path() + " exists (" + mode + ", " + e.uid() + ":" + e.gid() + ")");
    }

    /** The mode as Go's {@code os.FileMode.String()} writes it, as container-structure-test compares it. */
    static String modeString(FileEntry e) {
        int mode = e.mode();
        StringBuilder s = new StringBuilder();
        int type = mode & 0170000;
        if (e.directory() || type == 0040000) {
            s.append('d');
        }
        if (e.symlink() || type == 0120000) {
            s.append('L');
        }
        if (type == 0060000 || type == 0020000) {
            s.append('D');
        }
        if (type == 0010000) {
            s.append('p');
        }
        if (type == 0140000) {
            s.append('S');
        }
        if ((mode & 04000) != 0) {
            s.append('u');
        }
        if ((mode & 02000) != 0) {
            s.append('g');
        }
        if (type == 0020000) {
            s.append('c');
        }
        if ((mode & 01000) != 0) {
            s.append('t');
        }
        if (s.isEmpty()) {
            s.append('-');
        }
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return s.toString();
    }

    // ---- fileContentTests ----

    private CaseResult content(String image, FileContentTest test) {
        Optional<byte[]> bytes = docker.readFile(image, test.path(), MAX_CONTENT_BYTES, limits);
        if (bytes.isEmpty()) {
            return CaseResult.failed(test.path() + " does not exist");
        }
        String text = new String(bytes.get(), StandardCharsets.UTF_8);
        List<String> problems = new ArrayList<>();
        matchAll(problems, test.path(), text, test.expectedContents(), test.excludedContents());
        if (!problems.isEmpty()) {
            return CaseResult.failed(String.join("; ", problems));
        }
        return CaseResult.passed(test.path() + ": " + (test.expectedContents().size() + test.excludedContents().size())
                + " content checks passed");
    }

    // ---- metadataTest ----

    static CaseResult metadata(InspectImageResponse inspect, MetadataTest test) {
        ContainerConfig c = inspect.getConfig();
        Map<String, String> env = new LinkedHashMap<>();
        if (c != null && c.getEnv() != null) {
            for (String kv : c.getEnv()) {
                int eq = kv.indexOf('=');
                env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
        }
        Map<String, String> labels = c == null || c.getLabels() == null ? Map.of() : c.getLabels();
        List<String> problems = new ArrayList<>();
        keyValues(problems, "env var", env, test.envVars());
        for (EnvVar kv : test.unboundEnvVars()) {
            if (env.containsKey(kv.key())) {
                problems.add("env var " + kv.key() + " is set, expected it unset");
            }
        }
        keyValues(problems, "label", labels, test.labels());
        Set<String> ports = new TreeSet<>();
        if (c != null && c.getExposedPorts() != null) {
            for (ExposedPort p : c.getExposedPorts()) {
                ports.add(p.toString());
            }
        }
        for (String p : test.exposedPorts()) {
            if (!portIn(p, ports)) {
                problems.add("port " + p + " is not exposed (exposed: " + ports + ")");
            }
        }
        for (String p : test.unexposedPorts()) {
            if (portIn(p, ports)) {
                problems.add("port " + p + " is exposed");
            }
        }
        Set<String> volumes = c == null || c.getVolumes() == null ? Set.of() : new TreeSet<>(c.getVolumes().keySet());
        for (String v : test.volumes()) {
            if (!volumes.contains(v)) {
                problems.add("volume " + v + " is not declared (volumes: " + volumes + ")");
            }
        }
        for (String v : test.unmountedVolumes()) {
            if (volumes.contains(v)) {
                problems.add("volume " + v + " is declared");
            }
        }
        List<String> entrypoint = c == null || c.getEntrypoint() == null ? List.of() : Arrays.asList(c.getEntrypoint());
        if (test.entrypoint() != null && !test.entrypoint().equals(entrypoint)) {
            problems.add("entrypoint is " + entrypoint + ", expected " + test.entrypoint());
        }
        List<String> cmd = c == null || c.getCmd() == null ? List.of() : Arrays.asList(c.getCmd());
        if (test.cmd() != null && !test.cmd().equals(cmd)) {
            problems.add("cmd is " + cmd + ", expected " + test.cmd());
        }
        String workdir = c == null || c.getWorkingDir() == null ? "" : c.getWorkingDir();
        if (test.workdir() != null && !test.workdir().equals(workdir)) {
            problems.add("workdir is \"" + workdir + "\", expected \"" + test.workdir() + "\"");
        }
        String user = c == null || c.getUser() == null ? "" : c.getUser();
        if (test.user() != null && !test.user().equals(user)) {
            problems.add("user is \"" + user + "\", expected \"" + test.user() + "\"");
        }
        return problems.isEmpty() ? CaseResult.passed("metadata as expected") : CaseResult.failed(String.join("; ", problems));
    }

    private static boolean portIn(String port, Set<String> exposed) {
        return exposed.contains(port) || exposed.contains(port + "/tcp");
    }

    private static void keyValues(List<String> problems, String what, Map<String, String> actual, List<EnvVar> expected) {
        for (EnvVar kv : expected) {
            String value = actual.get(kv.key());
            if (value == null) {
                problems.add(what + " " + kv.key() + " is not set");
            } else if (kv.isRegex() ? !Pattern.compile(kv.value()).matcher(value).find() : !kv.value().equals(value)) {
                problems.add(what + " " + kv.key() + " is \"" + value + "\", expected " + (kv.isRegex() ? "to match " : "")
                        + "\"" + kv.value() + "\"");
            }
        }
    }

    // ---- licenseTests ----

    private CaseResult license(String image, LicenseTest test) {
        List<String> problems = new ArrayList<>();
        int packages = 0;
        if (test.debian()) {
            // one pass over /usr/share/doc: package directories, and the text of each regular copyright file
            Map<String, String> copyrights = new TreeMap<>();
            Optional<Set<String>> doc = docker.readPath(image, "/usr/share/doc", limits, tar -> {
                Set<String> dirs = new TreeSet<>();
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    String[] parts = e.getName().replaceAll("/+$", "").split("/");
                    // parts[0] is "doc", the archived directory itself
                    if (parts.length == 2 && e.isDirectory()) {
                        dirs.add(parts[1]);
                    } else if (parts.length == 3 && parts[2].equals("copyright") && !e.isDirectory()) {
                        copyrights.put(parts[1], e.isFile() ? new String(tar.readNBytes((int) MAX_CONTENT_BYTES),
                                StandardCharsets.UTF_8) : "");
                    }
                }
                return dirs;
            });
            if (doc.isEmpty()) {
                problems.add("/usr/share/doc does not exist");
            } else {
                Set<String> dirs = new TreeSet<>(doc.get());
                dirs.removeAll(LICENSE_ALLOWED_PACKAGES);
                packages = dirs.size();
                Set<String> missing = new TreeSet<>(dirs);
                missing.removeAll(copyrights.keySet());
                if (!missing.isEmpty()) {
                    problems.add("no copyright file in /usr/share/doc/ for " + String.join(", ", missing));
                }
                for (String pkg : dirs) {
                    String text = copyrights.get(pkg);
                    if (text != null) {
                        refusedLicense(problems, "/usr/share/doc/" + pkg + "/copyright", text);
                    }
                }
            }
        }
        for (String file : test.files()) {
            Optional<byte[]> bytes = docker.readFile(image, file, MAX_CONTENT_BYTES, limits);
            if (bytes.isEmpty()) {
                problems.add(file + " does not exist");
            } else {
                refusedLicense(problems, file, new String(bytes.get(), StandardCharsets.UTF_8));
            }
        }
        if (!problems.isEmpty()) {
            return CaseResult.failed(String.join("; ", problems));
        }
        return CaseResult.passed((test.debian() ? packages + " Debian packages with a copyright file" : "license files present")
                + (test.files().isEmpty() ? "" : ", " + test.files().size() + " license files present"));
    }

    /** As container-structure-test: a license text naming one of these (any case) fails the license test. */
    private static final List<String> REFUSED_LICENSES = List.of("AGPL", "WTFPL");
    /** Packages container-structure-test's Debian license check skips. */
    private static final Set<String> LICENSE_ALLOWED_PACKAGES = Set.of("libgnutls30");

    private static void refusedLicense(List<String> problems, String path, String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        for (String refused : REFUSED_LICENSES) {
            if (upper.contains(refused)) {
                problems.add(path + " contains " + refused);
            }
        }
    }
}
