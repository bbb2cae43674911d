package dev.kiln.cli;

import dev.kiln.cli.command.ContainerBuildCommand;
import dev.kiln.cli.command.ListCommand;
import dev.kiln.cli.command.ShowCommand;
import dev.kiln.cli.command.WatchCommand;
import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kiln}: the command-line client of Kiln's build-submission service. */
@TopCommand
@Command(name = "kiln", mixinStandardHelpOptions = true, version = "kiln 0.1.0",
        description = "Submit and follow container image builds on Kiln.",
        subcommands = {ContainerBuildCommand.class, ShowCommand.class, ListCommand.class, WatchCommand.class,
                HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  ok", "  1  the build failed or was canceled", "  2  usage error",
                "  3  the server is unreachable", "  4  the server refused the request (4xx)",
                "  5  server error (5xx), timeout or anything unexpected",
                "", "Environment: KILN_SERVER (default http://localhost:8080), USER (the requester)."})
public class KilnCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing verb: container-build, show, list or watch");
    }
}
