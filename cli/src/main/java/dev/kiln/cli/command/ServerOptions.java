package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.service.CliConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Options every verb shares: where the server is, the token, the config file, and how much to say about unexpected
 * errors. The server is {@code --server}, else {@code $KILN_SERVER}, else the config file's, else
 * {@value #DEFAULT_SERVER}; the token is {@code --token}, else {@code $KILN_TOKEN}, else the config file's (only
 * when the config file names the same server, so a token never travels to another server by accident).
 */
public class ServerOptions {

    public static final String DEFAULT_SERVER = "http://localhost:8080";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--server", paramLabel = "URL",
            description = "build-submission's base URL. Default: env KILN_SERVER, else the config file's, else "
                    + DEFAULT_SERVER + ".")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token. Default: env KILN_TOKEN, else the one kiln login stored.")
    String token;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file. Default: env KILN_CONFIG, else $XDG_CONFIG_HOME/kiln/config.json, else "
                    + "~/.config/kiln/config.json.")
    String config;

    @Option(names = "--verbose", description = "Print the stack trace of an unexpected error.")
    boolean verbose;

    Map<String, String> env() {
        return System.getenv();
    }

    public Path configFile() {
        return CliConfig.location(config, env());
    }

    CliConfig.Settings settings() {
        try {
            return CliConfig.read(configFile());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), e.getMessage());
        }
    }

    /** The server URL, checked; a malformed one is a usage error (exit 2). */
    public String serverUrl() {
        String url = firstNonBlank(server, env().get("KILN_SERVER"), settings().server(), DEFAULT_SERVER);
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
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The token to send, or null. */
    public String token() {
        String explicit = firstNonBlank(token, env().get("KILN_TOKEN"));
        if (explicit != null) {
            return explicit;
        }
        CliConfig.Settings s = settings();
        if (s.token() == null) {
            return null;
        }
        String configured = s.server() == null ? null : strip(s.server());
        return configured == null || configured.equals(serverUrl()) ? s.token() : null;
    }

    /** The token given on the command line or in KILN_TOKEN, not the stored one. */
    public String explicitToken() {
        return firstNonBlank(token, env().get("KILN_TOKEN"));
    }

    /** The server client, sending the token when there is one. */
    public KilnServer connect(ObjectMapper json) {
        return KilnServer.connect(serverUrl(), token(), json);
    }

    /** The server client with this token. */
    public KilnServer connect(ObjectMapper json, String withToken) {
        return KilnServer.connect(serverUrl(), withToken, json);
    }

    public boolean verbose() {
        return verbose;
    }

    private static String strip(String url) {
        String u = url.strip();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }
}
