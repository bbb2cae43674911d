package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.service.BuildFormatter;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "component", mixinStandardHelpOptions = true,
        description = "Components (what may be built) and their owners (who may build them).",
        subcommands = {ComponentCommand.Add.class, ComponentCommand.ListComponents.class, ComponentCommand.Owners.class})
public class ComponentCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: add, list or owners");
    }

    static void print(PrintWriter out, String body) {
        out.print(body.endsWith("\n") ? body : body + "\n");
        out.flush();
    }

    static String describe(JsonNode c) {
        List<String> owners = new ArrayList<>();
        c.path("owners").forEach(o -> owners.add(o.asText()));
        return c.path("name").asText() + "  owners: " + String.join(", ", owners);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Register a component (admin).")
    public static class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOptions serverOptions;

        @Parameters(index = "0", paramLabel = "NAME", description = "The component (the image's name label).")
        String name;

        @Option(names = "--owner", paramLabel = "USER", required = true, split = ",",
                description = "An owner; repeat or separate with commas.")
        List<String> owners;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text or json. Default: ${DEFAULT-VALUE}.")
        OutputFormat output;

        @Inject
        ObjectMapper json;

        @Override
        public Integer call() {
            KilnServer server = serverOptions.connect(json);
            String body = server.addComponentJson(name, owners);
            PrintWriter out = spec.commandLine().getOut();
            if (output == OutputFormat.json) {
                print(out, body);
            } else {
                print(out, "Component " + describe(server.tree(body)));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List components and their owners.")
    public static class ListComponents implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOptions serverOptions;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text (a table) or json. Default: ${DEFAULT-VALUE}.")
        OutputFormat output;

        @Inject
        ObjectMapper json;

        @Override
        public Integer call() {
            KilnServer server = serverOptions.connect(json);
            String body = server.componentsJson();
            PrintWriter out = spec.commandLine().getOut();
            if (output == OutputFormat.json) {
                print(out, body);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode c : server.tree(body)) {
                List<String> owners = new ArrayList<>();
                c.path("owners").forEach(o -> owners.add(o.asText()));
                rows.add(List.of(c.path("name").asText(), String.join(",", owners), c.path("createdBy").asText("-")));
            }
            out.print(rows.isEmpty() ? "No components registered.\n"
                    : BuildFormatter.table(List.of("NAME", "OWNERS", "CREATED BY"), rows));
            out.flush();
            return 0;
        }
    }

    @Command(name = "owners", mixinStandardHelpOptions = true,
            description = {"Show the owners of a component, or replace them (admin) when USERs are given."})
    public static class Owners implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOptions serverOptions;

        @Parameters(index = "0", paramLabel = "NAME", description = "The component.")
        String name;

        @Parameters(index = "1..*", paramLabel = "USER", arity = "0..*", description = "The new owners.")
        List<String> users;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text or json. Default: ${DEFAULT-VALUE}.")
        OutputFormat output;

        @Inject
        ObjectMapper json;

        @Override
        public Integer call() {
            KilnServer server = serverOptions.connect(json);
            String body = users == null || users.isEmpty() ? server.componentJson(name)
                    : server.setOwnersJson(name, users);
            PrintWriter out = spec.commandLine().getOut();
            if (output == OutputFormat.json) {
                print(out, body);
            } else {
                print(out, "Component " + describe(server.tree(body)));
            }
            return 0;
        }
    }
}
