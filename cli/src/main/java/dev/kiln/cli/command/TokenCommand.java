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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "token", mixinStandardHelpOptions = true, description = "API tokens.",
        subcommands = { TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class })
public class TokenCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: create, list or revoke");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a token for a user and role (admin).",
                    "stdout gets the token only (it is shown this once); hand it to the user for kiln login."})
    public static class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOptions serverOptions;

        @Option(names = "--user", paramLabel = "USER", required = true, description = "Who the token is for.")
        String user;

        @Option(names = "--role", paramLabel = "ROLE", defaultValue = "maintainer",
                description = "maintainer, release-engineer, admin, or service (a Kiln service's robot account for the"
                        + " registries). Default: ${DEFAULT-VALUE}.")
        String role;

        @Option(names = "--description", paramLabel = "TEXT", description = "What the token is for.")
        String description;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text (the token) or json (token, id, user, role). Default: ${DEFAULT-VALUE}.")
        OutputFormat output;

        @Inject
        ObjectMapper json;

        @Override
        public Integer call() {
            KilnServer server = serverOptions.connect(json);
            String body = server.createTokenJson(user, role, description);
            PrintWriter out = spec.commandLine().getOut();
            if (output == OutputFormat.json) {
                out.print(body.endsWith("\n") ? body : body + "\n");
            } else {
                JsonNode t = server.tree(body);
                PrintWriter err = spec.commandLine().getErr();
                err.println("Token for " + t.path("user").asText() + " (" + t.path("role").asText()
                        + "); it is not shown again:");
                err.flush();
                out.println(t.path("token").asText());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The tokens (admin), newest first: id, user, role, created, description; never the tokens.")
    public static class ListTokens implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOptions serverOptions;

        @Option(names = "--revoked", description = "Also the revoked tokens.")
        boolean revoked;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text (one line per token) or json (the hub's list). Default: ${DEFAULT-VALUE}.")
        OutputFormat output;

        @Inject
        ObjectMapper json;

        @Override
        public Integer call() {
            KilnServer server = serverOptions.connect(json);
            String body = server.tokensJson(revoked);
            PrintWriter out = spec.commandLine().getOut();
            if (output == OutputFormat.json) {
                out.print(body.endsWith("\n") ? body : body + "\n");
            } else {
                for (JsonNode t : server.tree(body)) {
                    out.println(t.path("id").asText() + "  " + t.path("user").asText() + "  " + t.path("role").asText()
                            + "  created " + t.path("createdAt").asText() + " by " + t.path("createdBy").asText()
                            + (t.hasNonNull("revokedAt") ? "  REVOKED " + t.path("revokedAt").asText() + " by "
                                    + t.path("revokedBy").asText() : "")
                            + (t.hasNonNull("description") ? "  " + t.path("description").asText() : ""));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke a token (admin): it stands for nobody from now on; its record stays.",
                    "Release keeps the hub's answers for kiln.hub.identity-cache-ttl (30 s) and follows within that."})
    public static class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOptions serverOptions;

        @Parameters(index = "0", paramLabel = "ID", description = "The token's id (kiln token list).")
        String id;

        @Inject
        ObjectMapper json;

        @Override
        public Integer call() {
            KilnServer server = serverOptions.connect(json);
            JsonNode t = server.tree(server.revokeTokenJson(id));
            PrintWriter out = spec.commandLine().getOut();
            out.println("Revoked token " + t.path("id").asText() + " of " + t.path("user").asText() + " ("
                    + t.path("role").asText() + ") at " + t.path("revokedAt").asText());
            out.flush();
            return 0;
        }
    }
}
