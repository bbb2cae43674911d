package dev.kiln.cli.command;

import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.service.BuildFollower;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options of the verbs that follow a build to its end: {@code container-build} and {@code watch}. */
public class FollowOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "1800",
            description = "Stop following after this many seconds (exit 5); the build goes on. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    /** Hidden: lets tests poll faster than once a second. */
    @Option(names = "--poll-interval", paramLabel = "MILLIS", defaultValue = "1000", hidden = true)
    long pollMillis;

    public Duration timeout() {
        if (timeoutSeconds <= 0) {
            throw new ParameterException(mixee.commandLine(), "--timeout must be a positive number of seconds");
        }
        return Duration.ofSeconds(timeoutSeconds);
    }

    public BuildFollower follower(KilnServer server, PrintWriter out) {
        return new BuildFollower(server::build, Duration.ofMillis(Math.max(10, pollMillis)), out);
    }
}
