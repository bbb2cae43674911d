package dev.kiln.cli.command;

import dev.kiln.support.tls.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kiln certs init|server|client}: the internal CA for the Docker daemon's mutual TLS. */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Make the internal CA and the server/client certificates for the Docker daemon's mutual TLS.",
        subcommands = {CertsCommand.Init.class, CertsCommand.Server.class, CertsCommand.Client.class})
public class CertsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing sub-command: init, server or client");
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
            description = "Issue a server certificate (cert.pem, key.pem 0600, ca.pem) into OUT, signed by the CA in --ca.")
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

        @Option(names = "--if-missing", description = "Keep an existing cert.pem/key.pem in OUT.")
        boolean ifMissing;

        @Override
        public Integer call() {
            Duration validity = days(days, CertificateAuthority.DEFAULT_VALIDITY, spec);
            return issue(spec, ca, out, ifMissing, "server",
                    authority -> authority.issueServer(commonName, dns, ips, validity));
        }
    }

    @Command(name = "client", mixinStandardHelpOptions = true,
            description = "Issue a client certificate (cert.pem, key.pem 0600, ca.pem) into OUT, signed by the CA in --ca.")
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

        @Option(names = "--if-missing", description = "Keep an existing cert.pem/key.pem in OUT.")
        boolean ifMissing;

        @Override
        public Integer call() {
            Duration validity = days(days, CertificateAuthority.DEFAULT_VALIDITY, spec);
            return issue(spec, ca, out, ifMissing, "client", authority -> authority.issueClient(commonName, validity));
        }
    }

    static int issue(CommandSpec spec, Path caDir, Path out, boolean ifMissing, String kind,
            java.util.function.Function<CertificateAuthority, CertificateAuthority.Issued> issuer) {
        if (!Files.exists(caDir.resolve(CertificateAuthority.CA_CERT))) {
            throw new ParameterException(spec.commandLine(), "No CA in " + caDir + " (no " + CertificateAuthority.CA_CERT
                    + "): create one with kiln certs init --dir " + caDir);
        }
        if (ifMissing && Files.exists(out.resolve(CertificateAuthority.CERT)) && Files.exists(out.resolve(CertificateAuthority.KEY))) {
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
