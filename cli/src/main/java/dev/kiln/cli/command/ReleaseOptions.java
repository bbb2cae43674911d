package dev.kiln.cli.command;

import dev.kiln.cli.client.ServiceClient;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Where the release service is: {@code --release-url}, else {@code $KILN_RELEASE_URL}, else {@value #DEFAULT}. */
public class ReleaseOptions {
    public static final String DEFAULT = "http://localhost:8085";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--release-url", paramLabel = "URL",
            description = "The release service's base URL. Default: env KILN_RELEASE_URL, else " + DEFAULT + ".")
    String releaseUrl;

    public String url() {
        return ServiceUrl.resolve(mixee.commandLine(), releaseUrl, "--release-url", "KILN_RELEASE_URL", DEFAULT, System.getenv());
    }

    /** The release client with the token of the shared options. */
    public ServiceClient connect(ServerOptions server) {
        return new ServiceClient(url(), server.token());
    }
}
