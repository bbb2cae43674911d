package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kiln admin}: operators' verbs (admin tokens only). */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Operators' commands (admin).",
        subcommands = AdminCommand.Dlq.class)
public class AdminCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: dlq");
    }

    @Command(name = "dlq", mixinStandardHelpOptions = true,
            description = {"Dead letters: events a service refused for good (unreadable, or a failure it could not",
                    "handle), kept on <topic>.dlq with the consumer that refused them and why."},
            subcommands = {Dlq.ListDeadLetters.class, Dlq.Show.class, Dlq.Replay.class})
    public static class Dlq implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new ParameterException(spec.commandLine(), "Missing subcommand: list, show or replay");
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "Dead letters, newest first.")
        public static class ListDeadLetters implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Mixin
            ServerOptions serverOptions;

            @Option(names = "--topic", paramLabel = "TOPIC", description = "Only this topic's (e.g. kiln.image.pushed).")
            String topic;

            @Option(names = "--limit", paramLabel = "N", description = "At most N (1-1000, default 100).")
            Integer limit;

            @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                    description = "text or json. Default: ${DEFAULT-VALUE}.")
            OutputFormat output;

            @Inject
            ObjectMapper json;

            @Override
            public Integer call() {
                KilnServer server = serverOptions.connect(json);
                String body = server.deadLettersJson(topic, limit);
                PrintWriter out = spec.commandLine().getOut();
                if (output == OutputFormat.json) {
                    out.println(body.strip());
                } else {
                    JsonNode list = server.tree(body);
                    if (list.isEmpty()) {
                        out.println("No dead letters" + (topic == null ? "." : " on " + topic + "."));
                    } else {
                        out.printf("%-36s  %-22s  %-36s  %-20s  %-8s  %s%n", "ID", "TIME", "BUILD", "CONSUMER", "REPLAYED",
                                "REASON");
                        for (JsonNode d : list) {
                            out.printf("%-36s  %-22s  %-36s  %-20s  %-8s  %s%n", d.path("id").asText(),
                                    d.path("time").asText(""), d.path("buildId").asText(""), d.path("consumer").asText("-"),
                                    d.path("replay").isObject() ? "yes" : "no", shorten(d.path("reason").asText(""), 80));
                        }
                    }
                }
                out.flush();
                return 0;
            }
        }

        @Command(name = "show", mixinStandardHelpOptions = true,
                description = "One dead letter: where it came from, who refused it and why, its headers and value.")
        public static class Show implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Mixin
            ServerOptions serverOptions;

            @Parameters(index = "0", paramLabel = "ID", description = "As kiln admin dlq list shows it.")
            String id;

            @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                    description = "text or json. Default: ${DEFAULT-VALUE}.")
            OutputFormat output;

            @Inject
            ObjectMapper json;

            @Override
            public Integer call() {
                KilnServer server = serverOptions.connect(json);
                String body = server.deadLetterJson(id);
                PrintWriter out = spec.commandLine().getOut();
                if (output == OutputFormat.json) {
                    out.println(body.strip());
                    out.flush();
                    return 0;
                }
                JsonNode d = server.tree(body);
                line(out, "Dead letter", d.path("id").asText());
                line(out, "Topic", d.path("topic").asText() + (d.hasNonNull("originalPartition")
                        ? " (partition " + d.path("originalPartition").asText() + ", offset "
                                + d.path("originalOffset").asText() + ")" : ""));
                line(out, "Event", d.path("ceType").asText("-") + " " + d.path("ceId").asText(""));
                line(out, "Build", d.path("buildId").asText("-"));
                line(out, "Refused by", d.path("consumer").asText("-") + (d.hasNonNull("group")
                        ? " (group " + d.path("group").asText() + ")" : ""));
                line(out, "When", d.path("time").asText("-"));
                line(out, "Why", d.path("reason").asText("-"));
                JsonNode replay = d.path("replay");
                line(out, "Replayed", replay.isObject() ? replay.path("replayedAt").asText() + " by "
                        + replay.path("replayedBy").asText() + " (" + replay.path("times").asInt() + " time"
                        + (replay.path("times").asInt() == 1 ? "" : "s") + ")" : "no");
                out.println("Headers:");
                for (Iterator<Map.Entry<String, JsonNode>> it = d.path("headers").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> h = it.next();
                    out.println("  " + h.getKey() + ": " + h.getValue().asText());
                }
                out.println("Value:");
                out.println(d.path("value").isNull() ? "  (none)" : d.path("value").asText());
                out.flush();
                return 0;
            }
        }

        @Command(name = "replay", mixinStandardHelpOptions = true,
                description = {"Send dead letters again to their original topic, with their original key, value and",
                        "headers (the CloudEvents id kept, so a consumer that saw the event recognises it).",
                        "Replay one by ID, or every one of a topic not replayed yet with --all --topic T."})
        public static class Replay implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Mixin
            ServerOptions serverOptions;

            static class Which {
                @Parameters(index = "0", paramLabel = "ID", description = "One dead letter.")
                String id;

                @ArgGroup(exclusive = false)
                All all;
            }

            static class All {
                @Option(names = "--all", required = true, description = "Every dead letter of --topic not replayed yet.")
                boolean all;

                @Option(names = "--topic", paramLabel = "TOPIC", required = true, description = "e.g. kiln.image.pushed")
                String topic;
            }

            @ArgGroup(exclusive = true, multiplicity = "1")
            Which which;

            @Option(names = "--force", description = "Replay ID even if it was replayed before.")
            boolean force;

            @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                    description = "text or json. Default: ${DEFAULT-VALUE}.")
            OutputFormat output;

            @Inject
            ObjectMapper json;

            @Override
            public Integer call() {
                KilnServer server = serverOptions.connect(json);
                PrintWriter out = spec.commandLine().getOut();
                String body = which.id != null ? server.replayDeadLetterJson(which.id, force)
                        : server.replayDeadLettersJson(which.all.topic);
                if (output == OutputFormat.json) {
                    out.println(body.strip());
                } else {
                    JsonNode answer = server.tree(body);
                    if (answer.isArray() && answer.isEmpty()) {
                        out.println("Nothing to replay on " + which.all.topic + ".");
                    }
                    for (JsonNode r : answer.isArray() ? answer : json.createArrayNode().add(answer)) {
                        out.println("Replayed " + r.path("deadLetter").asText() + " onto " + r.path("topic").asText()
                                + (r.path("times").asInt() > 1 ? " (time " + r.path("times").asInt() + ")" : ""));
                    }
                }
                out.flush();
                return 0;
            }
        }

        private static void line(PrintWriter out, String label, String value) {
            out.printf("%-12s %s%n", label + ":", value);
        }

        private static String shorten(String text, int max) {
            String oneLine = text.replaceAll("\\s+", " ");
            return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1) + "…";
        }
    }
}
