package dev.kiln.qa.service;

import dev.kiln.events.ImageReference;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.qa.config.QaConfig;
import dev.kiln.qa.domain.Run;
import dev.kiln.qa.domain.StoredResult;
import dev.kiln.qa.store.QaDatabase;
import dev.kiln.support.messaging.PermanentFailure;
import dev.kiln.support.rest.ProblemException;
import dev.kiln.support.text.Excerpt;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Results reported by external QA hooks, over REST or on the hook's own Kafka topic. Over REST a hook authenticates
 * with a bearer token from {@code kiln.qa.hook-tokens}; on Kafka with its certificate, which only its topic
 * ({@code kiln.qa.hook.<name>}) accepts. Either way its name becomes the reporter. Test cases under {@code kiln.}
 * belong to qa.
 */
@ApplicationScoped
public class HookResults {
    private static final Logger LOG = Logger.getLogger(HookResults.class);
    static final Pattern TEST_CASE = Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*");

    /** A refusal: HTTP status, title, detail (answered by service-support's problem mappers). */
    public static class Refused extends ProblemException {
        public Refused(int status, String title, String detail) {
            super(status, title, detail);
        }
    }

    /** What a hook sends: the test case, outcome, note, a link, the subject {@code item} and optionally the build id. */
    public record Submission(String testcase, String outcome, String note, String refUrl, String item, String buildId) {
    }

    @Inject
    QaConfig config;

    @Inject
    QaDatabase db;

    @Inject
    ResultRecorder recorder;

    private final Map<String, String> hooksByToken = new LinkedHashMap<>();

    @PostConstruct
    void init() {
        for (String entry : config.qa().hookTokens().orElse(List.of())) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalStateException("kiln.qa.hook-tokens entries must be <token>:<hook name>; one is not");
            }
            String name = entry.substring(colon + 1).strip();
            if (!TEST_CASE.matcher(name).matches() || name.equals(QaRunService.REPORTER)) {
                throw new IllegalStateException("kiln.qa.hook-tokens: hook name \"" + name
                        + "\" must be lower-case letters, digits and . _ - and not " + QaRunService.REPORTER);
            }
            hooksByToken.put(entry.substring(0, colon).strip(), name);
        }
    }

    /** The hook a bearer token belongs to; empty for a token that is not one of {@code kiln.qa.hook-tokens}. */
    public Optional<String> hookFor(String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        String hook = null;
        for (Map.Entry<String, String> e : hooksByToken.entrySet()) {
            if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                hook = e.getValue();
            }
        }
        return Optional.ofNullable(hook);
    }

    /** Validates, stores and publishes a hook's result as reporter {@code hook}. */
    public StoredResult submit(String hook, Submission s) {
        return submit(hook, s, ResultRecorder.now());
    }

    /**
     * A result hook {@code hook} sent on its own topic: checked as {@link #submit} checks a posted one, and for the
     * reporter it claims (none, or its own name); stored with the result's own time, so a record delivered again is
     * stored once, and sent on as {@code kiln.qa.result}.
     *
     * @throws PermanentFailure (a dead letter) for a result that cannot be taken, with the reason
     */
    public StoredResult relay(String hook, QaResult e) {
        try {
            if (e.reporter() != null && !e.reporter().equals(hook)) {
                throw invalid("a hook reports under its own name: this is hook " + hook + "'s topic, but the result"
                        + " names reporter " + Excerpt.of(e.reporter()));
            }
            String item = e.subjectRepository() + "@" + e.subjectDigest();
            return submit(hook, new Submission(e.testCase(), e.outcome() == null ? null : e.outcome().name(),
                    e.summary(), e.logUrl(), item, e.buildId()), e.time().truncatedTo(ChronoUnit.MICROS));
        } catch (Refused r) {
            LOG.warnf("refused a result on hook %s's topic: %s", hook, r.getMessage());
            throw new PermanentFailure(null, "hook-result-refused", r.getMessage());
        }
    }

    private StoredResult submit(String hook, Submission s, Instant time) {
        if (s == null) {
            throw new Refused(400, "Missing body", "send a JSON body with testcase, outcome and item");
        }
        checkText("testcase", s.testcase(), 128, false);
        checkText("note", s.note(), 8192, true);
        checkText("ref_url", s.refUrl(), 2048, false);
        checkText("item", s.item(), 512, false);
        checkText("build_id", s.buildId(), 128, false);
        if (s.testcase() == null || !TEST_CASE.matcher(s.testcase()).matches()) {
            throw invalid("testcase must be a dotted lower-case name like acme.scan.cve, got " + Excerpt.of(s.testcase()));
        }
        if (s.testcase().startsWith("kiln.")) {
            throw invalid("test case names starting with kiln. are reserved for qa's own checks; use your own prefix, e.g. "
                    + hook + "." + Excerpt.of(s.testcase().substring(5)).replace("\"", ""));
        }
        QaOutcome outcome;
        try {
            outcome = QaOutcome.valueOf(s.outcome() == null ? "" : s.outcome());
        } catch (IllegalArgumentException e) {
            throw invalid("outcome must be one of PASSED, FAILED, ERROR, NEEDS_INSPECTION, QUEUED, RUNNING, got " + Excerpt.of(s.outcome()));
        }
        ImageReference item = image(s.item());
        String digest = item.digest().toString();
        String buildId = s.buildId();
        if (buildId == null || buildId.isBlank()) {
            Optional<Run> run = db.runsOf(digest).stream().findFirst();
            if (run.isEmpty()) {
                throw invalid("qa has not seen an image with digest " + digest + "; give its build_id");
            }
            buildId = run.get().buildId();
        }
        StoredResult stored = recorder.record(new StoredResult(0, null, buildId, item.name(), digest, s.testcase(), outcome,
                s.note(), hook, s.refUrl(), time, null));
        LOG.infof("hook %s reported %s %s for %s", hook, s.testcase(), outcome, s.item());
        return stored;
    }

    /** At most {@code max} characters, no NUL or other control characters (newlines and tabs in {@code multiline}). */
    private static void checkText(String field, String value, int max, boolean multiline) {
        if (value == null) {
            return;
        }
        if (value.length() > max) {
            throw invalid(field + " must be at most " + max + " characters, got " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) {
                throw invalid(field + " must not contain control characters" + (multiline ? " other than newlines and tabs" : "")
                        + ", got " + Excerpt.of(value));
            }
        }
    }

    /** The subject of a result: an image by digest in a named repository. */
    private static ImageReference image(String item) {
        try {
            ImageReference ref = ImageReference.parse(item);
            if (ref.digest() != null && ref.name().contains("/")) {
                return ref;
            }
        } catch (IllegalArgumentException e) {
            // answered below, with the rule
        }
        throw invalid("item must be the image reference <registry>/<repository>@sha256:<64 hex>, got " + Excerpt.of(item));
    }

    private static Refused invalid(String detail) {
        return new Refused(422, "Invalid result", detail);
    }
}
