package dev.kiln.buildsubmission.service;

import dev.kiln.buildsubmission.auth.AuthService;
import dev.kiln.buildsubmission.client.GitClient;
import dev.kiln.buildsubmission.client.GitSourceException;
import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.buildsubmission.domain.Build;
import dev.kiln.buildsubmission.domain.Caller;
import dev.kiln.buildsubmission.domain.ImageLocation;
import dev.kiln.buildsubmission.domain.StateMachine;
import dev.kiln.buildsubmission.domain.Transition;
import dev.kiln.buildsubmission.store.BuildStore;
import dev.kiln.buildsubmission.store.Transactions;
import dev.kiln.events.BuildCancelRequested;
import dev.kiln.events.BuildOptions;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildState;
import dev.kiln.events.BuildStateChanged;
import dev.kiln.events.Digest;
import dev.kiln.events.Nvr;
import dev.kiln.events.Source;
import dev.kiln.support.dockerfile.DockerfileParser;
import dev.kiln.support.messaging.Outbox;
import dev.kiln.support.sbom.CycloneDx;
import dev.kiln.support.text.Excerpt;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Accepting builds: reading the Dockerfile's labels, reserving the NVR, storing the build, announcing it.
 *
 * <p>Longer than the house's 300 lines: accepting and cancelling builds share the build's transaction, the NVR rules
 * and the outbox; the read side (find, list, logs, SBOM) is small.
 */
@ApplicationScoped
public class SubmissionService {
    private static final Logger LOG = Logger.getLogger(SubmissionService.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+/-]*");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._+~^]+");
    private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    /** The furthest a build list may page (PostgreSQL reads and drops every row before the offset). */
    static final long MAX_OFFSET = 1_000_000;

    private final KilnConfig config;
    private final Transactions tx;
    private final BuildStore builds;
    private final ContextService contexts;
    private final GitClient git;
    private final Outbox outbox;
    private final AuthService auth;

    public SubmissionService(KilnConfig config, Transactions tx, BuildStore builds, ContextService contexts,
            GitClient git, Outbox outbox, AuthService auth) {
        this.auth = auth;
        this.config = config;
        this.tx = tx;
        this.builds = builds;
        this.contexts = contexts;
        this.git = git;
        this.outbox = outbox;
    }

    /**
     * Accepts a build for {@code caller}, who becomes its requester (an admin may name another requester). Nothing is
     * stored when the request is refused.
     */
    public Build submit(Submission s, Caller caller) {
        boolean hasContext = s.contextDigest() != null;
        boolean hasGit = s.gitUrl() != null;
        if (hasContext == hasGit) {
            throw SubmissionException.invalid("No single source",
                    "name exactly one source: \"context\": {\"digest\": ...} or \"git\": {\"url\": ..., \"ref\": ...}");
        }
        String dockerfilePath = blankToNull(s.dockerfile()) == null ? "Dockerfile" : s.dockerfile().strip();
        checkLength(dockerfilePath, "dockerfile", config.context().maxPathLength(), "kiln.context.max-path-length");
        try {
            ContextArchive.checkRelativePath(dockerfilePath, "dockerfile " + Excerpt.of(dockerfilePath));
        } catch (ContextArchive.InvalidContextException e) {
            throw SubmissionException.invalid("Invalid Dockerfile path", e.getMessage());
        }
        boolean scratch = Boolean.TRUE.equals(s.scratch());
        String requester = caller.isAdmin() && blankToNull(s.requester()) != null
                ? auth.checkUser(s.requester(), "requester") : caller.user();
        if (s.component() != null) {
            checkLength(s.component().strip(), "component", config.limits().fieldLength(), "kiln.limits.field-length");
        }

        Source source;
        String dockerfile;
        if (hasContext) {
            String digest = s.contextDigest().strip();
            if (!Digest.isSha256(digest)) {
                throw SubmissionException.invalid("Invalid context digest",
                        "context.digest must look like sha256:<64 hex digits>, got " + Excerpt.of(digest));
            }
            InputStream archive = contexts.open(digest).orElseThrow(() -> SubmissionException.invalid(
                    "Unknown build context", "no build context " + digest + " was uploaded: POST it to /api/v1/contexts first"));
            try (archive) {
                dockerfile = ContextArchive.readFile(archive, dockerfilePath)
                        .map(b -> new String(b, StandardCharsets.UTF_8))
                        .orElseThrow(() -> SubmissionException.invalid("Dockerfile not found",
                                Excerpt.of(dockerfilePath) + " is not a file in build context " + digest));
            } catch (ContextArchive.InvalidContextException e) {
                throw SubmissionException.invalid("Invalid build context", e.getMessage());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read build context " + digest + ": " + e.getMessage(), e);
            }
            source = Source.context(digest);
        } else {
            String url = s.gitUrl().strip();
            checkLength(url, "git.url", config.limits().textLength(), "kiln.limits.text-length");
            checkGitUrl(url);
            String ref = blankToNull(s.gitRef()) == null ? "HEAD" : s.gitRef().strip();
            checkLength(ref, "git.ref", config.limits().textLength(), "kiln.limits.text-length");
            GitClient.FileAtCommit file;
            try {
                file = git.read(url, ref, dockerfilePath);
            } catch (GitSourceException e) {
                throw SubmissionException.invalid("Cannot read the git source", e.getMessage());
            }
            dockerfile = file.content();
            source = Source.git(url, ref, file.commit());
        }

        // the parser container-build's preflight uses, so both read the same labels from the same file
        DockerfileParser.Result parsed;
        try {
            parsed = DockerfileParser.parse(dockerfile);
        } catch (DockerfileParser.InvalidDockerfileException e) {
            throw SubmissionException.invalid("Unreadable Dockerfile", Excerpt.of(dockerfilePath) + ": "
                    + e.getMessage());
        }
        if (parsed.parentImage() == null) {
            throw SubmissionException.invalid("Unreadable Dockerfile", Excerpt.of(dockerfilePath)
                    + " has no FROM instruction: start it with FROM <parent image>.");
        }
        Map<String, String> labels = parsed.labels();
        String name = requireLabel(labels, "name", dockerfilePath);
        String version = requireLabel(labels, "version", dockerfilePath);
        String release = blankToNull(labels.get("release"));
        int labelLength = config.limits().labelLength();
        checkLength(name, "the name label", labelLength, "kiln.limits.label-length");
        checkLength(version, "the version label", labelLength, "kiln.limits.label-length");
        if (release != null) {
            checkLength(release, "the release label", labelLength, "kiln.limits.label-length");
        }
        if (!NAME.matcher(name).matches()) {
            throw SubmissionException.invalid("Invalid name label", "the name label " + Excerpt.of(name)
                    + " may contain only letters, digits and . _ + - /");
        }
        if (!VERSION.matcher(version).matches()) {
            throw SubmissionException.invalid("Invalid version label", "the version label " + Excerpt.of(version)
                    + " may contain only letters, digits and . _ + ~ ^ (no '-': it separates name, version and release)");
        }
        if (release != null && !VERSION.matcher(release).matches()) {
            throw SubmissionException.invalid("Invalid release label", "the release label " + Excerpt.of(release)
                    + " may contain only letters, digits and . _ + ~ ^ (no '-': it separates name, version and release)");
        }
        String component = blankToNull(s.component()) == null ? name : s.component().strip();
        checkLength(component, "the component", config.limits().fieldLength(), "kiln.limits.field-length");
        if (!COMPONENT.matcher(component).matches()) {
            throw SubmissionException.invalid("Invalid component", "the component " + Excerpt.of(component)
                    + " may contain only letters, digits and . _ + -");
        }

        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        Build build = tx.inTransaction(c -> {
            auth.authorizeBuild(c, caller, component);
            Nvr nvr;
            if (scratch) {
                nvr = new Nvr(name, version, null);
            } else if (release != null) {
                nvr = new Nvr(name, version, release);
                if (!builds.reserve(c, nvr, id)) {
                    throw new SubmissionException(SubmissionException.Kind.CONFLICT, "NVR already built",
                            nvr + " was already built; an NVR is built only once: raise the release label, or "
                                    + "remove it to get the next free release automatically");
                }
            } else {
                nvr = null;
                for (int attempt = 0; attempt < 50 && nvr == null; attempt++) {
                    Nvr next = new Nvr(name, version, Long.toString(builds.maxNumericRelease(c, name, version) + 1));
                    if (builds.reserve(c, next, id)) {
                        nvr = next;
                    }
                }
                if (nvr == null) {
                    throw new SubmissionException(SubmissionException.Kind.UNAVAILABLE, "NVR reservation contended",
                            "no release could be reserved for " + name + "-" + version + " right now: try again");
                }
            }
            Build b = new Build(id, BuildState.SUBMITTED,
                    new Build.Request(component, scratch, requester, nvr, dockerfilePath, source),
                    Build.Timeline.started(now), Build.Built.NOTHING, Build.Delivery.NOTHING);
            builds.insert(c, b);
            builds.insertHistory(c, id, BuildState.SUBMITTED, now);
            // in the build's transaction: the outbox relay sends both once it commits, whatever happens next
            outbox.add(c, new BuildRequested(id, component, source, dockerfilePath, scratch, requester, nvr,
                    BuildOptions.DEFAULT, now));
            outbox.add(c, new BuildStateChanged(id, component, null, BuildState.SUBMITTED, null, null, null, now));
            return builds.find(c, id).orElseThrow();
        });

        LOG.infof("build %s accepted: %s %s from %s", id, component, build.request().nvr(), describe(source));
        return build;
    }

    public Optional<Build> find(String id) {
        return tx.inTransaction(c -> builds.find(c, id));
    }

    /** One page of a build list, and whether another page follows. */
    public record Page(List<Build> builds, int page, int limit, boolean hasNext) {
    }

    /** Newest first, filtered; {@code since} is an ISO-8601 instant or date. */
    public Page list(String component, String state, String requester, String since, Integer limit, Integer page) {
        BuildState s = null;
        if (blankToNull(state) != null) {
            try {
                s = BuildState.valueOf(state.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw SubmissionException.invalid("Unknown state", "state must be one of "
                        + List.of(BuildState.values()) + ", got " + Excerpt.of(state));
            }
        }
        Instant from = null;
        if (blankToNull(since) != null) {
            from = parseSince(since.strip());
        }
        int max = config.builds().maxListLimit();
        int n = limit == null ? config.builds().defaultListLimit() : limit;
        if (n < 1 || n > max) {
            throw SubmissionException.invalid("Invalid limit", "limit must be between 1 and " + max + ", got " + n);
        }
        int p = page == null ? 1 : page;
        if (p < 1) {
            throw SubmissionException.invalid("Invalid page", "page counts from 1, got " + p);
        }
        if ((long) (p - 1) * n > MAX_OFFSET) {
            throw SubmissionException.invalid("Invalid page", "page " + p + " with limit " + n + " starts beyond the "
                    + MAX_OFFSET + "th build; narrow the list with component, requester, state or since instead");
        }
        BuildStore.ListFilter filter = new BuildStore.ListFilter(blankToNull(component) == null ? null : component.strip(),
                s, blankToNull(requester) == null ? null : requester.strip(), from);
        List<Build> rows = tx.inTransaction(c -> builds.list(c, filter, n + 1, (long) (p - 1) * n));
        boolean more = rows.size() > n;
        return new Page(more ? rows.subList(0, n) : rows, p, n, more);
    }

    private static Instant parseSince(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                try {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException e3) {
                    throw SubmissionException.invalid("Invalid since", "since must be an ISO-8601 instant such as "
                            + "2025-01-31T12:00:00Z or a date such as 2025-01-31, got " + Excerpt.of(text));
                }
            }
        }
    }

    /** The build's content manifest as a CycloneDX SBOM (JSON bytes); 404 until container-build reported it. */
    public byte[] sbom(String id) {
        return tx.inTransaction(c -> {
            Build b = builds.find(c, id).orElseThrow(
                    () -> SubmissionException.notFound("Build not found", "there is no build " + Excerpt.of(id)));
            List<String> packages = builds.contentManifest(c, id).orElseThrow(() -> SubmissionException.notFound(
                    "No content manifest yet", "build " + id + " is " + b.state()
                            + " and has no content manifest: it is recorded when the image is built"));
            Nvr nvr = b.request().nvr();
            CycloneDx.Subject subject = new CycloneDx.Subject(b.id(), nvr.name(), nvr.release() == null ? nvr.version()
                    : nvr.version() + "-" + nvr.release(), b.built().imageId(), b.built().parentImage(),
                    b.built().parentDigest(), null, null, null);
            ImageLocation candidate = b.delivery().candidate();
            if (candidate != null) {
                subject = subject.at(candidate.registry(), candidate.repository(), candidate.digest());
            }
            return CycloneDx.json(subject, packages, Instant.now());
        });
    }

    /** The build's log lines so far. */
    public List<String> logs(String id) {
        return tx.inTransaction(c -> {
            if (builds.find(c, id).isEmpty()) {
                throw SubmissionException.notFound("Build not found", "there is no build " + Excerpt.of(id));
            }
            return builds.logLines(c, id);
        });
    }

    /**
     * Asks container-build to stop a build ({@code kiln.build.cancel-requested}); the build becomes CANCELED when
     * container-build says it stopped, or at once when it has not started yet (still SUBMITTED).
     */
    public Build cancel(String id, Caller caller) {
        Build b = find(id).orElseThrow(() -> SubmissionException.notFound("Build not found", "there is no build " + Excerpt.of(id)));
        auth.authorizeCancel(caller, b.request().component(), b.request().requester());
        if (b.state().isTerminal()) {
            throw SubmissionException.conflict("Build already finished",
                    "build " + id + " is already " + b.state() + " and cannot be canceled");
        }
        Instant now = Instant.now();
        return tx.inTransaction(c -> {
            Build locked = builds.lock(c, id).orElseThrow();
            builds.recordCancelRequest(c, id, caller.user(), now);
            outbox.add(c, new BuildCancelRequested(id, caller.user(), "canceled by " + caller.user(), now));
            if (locked.state() == BuildState.SUBMITTED) {
                Optional<Transition> t = StateMachine.forward(locked.state(), BuildState.CANCELED);
                if (t.isPresent()) {
                    builds.applyTransition(c, id, t.get(), now, now, List.of());
                    outbox.add(c, new BuildStateChanged(id, locked.request().component(), t.get().from(),
                            t.get().to(), null, null, null, now));
                    LOG.infof("build %s: SUBMITTED -> CANCELED before it started (by %s)", id, caller.user());
                }
            }
            return builds.find(c, id).orElseThrow();
        });
    }

    /** New log batches after {@code afterSequence}, and the build's state (empty when there is no such build). */
    public record LogPoll(List<BuildStore.LogBatch> batches, BuildState state) {
    }

    public Optional<LogPoll> pollLogs(String id, long afterSequence) {
        return tx.inTransaction(c -> {
            Optional<BuildState> state = builds.state(c, id);
            if (state.isEmpty()) {
                return Optional.<LogPoll>empty();
            }
            return Optional.of(new LogPoll(builds.logBatchesAfter(c, id, afterSequence), state.get()));
        });
    }

    /** History rows after {@code afterPosition} (empty when there is no such build). */
    public Optional<List<BuildStore.HistoryRow>> pollHistory(String id, long afterPosition) {
        return tx.inTransaction(c -> builds.state(c, id).isEmpty() ? Optional.empty()
                : Optional.of(builds.historyAfter(c, id, afterPosition)));
    }

    private void checkGitUrl(String url) {
        String scheme;
        try {
            scheme = new URI(url).getScheme();
        } catch (URISyntaxException e) {
            scheme = null;
        }
        List<String> allowed = config.git().allowedSchemes();
        if (scheme == null || !allowed.contains(scheme.toLowerCase(Locale.ROOT))) {
            throw SubmissionException.invalid("Git URL not allowed", "git.url " + Excerpt.of(url) + " must be a URL "
                    + "with one of the schemes " + allowed);
        }
    }

    private static String requireLabel(Map<String, String> labels, String label, String dockerfilePath) {
        String v = blankToNull(labels.get(label));
        if (v == null) {
            throw SubmissionException.invalid("Missing " + label + " label", Excerpt.of(dockerfilePath) + " sets no '" + label
                    + "' label: add LABEL " + label + "=<" + label + "> to its final stage");
        }
        return v.strip();
    }

    /** 400 naming the field and the limit when {@code value} has more than {@code max} characters. */
    private static void checkLength(String value, String field, int max, String key) {
        if (value != null && value.length() > max) {
            throw SubmissionException.invalid("Too long", field + " is " + value.length() + " characters long; at most "
                    + max + " are allowed (" + key + "): " + Excerpt.of(value));
        }
    }

    private static String describe(Source s) {
        return s.kind() == Source.Kind.GIT ? s.gitUrl() + "#" + s.gitCommit() : s.contextDigest();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
