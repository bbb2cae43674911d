package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.cli.client.GateClosedException;
import dev.kiln.cli.client.ServiceClient;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "promote", mixinStandardHelpOptions = true,
        description = {"Promote a build's image by hand (release engineers): the release service copies it to the "
                + "production registry, or to --to REGISTRY.",
                "The build's gate must be open; a closed gate prints the unsatisfied requirements (exit 4)."})
public class PromoteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Mixin
    ReleaseOptions releaseOptions;

    @Parameters(index = "0", paramLabel = "BUILD", description = "The build id.")
    String buildId;

    @Option(names = "--to", paramLabel = "REGISTRY",
            description = "Target registry address (a configured target). Default: the production registry.")
    String to;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() throws IOException {
        ObjectNode body = json.createObjectNode().put("buildId", buildId);
        if (to != null && !to.isBlank()) {
            body.put("to", to.strip());
        }
        ServiceClient release = releaseOptions.connect(serverOptions);
        ServiceClient.Answer answer = release.postJson("/api/v1/promotions", json.writeValueAsString(body));
        if (answer.status() == 409) {
            JsonNode problem = readOrNull(answer.body());
            if (problem != null && problem.has("unsatisfiedRequirements")) {
                List<String> unsatisfied = new ArrayList<>();
                problem.path("unsatisfiedRequirements").forEach(u -> unsatisfied.add(u.asText()));
                throw new GateClosedException(buildId, problem.path("detail").asText(null), unsatisfied);
            }
        }
        if (answer.status() != 200 && answer.status() != 201) {
            throw answer.error();
        }
        JsonNode p = json.readTree(answer.body());
        String reference = p.path("toRegistry").asText() + "/" + p.path("toRepository").asText() + "@" + p.path("digest").asText();
        List<String> tags = new ArrayList<>();
        p.path("tags").forEach(t -> tags.add(t.asText()));
        PrintWriter out = spec.commandLine().getOut();
        boolean created = answer.status() == 201 && p.path("created").asBoolean(true);
        out.println(created ? "Promoted build " + buildId + " to " + reference
                : "Build " + buildId + " already promoted: " + reference);
        out.println("Tags: " + (tags.isEmpty() ? "(none)" : String.join(", ", tags)));
        out.flush();
        return 0;
    }

    private JsonNode readOrNull(String body) {
        try {
            return body == null || body.isBlank() ? null : json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
