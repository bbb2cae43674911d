package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.client.ServerOutage;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print a build's log.",
                "With -f, follow it as it grows (Server-Sent Events) until the build has ended."})
public class LogsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Option(names = {"-f", "--follow"}, description = "Follow the log until the build ends.")
    boolean follow;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (the lines) or json (one {\"sequence\", \"lines\"} object per line with -f, else "
                    + "{\"id\", \"lines\"}). Default: ${DEFAULT-VALUE}.")
    OutputFormat output;

    @Option(names = "--reconnect-for", paramLabel = "SECONDS", defaultValue = "300",
            description = "With -f: when the server goes away (a restart), keep trying for this many seconds before "
                    + "giving up (exit 3); the log resumes where it broke off. Default: ${DEFAULT-VALUE}.")
    long reconnectSeconds;

    @Parameters(index = "0", paramLabel = "ID", description = "The build id.")
    String id;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() throws Exception {
        KilnServer server = serverOptions.connect(json);
        PrintWriter out = spec.commandLine().getOut();
        if (follow) {
            if (reconnectSeconds < 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--reconnect-for must be 0 or a positive number of seconds");
            }
            ServerOutage outage = new ServerOutage(java.time.Duration.ofSeconds(reconnectSeconds),
                    spec.commandLine().getErr());
            server.followLogs(id, batch -> {
                if (output == OutputFormat.json) {
                    ObjectNode node = json.createObjectNode();
                    node.put("sequence", batch.sequence());
                    node.putPOJO("lines", batch.lines());
                    out.println(node);
                } else {
                    batch.lines().forEach(out::println);
                }
                out.flush();
            }, outage);
            return 0;
        }
        String text = server.logsText(id);
        if (output == OutputFormat.json) {
            ObjectNode node = json.createObjectNode();
            node.put("id", id);
            node.putPOJO("lines", text.isEmpty() ? java.util.List.of() : text.lines().toList());
            out.println(json.writeValueAsString(node));
        } else {
            out.print(text);
        }
        out.flush();
        return 0;
    }
}
