package dev.kiln.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One packaged Kiln service ({@code services/<name>/target/quarkus-app/quarkus-run.jar}) running as its own
 * operating-system process, its output in {@code <logDir>/<name>.log}. Used by the end-to-end tests (all six) and by
 * tests that need the real hub.
 */
public final class ServiceProcess implements AutoCloseable {
    public final String name;
    public final int port;
    public final Path log;
    private final Process process;

    private ServiceProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * The repository's root: the {@code kiln.root} system property when set, otherwise the nearest directory above
     * the working directory that holds {@code mvnw} and {@code services/}.
     */
    public static Path repositoryRoot() {
        String property = System.getProperty("kiln.root");
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("services"))) {
                return p;
            }
        }
        throw new IllegalStateException("no Kiln checkout above " + Path.of("").toAbsolutePath());
    }

    /** Starts {@code services/<name>} of {@code root} on {@code port} with {@code env} added to this JVM's. */
    public static ServiceProcess start(Path root, String name, int port, Map<String, String> env, Path logDir)
            throws IOException {
        return start(root, name, port, env, logDir, List.of("-Xmx256m"));
    }

    /** {@link #start(Path, String, int, Map, Path)} logging to {@code <logName>.log} (a restarted instance, say). */
    public static ServiceProcess start(Path root, String name, int port, Map<String, String> env, Path logDir,
            String logName) throws IOException {
        return start(root, name, port, env, logDir, List.of("-Xmx256m"), logName);
    }

    /** {@link #start(Path, String, int, Map, Path)} with {@code jvmOptions} (a heap size, say) instead of -Xmx256m. */
    public static ServiceProcess start(Path root, String name, int port, Map<String, String> env, Path logDir,
            List<String> jvmOptions) throws IOException {
        return start(root, name, port, env, logDir, jvmOptions, name);
    }

    private static ServiceProcess start(Path root, String name, int port, Map<String, String> env, Path logDir,
            List<String> jvmOptions, String logName) throws IOException {
        Path jar = root.resolve("services").resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw -DskipTests package)");
        }
        Files.createDirectories(logDir);
        Path log = logDir.resolve(logName + ".log");
        List<String> cmd = new ArrayList<>(List.of(javaBin()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().putIfAbsent("QUARKUS_ANALYTICS_DISABLED", "true");
        return new ServiceProcess(name, port, log, pb.start());
    }

    /** SIGKILL, as a crash: no shutdown hook runs, nothing is handed back. Waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGTERM, as a rolling update, a scale-down or an eviction sends it: the service shuts down the normal way. True
     * when it exited within {@code bound}.
     */
    public boolean terminate(Duration bound) throws InterruptedException {
        process.destroy();
        return process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The java launcher of this JVM. */
    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public String url() {
        return "http://localhost:" + port;
    }

    /** Waits until {@code /q/health/ready} answers 200; throws with the log's tail if the process exits or times out. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + ":\n" + tail());
    }

    /** The service's whole log. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output in " + log + ": " + e.getMessage() + ")";
        }
    }

    /** The last 60 lines of the service's log. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Stops all of {@code services} at once: SIGTERM to each, then SIGKILL to any still running after 20 seconds. */
    public static void closeAll(java.util.Collection<ServiceProcess> services) {
        services.forEach(s -> s.process.destroy());
        services.forEach(ServiceProcess::close);
    }

    /** SIGTERM, then SIGKILL after 20 seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
