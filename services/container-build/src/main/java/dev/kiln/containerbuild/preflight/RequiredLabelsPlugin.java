package dev.kiln.containerbuild.preflight;

import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.Stage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The final stage must set the required labels ({@code kiln.build.required-labels}, by default {@code name} and
 * {@code version}) and those its component's configuration adds ({@code kiln.build.component-required-labels.<c>}).
 */
public final class RequiredLabelsPlugin implements PreflightPlugin {
    private final List<String> required;
    private final Map<String, List<String>> perComponent;

    public RequiredLabelsPlugin(List<String> required, Map<String, List<String>> perComponent) {
        this.required = List.copyOf(required);
        this.perComponent = Map.copyOf(perComponent);
    }

    @Override
    public String name() {
        return "required-labels";
    }

    @Override
    public void run(PreflightContext c) throws BuildFailure {
        Set<String> wanted = new LinkedHashSet<>(required);
        wanted.addAll(perComponent.getOrDefault(c.request().component(), List.of()));
        Map<String, String> labels = c.parsed().labels();
        List<String> missing = new ArrayList<>();
        for (String label : wanted) {
            String value = labels.get(label);
            if (value == null || value.isBlank()) {
                missing.add(label);
            }
        }
        if (!missing.isEmpty()) {
            StringBuilder example = new StringBuilder("LABEL");
            missing.forEach(m -> example.append(' ').append(m).append("=\"...\""));
            throw new BuildFailure(Stage.PREFLIGHT, "missing-labels", "The Dockerfile " + c.dockerfilePath()
                    + " does not set the required label" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing)
                    + " in its final stage; add " + example + " and submit again.", false);
        }
        c.log("preflight " + name() + ": " + String.join(", ", wanted) + " present");
    }
}
