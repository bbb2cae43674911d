package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "whoami", mixinStandardHelpOptions = true, description = "Show the user and role of your token.")
public class WhoamiCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json. Default: ${DEFAULT-VALUE}.")
    OutputFormat output;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() {
        KilnServer server = serverOptions.connect(json);
        String body = server.whoamiJson();
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            out.print(body.endsWith("\n") ? body : body + "\n");
        } else {
            JsonNode n = server.tree(body);
            out.println(n.path("user").asText() + " (" + n.path("role").asText() + ") on " + server.baseUrl());
        }
        out.flush();
        return 0;
    }
}
