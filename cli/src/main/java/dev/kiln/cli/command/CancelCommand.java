package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.domain.Build;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Ask for a build to be canceled (token needed: its requester, an owner of its component, a "
                + "release engineer or an admin).",
                "A build that has not started is CANCELED at once; a running one when its builder has stopped "
                        + "(kiln watch ID shows it)."})
public class CancelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (the build record the server answered). Default: ${DEFAULT-VALUE}.")
    OutputFormat output;

    @Parameters(index = "0", paramLabel = "ID", description = "The build id.")
    String id;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() {
        KilnServer server = serverOptions.connect(json);
        String body = server.cancelJson(id);
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            out.print(body.endsWith("\n") ? body : body + "\n");
        } else {
            Build b = server.parseBuild(body);
            out.println("CANCELED".equals(b.stateName()) ? "Build " + id + " CANCELED"
                    : "Cancel of build " + id + " requested (now " + b.stateName() + ")");
        }
        out.flush();
        return 0;
    }
}
