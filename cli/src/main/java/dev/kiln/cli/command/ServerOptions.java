package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options every verb shares: where the server is, and how much to say about unexpected errors. */
public class ServerOptions {

    public static final String DEFAULT_SERVER = "http://localhost:8080";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--server", paramLabel = "URL",
            defaultValue = "${env:KILN_SERVER:-" + DEFAULT_SERVER + "}",
            description = "build-submission's base URL. Default: env KILN_SERVER, else " + DEFAULT_SERVER + ".")
    String server;

    @Option(names = "--verbose", description = "Print the stack trace of an unexpected error.")
    boolean verbose;

    /** The server client; a malformed URL is a usage error (exit 2). */
    public KilnServer connect(ObjectMapper json) {
        String url = server == null || server.isBlank() ? DEFAULT_SERVER : server.strip();
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new URISyntaxException(url, "expected http://HOST[:PORT]");
            }
        } catch (URISyntaxException e) {
            throw new ParameterException(mixee.commandLine(), "Invalid server URL '" + url
                    + "': expected http(s)://HOST[:PORT], e.g. " + DEFAULT_SERVER);
        }
        return KilnServer.connect(url, json);
    }

    public boolean verbose() {
        return verbose;
    }
}
