package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.client.KilnServer;
import dev.kiln.cli.domain.Build;
import dev.kiln.cli.domain.BuildRequest;
import dev.kiln.cli.domain.ContextUpload;
import dev.kiln.cli.service.ContextArchiver;
import dev.kiln.cli.service.SourceSpec;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "container-build", mixinStandardHelpOptions = true,
        description = {"Submit a container image build and follow it to its end.",
                "SOURCE is a directory (a build context, uploaded as a tar; .dockerignore is honoured; default: the "
                        + "current directory) or a git repository URL#REF (REF defaults to main), also as --git URL#REF.",
                "The last line printed is the image reference: the promoted one, or the candidate for --scratch."})
public class ContainerBuildCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Mixin
    FollowOptions followOptions;

    @Option(names = "--scratch", description = "A scratch build: not promoted, reserves no NVR.")
    boolean scratch;

    @Option(names = "--component", paramLabel = "NAME",
            description = "The component to build for (default: decided by the server).")
    String component;

    @Option(names = "--dockerfile", paramLabel = "PATH", defaultValue = "Dockerfile",
            description = "The Dockerfile, relative to the source root. Default: ${DEFAULT-VALUE}.")
    String dockerfile;

    @Option(names = "--no-wait", description = "Submit and return at once, without following the build.")
    boolean noWait;

    @Option(names = "--requester", paramLabel = "NAME",
            description = "Submit on behalf of NAME (admins only; for everyone else the hub records the token's user).")
    String requester;

    @Option(names = "--git", paramLabel = "URL#REF",
            description = "Build from a git repository at REF (a branch, tag or commit; default main); the hub "
                    + "resolves and records the commit.")
    String git;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SOURCE",
            description = "A context directory (default: the current one), or a git URL#REF.")
    String source;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() throws Exception {
        SourceSpec spec0 = parseSource();
        String who = requester == null || requester.isBlank() ? null : requester.strip();
        String dockerfilePath = dockerfile == null || dockerfile.isBlank() ? "Dockerfile" : dockerfile.strip();
        KilnServer server = serverOptions.connect(json);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        BuildRequest request;
        if (spec0 instanceof SourceSpec.ContextDir ctx) {
            checkDockerfile(ctx.dir(), dockerfilePath);
            Path tar = ContextArchiver.writeTemp(ctx.dir(), dockerfilePath);
            try {
                ContextUpload upload = server.uploadContext(tar);
                if (serverOptions.verbose()) {
                    err.println("Uploaded build context " + ctx.dir() + " (" + Files.size(tar) + " bytes): "
                            + upload.digest());
                    err.flush();
                }
                request = new BuildRequest(component, new BuildRequest.ContextSource(upload.digest()), null,
                        dockerfilePath, scratch, who);
            } finally {
                Files.deleteIfExists(tar);
            }
        } else {
            SourceSpec.Git git = (SourceSpec.Git) spec0;
            request = new BuildRequest(component, null, new BuildRequest.GitSource(git.url(), git.ref()),
                    dockerfilePath, scratch, who);
        }

        Build build = server.submit(request);
        String what = build.nvrText() != null ? build.nvrText()
                : build.component() != null ? build.component() : "(NVR not known yet)";
        out.println("Build " + build.id() + " submitted: " + what);
        out.flush();
        if (noWait) {
            return 0;
        }
        String reference = followOptions.follower(server, out, spec.commandLine().getErr())
                .follow(build.id(), followOptions.timeout());
        out.println(reference);
        if (serverOptions.verbose()) {
            err.println("Logs: kiln logs " + build.id());
        }
        out.flush();
        return 0;
    }

    private SourceSpec parseSource() {
        followOptions.timeout(); // validate options before any work
        if (git != null && source != null) {
            throw new ParameterException(spec.commandLine(), "Give either --git URL#REF or a SOURCE, not both");
        }
        try {
            if (git != null) {
                return SourceSpec.parseGit(git);
            }
            return SourceSpec.parse(source == null ? "." : source);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void checkDockerfile(Path dir, String dockerfilePath) {
        Path root = dir.toAbsolutePath().normalize();
        Path file = root.resolve(dockerfilePath).normalize();
        if (!file.startsWith(root)) {
            throw new ParameterException(spec.commandLine(),
                    "--dockerfile " + dockerfilePath + " is outside the build context " + dir);
        }
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(),
                    "No " + dockerfilePath + " in the build context " + dir + " (see --dockerfile)");
        }
    }
}
