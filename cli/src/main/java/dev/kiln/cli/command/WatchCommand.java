package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.service.BuildFollower;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Follow a build to its end, printing each state as it is reached.",
                "The last line printed is the image reference: the promoted one, or the candidate of a scratch build."})
public class WatchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Mixin
    FollowOptions followOptions;

    @Parameters(index = "0", paramLabel = "ID", description = "The build id.")
    String id;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (states, then the image reference) or json (nothing while following, then the "
                    + "final build record). Default: ${DEFAULT-VALUE}.")
    OutputFormat output;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() throws Exception {
        Duration timeout = followOptions.timeout();
        KilnServer server = serverOptions.connect(json);
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            PrintWriter discard = new PrintWriter(java.io.Writer.nullWriter());
            try {
                new BuildFollower(server::build, followOptions.pollInterval(), discard, false,
                        followOptions.outage(spec.commandLine().getErr())).follow(id, timeout);
            } finally {
                String body = server.buildJson(id);
                out.print(body.endsWith("\n") ? body : body + "\n");
                out.flush();
            }
            return 0;
        }
        String reference = followOptions.follower(server, out, spec.commandLine().getErr()).follow(id, timeout);
        out.println(reference);
        out.flush();
        return 0;
    }
}
