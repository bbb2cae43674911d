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

    /** How {@code watch} and {@code container-build} show progress. */
    public enum Display { auto, live, plain }

    @Option(names = "--display", paramLabel = "MODE", defaultValue = "auto",
            description = "live (states plus a status line with elapsed times, rewritten in place), plain (one line "
                    + "per state) or auto (live on a terminal, plain when piped). Default: ${DEFAULT-VALUE}.")
    Display display;

    /** Hidden: lets tests poll faster than once a second. */
    @Option(names = "--poll-interval", paramLabel = "MILLIS", defaultValue = "1000", hidden = true)
    long pollMillis;

    public Duration timeout() {
        if (timeoutSeconds <= 0) {
            throw new ParameterException(mixee.commandLine(), "--timeout must be a positive number of seconds");
        }
        return Duration.ofSeconds(timeoutSeconds);
    }

    public Duration pollInterval() {
        return Duration.ofMillis(Math.max(10, pollMillis));
    }

    public BuildFollower follower(KilnServer server, PrintWriter out) {
        return new BuildFollower(server::build, Duration.ofMillis(Math.max(10, pollMillis)), out, live());
    }

    /** Live display: asked for, or auto on a terminal (a console, and TERM is not dumb). */
    public boolean live() {
        return switch (display == null ? Display.auto : display) {
            case live -> true;
            case plain -> false;
            case auto -> System.console() != null && !"dumb".equals(System.getenv("TERM"));
        };
    }
}
