package dev.kiln.cli.service;

import dev.kiln.cli.client.ServerOutage;
import dev.kiln.cli.domain.Build;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Follows a build by polling it, printing each new state from its history as it appears, until it ends.
 * {@code kiln container-build} and {@code kiln watch} share it.
 */
public final class BuildFollower {

    /** Polls allowed after COMPLETE while the server has not filled in the image reference yet. */
    static final int COMPLETE_GRACE_POLLS = 5;

    private final Function<String, Build> fetch;
    private final Duration interval;
    private final PrintWriter out;
    private final boolean live;
    private final ServerOutage outage;
    private boolean statusShown;

    /**
     * @param fetch    reads the build record by id (GET /api/v1/builds/{id})
     * @param interval time between polls
     * @param out      where state lines go
     * @param live     on a terminal: also keep one status line (current state, time in it, total time) that is
     *                 rewritten in place on every poll and erased before anything else is printed
     */
    public BuildFollower(Function<String, Build> fetch, Duration interval, PrintWriter out, boolean live,
            ServerOutage outage) {
        this.fetch = fetch;
        this.interval = interval;
        this.out = out;
        this.live = live;
        this.outage = outage;
    }

    /** A follower that gives up at the first failure to reach the server. */
    public BuildFollower(Function<String, Build> fetch, Duration interval, PrintWriter out) {
        this(fetch, interval, out, false, new ServerOutage(Duration.ZERO, new PrintWriter(java.io.Writer.nullWriter())));
    }

    /** ANSI: back to the start of the line and erase it. */
    static final String ERASE_LINE = "\r\033[K";

    /**
     * Follows the build until it ends or {@code timeout} passes.
     *
     * @return the image reference to print: the promoted one, or the candidate for a scratch build
     * @throws BuildFailedException   the build ended FAILED or CANCELED
     * @throws FollowTimeoutException the build did not end in time
     */
    public String follow(String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int printed = 0;
        String lastState = null;
        int grace = COMPLETE_GRACE_POLLS;
        boolean answered = false;
        while (true) {
            Build build;
            try {
                build = fetch.apply(id);
                answered = true;
            } catch (RuntimeException e) {
                // a server that never answered is not there at all; one that did is restarting
                if (!answered || !ServerOutage.isAway(e) || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                clearStatus();
                out.flush();
                outage.away(e, "build " + id);
                continue;
            }
            outage.back("build " + id);
            List<Build.HistoryEntry> history = build.history();
            if (printed < history.size() || build.isTerminal()) {
                clearStatus();
            }
            if (!history.isEmpty()) {
                Instant origin = origin(build);
                for (; printed < history.size(); printed++) {
                    Build.HistoryEntry entry = history.get(printed);
                    out.println(stateLine(entry.state(), Times.elapsed(origin, Times.parse(entry.at()))));
                    lastState = upper(entry.state());
                }
            }
            if (!build.stateName().equals(lastState) && (history.isEmpty() || build.isTerminal())) {
                // No history (or it lags behind the state): show the state itself, without a time.
                out.println(stateLine(build.stateName(), null));
                lastState = build.stateName();
            }
            if (live && !build.isTerminal()) {
                showStatus(build);
            }
            out.flush();
            if (build.isTerminal()) {
                if (!build.stateName().equals("COMPLETE")) {
                    throw BuildFailedException.of(build);
                }
                String reference = resultReference(build);
                if (reference != null) {
                    return reference;
                }
                if (grace-- <= 0) {
                    throw new IllegalStateException("build " + id + " is COMPLETE but the server reports no "
                            + (build.isScratch() ? "candidate" : "promoted") + " image reference");
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                clearStatus();
                out.flush();
                throw new FollowTimeoutException(id, build.stateName(), timeout);
            }
            Thread.sleep(interval.toMillis());
        }
    }

    private void showStatus(Build build) {
        Instant now = Instant.now();
        List<Build.HistoryEntry> history = build.history();
        Instant entered = history.isEmpty() ? null : Times.parse(history.get(history.size() - 1).at());
        String inState = Times.elapsed(entered, now);
        String total = Times.elapsed(origin(build), now);
        StringBuilder line = new StringBuilder(ERASE_LINE).append(String.format(Locale.ROOT, "  %-11s ", "…"
                + build.stateName()));
        if (inState != null) {
            line.append(inState).append(" in this state");
        }
        if (total != null) {
            line.append(inState != null ? ", " : "").append(total).append(" in all");
        }
        out.print(line);
        statusShown = true;
    }

    private void clearStatus() {
        if (statusShown) {
            out.print(ERASE_LINE);
            statusShown = false;
        }
    }

    /** The promoted reference of a complete build; the candidate for a scratch build (never promoted). */
    public static String resultReference(Build build) {
        Build.ImageRef image = build.isScratch() ? build.candidate() : build.promoted();
        return image == null ? null : image.pullSpec();
    }

    /** {@code "  BUILDING    (12.3s)"}. */
    public static String stateLine(String state, String elapsed) {
        String name = upper(state);
        return elapsed == null
                ? "  " + name
                : String.format(Locale.ROOT, "  %-11s (%s)", name, elapsed);
    }

    static Instant origin(Build build) {
        Instant created = Times.parse(build.createdAt());
        if (created != null) {
            return created;
        }
        return build.history().isEmpty() ? null : Times.parse(build.history().get(0).at());
    }

    private static String upper(String s) {
        return s == null ? "UNKNOWN" : s.toUpperCase(Locale.ROOT);
    }
}
