package dev.kiln.qa.service;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.QaOutcome;
import dev.kiln.qa.client.DockerRunner;
import dev.kiln.qa.config.QaConfig;
import dev.kiln.qa.domain.CaseResult;
import dev.kiln.qa.domain.ContainerRun;
import dev.kiln.qa.domain.RunLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The checks qa runs on every image, each its own test case ({@code kiln.image.*}). */
public final class BuiltInChecks {
    public static final String STARTS = "kiln.image.starts";
    public static final String LABELS = "kiln.image.labels";
    public static final String NO_SECRETS = "kiln.image.no-secrets";
    public static final String SIZE = "kiln.image.size";
    public static final String USER = "kiln.image.user";
    public static final List<String> ALL = List.of(STARTS, LABELS, NO_SECRETS, SIZE, USER);

    private final DockerRunner docker;
    private final QaConfig.Qa config;
    private final RunLimits limits;

    public BuiltInChecks(DockerRunner docker, QaConfig.Qa config, RunLimits limits) {
        this.docker = docker;
        this.config = config;
        this.limits = limits;
    }

    /** Runs one check against {@code reference} (pulled already) whose metadata is {@code inspect}. */
    public CaseResult run(String testCase, ImagePushed image, String reference, InspectImageResponse inspect) {
        return switch (testCase) {
            case STARTS -> starts(reference, inspect);
            case LABELS -> labels(inspect, config.requiredLabels());
            case NO_SECRETS -> noSecrets(inspect);
            case SIZE -> size(image.component(), inspect);
            case USER -> user(inspect);
            default -> throw new IllegalArgumentException("no built-in check " + testCase);
        };
    }

    private CaseResult starts(String reference, InspectImageResponse inspect) {
        ContainerConfig c = inspect.getConfig();
        boolean hasCommand = c != null && ((c.getEntrypoint() != null && c.getEntrypoint().length > 0)
                || (c.getCmd() != null && c.getCmd().length > 0));
        if (!hasCommand) {
            return CaseResult.failed("the image has no default command (no ENTRYPOINT or CMD)");
        }
        ContainerRun run = docker.run(reference, limits);
        boolean passed = !run.timedOut() && run.exitCode() != null && run.exitCode() == 0;
        return new CaseResult(passed ? QaOutcome.PASSED : QaOutcome.FAILED,
                startsSummary(run, limits));
    }

    static String startsSummary(ContainerRun run, RunLimits limits) {
        String tail = run.lastLogLines().isEmpty() ? "" : ": " + String.join("\n", run.lastLogLines());
        if (run.timedOut()) {
            return "did not exit within " + limits.timeout().toSeconds() + "s" + tail;
        }
        if (run.exitCode() != null && run.exitCode() == 0) {
            return "exited 0";
        }
        return "exited " + run.exitCode() + tail;
    }

    static CaseResult labels(InspectImageResponse inspect, List<String> required) {
        Map<String, String> labels = inspect.getConfig() == null || inspect.getConfig().getLabels() == null
                ? Map.of() : inspect.getConfig().getLabels();
        List<String> missing = new ArrayList<>();
        for (String name : required) {
            String value = labels.get(name);
            if (value == null || value.isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            return CaseResult.failed("missing required label" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
                    + "; add LABEL " + missing.get(0) + "=… to the Dockerfile");
        }
        return CaseResult.passed("required labels present: " + String.join(", ", required));
    }

    private CaseResult noSecrets(InspectImageResponse inspect) {
        List<SecretScanner.Finding> findings = docker.save(inspect.getId(),
                tar -> SecretScanner.scan(tar, config.secretScanMaxFileBytes()));
        if (findings.isEmpty()) {
            return CaseResult.passed("no private keys or credential files in any layer");
        }
        return CaseResult.failed("private keys or credential files in the image: "
                + String.join(", ", findings.stream().map(SecretScanner.Finding::toString).toList())
                + "; remove them from the build (a later RUN rm does not remove them from earlier layers)");
    }

    CaseResult size(String component, InspectImageResponse inspect) {
        long budget = config.sizeBudgets().getOrDefault(component, config.sizeBudgetBytes());
        long size = inspect.getSize() == null ? 0 : inspect.getSize();
        if (size > budget) {
            return CaseResult.failed("the image is " + human(size) + " (" + size + " bytes), over the budget of " + human(budget)
                    + " for " + component + " (kiln.qa.size-budgets." + component + ")");
        }
        return CaseResult.passed(human(size) + " of the " + human(budget) + " budget");
    }

    static CaseResult user(InspectImageResponse inspect) {
        String user = inspect.getConfig() == null || inspect.getConfig().getUser() == null ? "" : inspect.getConfig().getUser().strip();
        String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        if (name.isEmpty()) {
            return CaseResult.passed("warning: runs as root (no USER in the image)");
        }
        if (name.equals("root") || name.equals("0")) {
            return CaseResult.passed("warning: runs as root (USER " + user + ")");
        }
        return CaseResult.passed("runs as " + user);
    }

    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
