package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.service.BuildFormatter;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one build record.")
public class ShowCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (a summary) or json (the server's JSON as it is). Default: ${DEFAULT-VALUE}.")
    OutputFormat output;

    @Parameters(index = "0", paramLabel = "ID", description = "The build id.")
    String id;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() {
        KilnServer server = serverOptions.connect(json);
        PrintWriter out = spec.commandLine().getOut();
        String body = server.buildJson(id);
        if (output == OutputFormat.json) {
            out.print(body.endsWith("\n") ? body : body + "\n");
        } else {
            out.print(BuildFormatter.summary(server.parseBuild(body)));
        }
        out.flush();
        return 0;
    }
}
