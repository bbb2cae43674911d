package dev.kiln.cli;

import dev.kiln.cli.command.AdminCommand;
import dev.kiln.cli.command.BusCommand;
import dev.kiln.cli.command.CancelCommand;
import dev.kiln.cli.command.CertsCommand;
import dev.kiln.cli.command.CompletionCommand;
import dev.kiln.cli.command.ComponentCommand;
import dev.kiln.cli.command.ContainerBuildCommand;
import dev.kiln.cli.command.ListCommand;
import dev.kiln.cli.command.LoginCommand;
import dev.kiln.cli.command.LogsCommand;
import dev.kiln.cli.command.PromoteCommand;
import dev.kiln.cli.command.ShowCommand;
import dev.kiln.cli.command.TokenCommand;
import dev.kiln.cli.command.VerifyCommand;
import dev.kiln.cli.command.WaiveCommand;
import dev.kiln.cli.command.WatchCommand;
import dev.kiln.cli.command.WhoamiCommand;
import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kiln}: the command-line client of Kiln's build-submission service. */
@TopCommand
@Command(name = "kiln", mixinStandardHelpOptions = true, version = "kiln 0.1.0",
        description = "Submit and follow container image builds on Kiln; promote, waive, verify; make TLS certificates.",
        subcommands = {ContainerBuildCommand.class, WatchCommand.class, LogsCommand.class, ListCommand.class,
                ShowCommand.class, CancelCommand.class, LoginCommand.class, WhoamiCommand.class,
                ComponentCommand.class, TokenCommand.class, PromoteCommand.class, WaiveCommand.class,
                VerifyCommand.class, AdminCommand.class, BusCommand.class, CertsCommand.class, CompletionCommand.class,
                HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  ok", "  1  the build failed or was canceled; verify: no valid signature", "  2  usage error",
                "  3  the server is unreachable",
                "  4  the server refused the request (4xx: bad input, not found, conflict, gate closed)",
                "  5  server error (5xx), timeout or anything unexpected",
                "  6  not logged in or not allowed (HTTP 401 or 403)",
                "", "Environment: KILN_SERVER (default: the config file's, else http://localhost:8080),",
                "KILN_TOKEN (default: the config file's), KILN_CONFIG (default ~/.config/kiln/config.json)."})
public class KilnCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing verb: container-build, watch, logs, list, show, cancel, login, whoami, component, token, promote, waive, verify, certs or completion");
    }
}
