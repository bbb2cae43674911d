package dev.kiln.cli.command;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The base URL of another Kiln service: the option, else an environment variable, else a default; checked. */
final class ServiceUrl {
    private ServiceUrl() {
    }

    static String resolve(CommandLine commandLine, String option, String optionName, String envName, String fallback,
            Map<String, String> env) {
        String url = option != null && !option.isBlank() ? option.strip()
                : env.get(envName) != null && !env.get(envName).isBlank() ? env.get(envName).strip() : fallback;
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new URISyntaxException(url, "expected http://HOST[:PORT]");
            }
        } catch (URISyntaxException e) {
            throw new ParameterException(commandLine, "Invalid " + optionName + " '" + url
                    + "': expected http(s)://HOST[:PORT], e.g. " + fallback);
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
