package dev.kiln.events;

/** How a build runs. {@code network} is {@code none} unless the component may use {@code host}. */
public record BuildOptions(String network, int timeoutSeconds) {
    public static final BuildOptions DEFAULT = new BuildOptions("none", 1800);

    public BuildOptions {
        Require.text(network, "options.network");
        if (!network.equals("none") && !network.equals("host")) {
            throw new IllegalArgumentException("options.network must be none or host, got: " + network);
        }
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("options.timeoutSeconds must be positive");
        }
    }
}
