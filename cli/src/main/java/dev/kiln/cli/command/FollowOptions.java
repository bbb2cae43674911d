package dev.kiln.cli.command;

import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.client.ServerOutage;
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

    @Option(names = "--reconnect-for", paramLabel = "SECONDS", defaultValue = "300",
            description = "When the server goes away while following (a restart), keep trying for this many seconds "
                    + "before giving up (exit 3). Default: ${DEFAULT-VALUE}.")
    long reconnectSeconds;

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

    public BuildFollower follower(KilnServer server, PrintWriter out, PrintWriter notices) {
        return new BuildFollower(server::build, pollInterval(), out, live(), outage(notices));
    }

    /** How long a server may be away while following, notices of it going to {@code notices}. */
    public ServerOutage outage(PrintWriter notices) {
        if (reconnectSeconds < 0) {
            throw new ParameterException(mixee.commandLine(), "--reconnect-for must be 0 or a positive number of seconds");
        }
        return new ServerOutage(Duration.ofSeconds(reconnectSeconds), notices);
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
