package dev.kiln.containerbuild.preflight;

import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.Stage;
import java.util.List;

/**
 * Builds run with network {@code none}. A build may ask for {@code host} (to reach a package mirror) only when its
 * component is listed in {@code kiln.build.host-network-components}.
 */
public final class BuildNetworkPlugin implements PreflightPlugin {
    private final List<String> hostComponents;

    public BuildNetworkPlugin(List<String> hostComponents) {
        this.hostComponents = List.copyOf(hostComponents);
    }

    @Override
    public String name() {
        return "network";
    }

    @Override
    public void run(PreflightContext c) throws BuildFailure {
        String asked = c.request().options().network();
        if ("host".equals(asked)) {
            if (!hostComponents.contains(c.request().component())) {
                throw new BuildFailure(Stage.PREFLIGHT, "host-network-not-allowed", "The build asked for network host,"
                        + " but component " + c.request().component() + " may not use it; builds run without network"
                        + " unless an administrator adds the component to kiln.build.host-network-components.", false);
            }
            c.network("host");
        } else {
            c.network("none");
        }
        c.log("preflight " + name() + ": " + c.network());
    }
}
