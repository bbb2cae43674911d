package dev.kiln.cli.command;

import dev.kiln.cli.ExitCodes;
import dev.kiln.events.TopicAccess;
import dev.kiln.support.messaging.broker.BusSetup;
import dev.kiln.support.messaging.broker.KafkaAcls;
import dev.kiln.support.messaging.broker.KafkaClients;
import dev.kiln.support.text.Excerpt;
import dev.kiln.support.text.Failures;
import dev.kiln.support.tls.CertificateAuthority;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln bus setup|hook}: the operator makes Kiln's topics and ACLs on the broker and lets QA hooks in, as the
 * operator's principal (kiln-admin).
 */
@Command(name = "bus", mixinStandardHelpOptions = true, description = "Set up Kiln's Kafka bus (operators).",
        subcommands = {BusCommand.Setup.class, BusCommand.Hook.class})
public class BusCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing sub-command: setup or hook");
    }

    /** How the operator reaches the broker: its SSL listener and the operator's certificate. */
    public static class Connection {
        @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "The broker's SSL listener.")
        String bootstrap;

        @Option(names = "--certs", required = true, paramLabel = "DIR",
                description = "The operator's certificate: keystore.pem and ca.pem (kiln certs bus: OUT/kiln-admin).")
        Path certs;

        Map<String, Object> client(CommandSpec spec) {
            for (String file : List.of(CertificateAuthority.KEYSTORE, CertificateAuthority.CA_CERT)) {
                if (!Files.isReadable(certs.resolve(file))) {
                    throw new ParameterException(spec.commandLine(), "No " + file + " in " + certs
                            + ": give the operator's certificate directory (kiln certs bus --ca CA --out DIR: DIR/kiln-admin)");
                }
            }
            return KafkaClients.ssl(bootstrap, certs);
        }

        /** Runs {@code work} with an admin client; a refusal or an unreachable broker is a sentence and an exit code. */
        int run(CommandSpec spec, AdminWork work) {
            Map<String, Object> client = client(spec);
            PrintWriter err = spec.commandLine().getErr();
            try (Admin admin = KafkaClients.admin(client)) {
                work.run(admin, spec.commandLine().getOut());
                return ExitCodes.OK;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof AuthorizationException) {
                    err.println("kiln: the broker refused " + certs + "'s principal: only the operator's (kiln-admin) may"
                            + " make topics and ACLs");
                    return ExitCodes.REFUSED;
                }
                if (cause instanceof SslAuthenticationException) {
                    err.println("kiln: the broker refused the TLS handshake: is " + certs + " issued by the broker's CA?");
                    return ExitCodes.REFUSED;
                }
                err.println("kiln: cannot set up the bus on " + bootstrap + ": " + Failures.message(cause));
                return ExitCodes.SERVER_ERROR;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.SERVER_ERROR;
            } catch (Exception e) {
                err.println("kiln: cannot reach the broker at " + bootstrap + ": " + Failures.message(e));
                return ExitCodes.UNREACHABLE;
            }
        }
    }

    /** What a subcommand does with the operator's admin client. */
    @FunctionalInterface
    interface AdminWork {
        void run(Admin admin, PrintWriter out) throws Exception;
    }

    static void checkPartitions(CommandSpec spec, int partitions) {
        if (partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1, got " + partitions);
        }
    }

    @Command(name = "setup", mixinStandardHelpOptions = true,
            description = "Make Kiln's topics (each event's and its .dlq) where missing and apply the ACLs of Kiln's"
                    + " access table, as the operator's principal (kiln-admin). Safe to run again.")
    public static class Setup implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
                description = "Partitions of each topic made. Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Override
        public Integer call() {
            checkPartitions(spec, partitions);
            return connection.run(spec, (admin, out) -> {
                List<String> made = BusSetup.apply(admin, partitions);
                out.println("Made " + made.size() + " of " + BusSetup.topics().size() + " topics and applied "
                        + KafkaAcls.bindings().size() + " ACLs on " + connection.bootstrap);
            });
        }
    }

    @Command(name = "hook", mixinStandardHelpOptions = true,
            description = "Let a QA hook in (add) or shut it out (remove). An added hook, with a certificate for"
                    + " CN=hook-NAME (kiln certs client --cn hook-NAME), may read kiln.image.pushed in group"
                    + " kiln-hook-NAME and send results to its own topic kiln.qa.hook.NAME, which qa sends on as"
                    + " kiln.qa.result with reporter NAME. Safe to run again.")
    public static class Hook implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "add|remove", description = "add or remove")
        String action;

        @Parameters(index = "1", paramLabel = "NAME",
                description = "The hook's name: lower-case letters and digits in words joined by hyphens, e.g. acme-scan.")
        String name;

        @Mixin
        Connection connection;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
                description = "Partitions of the hook's topic, if made. Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Override
        public Integer call() {
            checkPartitions(spec, partitions);
            TopicAccess.Hook hook;
            try {
                hook = new TopicAccess.Hook(name);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage() + "; got " + Excerpt.of(name));
            }
            return switch (action) {
                case "add" -> connection.run(spec, (admin, out) -> {
                    BusSetup.addHook(admin, hook, partitions);
                    out.println("Hook " + hook.name() + " may send results to " + hook.topic() + " and read "
                            + String.join(", ", TopicAccess.HOOKS_READ.stream().map(e -> e.topic()).sorted().toList())
                            + " in group " + hook.group() + ", with a certificate for CN=" + hook.principal()
                            + " from Kiln's CA (kiln certs client --cn " + hook.principal() + ")");
                });
                case "remove" -> connection.run(spec, (admin, out) -> {
                    int deleted = BusSetup.removeHook(admin, hook);
                    out.println("Hook " + hook.name() + " is shut out: deleted " + deleted + " ACLs (its topic "
                            + hook.topic() + " and the results it sent stay)");
                });
                default -> throw new ParameterException(spec.commandLine(), "Unknown action " + Excerpt.of(action)
                        + ": use add or remove");
            };
        }
    }
}
