package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.ServiceClient;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "waive", mixinStandardHelpOptions = true,
        description = {"Waive a failed test case of a build (release engineers). The gate is evaluated again; a build "
                + "whose gate opens is promoted as usual."})
public class WaiveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Mixin
    ReleaseOptions releaseOptions;

    @Parameters(index = "0", paramLabel = "BUILD", description = "The build id.")
    String buildId;

    @Parameters(index = "1", paramLabel = "TESTCASE", description = "The test case to waive.")
    String testCase;

    @Option(names = "--comment", required = true, paramLabel = "TEXT", description = "Why (recorded with the waiver).")
    String comment;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() throws IOException {
        String body = json.writeValueAsString(json.createObjectNode().put("buildId", buildId).put("testCase", testCase)
                .put("comment", comment));
        ServiceClient.Answer answer = releaseOptions.connect(serverOptions).postJson("/api/v1/waivers", body);
        if (!answer.ok()) {
            throw answer.error();
        }
        JsonNode w = json.readTree(answer.body());
        PrintWriter out = spec.commandLine().getOut();
        String by = w.path("waivedBy").asText("");
        out.println("Waived test case " + w.path("testCase").asText(testCase) + " of build " + w.path("buildId").asText(buildId)
                + (by.isEmpty() ? "" : " (by " + by + ")"));
        out.flush();
        return 0;
    }
}
