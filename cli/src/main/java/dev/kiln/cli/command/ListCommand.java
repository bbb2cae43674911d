package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.service.BuildFormatter;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List builds, newest first (as the server orders them).")
public class ListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Option(names = "--component", paramLabel = "C", description = "Only builds of this component.")
    String component;

    @Option(names = "--state", paramLabel = "S", description = "Only builds in this state, e.g. BUILDING or FAILED.")
    String state;

    @Option(names = "--requester", paramLabel = "USER", description = "Only builds submitted by USER.")
    String requester;

    @Option(names = "--since", paramLabel = "WHEN",
            description = "Only builds created at or after WHEN: an ISO-8601 instant (2025-01-31T12:00:00Z) or date.")
    String since;

    @Option(names = "--limit", paramLabel = "N", description = "At most N builds (default: the server's, 50).")
    Integer limit;

    @Option(names = "--page", paramLabel = "P", description = "Page P (from 1) of N builds each.")
    Integer page;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (a table) or json (the server's JSON as it is). Default: ${DEFAULT-VALUE}.")
    OutputFormat output;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() {
        if (limit != null && limit <= 0) {
            throw new ParameterException(spec.commandLine(), "--limit must be a positive number");
        }
        if (page != null && page <= 0) {
            throw new ParameterException(spec.commandLine(), "--page counts from 1");
        }
        KilnServer server = serverOptions.connect(json);
        String body = server.listJson(blankToNull(component),
                state == null || state.isBlank() ? null : state.strip().toUpperCase(Locale.ROOT),
                blankToNull(requester), blankToNull(since), limit, page);
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            out.print(body.endsWith("\n") ? body : body + "\n");
        } else {
            out.print(BuildFormatter.table(server.parseList(body)));
        }
        out.flush();
        return 0;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
