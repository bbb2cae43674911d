package dev.kiln.signing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Debian's skopeo, run as a child process (fails loudly when it is missing). */
final class Skopeo {
    static final String BINARY = "/usr/bin/skopeo";

    record Result(int exitCode, String output) {
    }

    private Skopeo() {
    }

    /** {@code skopeo --policy P --registries.d D copy --src-tls-verify=false docker://REF dir:<tmp>}. */
    static Result copy(Path work, Path policy, Path registriesD, String reference) throws Exception {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's skopeo");
        }
        Path target = Files.createTempDirectory(work, "copy-");
        Path log = work.resolve("skopeo-" + target.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder(BINARY, "--policy", policy.toString(), "--registries.d", registriesD.toString(),
                "copy", "--src-tls-verify=false", "docker://" + reference, "dir:" + target)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("HOME", work.toString());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("skopeo did not finish: " + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
