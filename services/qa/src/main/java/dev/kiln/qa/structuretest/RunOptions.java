package dev.kiln.qa.structuretest;

import java.util.List;

/**
 * A file's {@code containerRunOptions}, as far as Kiln runs them: the user its command tests run as, whether they get a
 * terminal (stdout and stderr are then one stream, as with {@code docker run -t}), and the variables of its
 * {@code envFile} and its {@code envVars} (those qa's operator lets through). Privileges, capabilities and bind mounts
 * are refused when the file is read (see the qa README).
 */
public record RunOptions(String user, boolean tty, List<EnvVar> env) {
    public static final RunOptions NONE = new RunOptions(null, false, List.of());

    public RunOptions {
        env = List.copyOf(env);
    }
}
