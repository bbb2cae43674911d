package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.service.CliConfig;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Check a token against the server and store the server and the token in the config file "
                + "(mode 0600), for every later command.",
                "The token comes from --token, else KILN_TOKEN, else a prompt (or the first line of stdin when it "
                        + "is not a terminal). An admin makes tokens with kiln token create."})
public class LoginCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() throws Exception {
        String server = serverOptions.serverUrl();
        String token = serverOptions.explicitToken();
        if (token == null) {
            token = prompt(server);
        }
        if (token == null || token.isBlank()) {
            throw new ParameterException(spec.commandLine(), "No token given: pass --token, set KILN_TOKEN, or type "
                    + "it when asked");
        }
        KilnServer client = serverOptions.connect(json, token.strip());
        JsonNode me = client.tree(client.whoamiJson());
        Path file = serverOptions.configFile();
        CliConfig.write(file, new CliConfig.Settings(server, token.strip()));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Logged in to " + server + " as " + me.path("user").asText() + " (" + me.path("role").asText()
                + "); saved in " + file);
        out.flush();
        return 0;
    }

    private static String prompt(String server) throws java.io.IOException {
        Console console = System.console();
        if (console != null) {
            char[] typed = console.readPassword("Token for %s: ", server);
            return typed == null ? null : new String(typed);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        return in.readLine();
    }
}
