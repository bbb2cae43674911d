package dev.kiln.cli.command;

import dev.kiln.events.TopicAccess;
import dev.kiln.support.tls.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kiln certs init|server|client}: the internal CA and the certificates of the Docker daemon's and the Kafka
 * broker's mutual TLS. A client certificate's common name is its principal on the bus ({@code User:<cn>}).
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Make the internal CA and the server/client certificates for the mutual TLS of the Docker daemon"
                + " and the Kafka broker (a client's --cn is its principal on the bus).",
        subcommands = {CertsCommand.Init.class, CertsCommand.Server.class, CertsCommand.Client.class,
            CertsCommand.Bus.class})
public class CertsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing sub-command: init, server, client or bus");
    }

    static Duration days(Integer days, Duration otherwise, CommandSpec spec) {
        if (days == null) {
            return otherwise;
        }
        if (days <= 0) {
            throw new ParameterException(spec.commandLine(), "--days must be a positive number, got " + days);
        }
        return Duration.ofDays(days);
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create a CA (ca.pem, ca-key.pem 0600) in DIR; an existing CA there is kept.")
    public static class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where the CA lives.")
        Path dir;

        @Option(names = "--cn", paramLabel = "NAME", defaultValue = "Kiln internal CA",
                description = "The CA's common name. Default: ${DEFAULT-VALUE}.")
        String commonName;

        @Option(names = "--days", paramLabel = "N", description = "Validity in days. Default: 3650.")
        Integer days;

        @Override
        public Integer call() {
            boolean existed = Files.exists(dir.resolve(CertificateAuthority.CA_CERT));
            CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, commonName,
                    days(days, CertificateAuthority.DEFAULT_CA_VALIDITY, spec));
            spec.commandLine().getOut().println((existed ? "Kept the CA in " : "Created a CA in ") + dir + ": "
                    + ca.certificate().getSubjectX500Principal().getName() + ", valid until "
                    + ca.certificate().getNotAfter().toInstant());
            return 0;
        }
    }

    @Command(name = "server", mixinStandardHelpOptions = true,
            description = "Issue a server certificate (cert.pem, key.pem and keystore.pem 0600, ca.pem) into OUT, signed by the CA in --ca.")
    public static class Server implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The CA's directory (kiln certs init).")
        Path ca;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the certificate.")
        Path out;

        @Option(names = "--cn", paramLabel = "NAME", defaultValue = "kiln-dockerd",
                description = "Common name. Default: ${DEFAULT-VALUE}.")
        String commonName;

        @Option(names = "--dns", paramLabel = "NAME", split = ",", defaultValue = "localhost",
                description = "DNS names (repeatable or comma-separated). Default: ${DEFAULT-VALUE}.")
        List<String> dns;

        @Option(names = "--ip", paramLabel = "ADDRESS", split = ",", defaultValue = "127.0.0.1",
                description = "IP addresses (repeatable or comma-separated). Default: ${DEFAULT-VALUE}.")
        List<String> ips;

        @Option(names = "--days", paramLabel = "N", description = "Validity in days. Default: 365.")
        Integer days;

        @Option(names = "--peer", description = "Also a client certificate (extended key usage clientAuth), for a"
                + " server that connects to its peers over the same mutual TLS: a Kafka broker and its controller.")
        boolean peer;

        @Option(names = "--if-missing", description = "Keep an existing certificate in OUT.")
        boolean ifMissing;

        @Override
        public Integer call() {
            Duration validity = days(days, CertificateAuthority.DEFAULT_VALIDITY, spec);
            return issue(spec, ca, out, ifMissing, "server", authority -> peer
                    ? authority.issuePeer(commonName, dns, ips, validity)
                    : authority.issueServer(commonName, dns, ips, validity));
        }
    }

    @Command(name = "client", mixinStandardHelpOptions = true,
            description = "Issue a client certificate (cert.pem, key.pem and keystore.pem 0600, ca.pem) into OUT, signed by the CA in --ca.")
    public static class Client implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The CA's directory (kiln certs init).")
        Path ca;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the certificate.")
        Path out;

        @Option(names = "--cn", paramLabel = "NAME", defaultValue = "kiln-client",
                description = "Common name. Default: ${DEFAULT-VALUE}.")
        String commonName;

        @Option(names = "--days", paramLabel = "N", description = "Validity in days. Default: 365.")
        Integer days;

        @Option(names = "--if-missing", description = "Keep an existing certificate in OUT.")
        boolean ifMissing;

        @Override
        public Integer call() {
            Duration validity = days(days, CertificateAuthority.DEFAULT_VALIDITY, spec);
            return issue(spec, ca, out, ifMissing, "client", authority -> authority.issueClient(commonName, validity));
        }
    }

    @Command(name = "bus", mixinStandardHelpOptions = true,
            description = "Issue the bus's certificates into OUT/<principal>, where missing: the broker's (kiln-kafka,"
                    + " server and client), the operator's (kiln-admin) and one per Kiln service, named as the"
                    + " broker's ACLs name them.")
    public static class Bus implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The CA's directory (kiln certs init).")
        Path ca;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the principals' directories go.")
        Path out;

        @Option(names = "--dns", paramLabel = "NAME", split = ",", defaultValue = "localhost",
                description = "The broker's DNS names. Default: ${DEFAULT-VALUE}.")
        List<String> dns;

        @Option(names = "--ip", paramLabel = "ADDRESS", split = ",", defaultValue = "127.0.0.1",
                description = "The broker's IP addresses. Default: ${DEFAULT-VALUE}.")
        List<String> ips;

        @Option(names = "--days", paramLabel = "N", description = "Validity in days. Default: 365.")
        Integer days;

        @Override
        public Integer call() {
            Duration validity = days(days, CertificateAuthority.DEFAULT_VALIDITY, spec);
            issue(spec, ca, out.resolve(TopicAccess.BROKER), true, "server",
                    authority -> authority.issuePeer(TopicAccess.BROKER, dns, ips, validity));
            List<String> clients = new ArrayList<>(List.of(TopicAccess.OPERATOR));
            TopicAccess.SERVICES.forEach(s -> clients.add(s.service()));
            for (String principal : clients) {
                issue(spec, ca, out.resolve(principal), true, "client",
                        authority -> authority.issueClient(principal, validity));
            }
            return 0;
        }
    }

    static int issue(CommandSpec spec, Path caDir, Path out, boolean ifMissing, String kind,
            Function<CertificateAuthority, CertificateAuthority.Issued> issuer) {
        if (!Files.exists(caDir.resolve(CertificateAuthority.CA_CERT))) {
            throw new ParameterException(spec.commandLine(), "No CA in " + caDir + " (no " + CertificateAuthority.CA_CERT
                    + "): create one with kiln certs init --dir " + caDir);
        }
        if (ifMissing && Files.exists(out.resolve(CertificateAuthority.CERT))
                && Files.exists(out.resolve(CertificateAuthority.KEYSTORE))) {
            spec.commandLine().getOut().println("Kept the " + kind + " certificate in " + out);
            return 0;
        }
        CertificateAuthority.Issued issued = issuer.apply(CertificateAuthority.load(caDir));
        issued.writeTo(out);
        spec.commandLine().getOut().println("Issued a " + kind + " certificate in " + out + ": "
                + issued.certificate().getSubjectX500Principal().getName() + ", valid until "
                + issued.certificate().getNotAfter().toInstant());
        return 0;
    }
}
