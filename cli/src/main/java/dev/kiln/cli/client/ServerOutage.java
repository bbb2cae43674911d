package dev.kiln.cli.client;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Riding out a server that goes away while a build is followed (a hub restarting, a proxy answering 502/503/504):
 * one notice when it goes, one when it is back, pauses that grow to {@link #MAX_PAUSE} between tries, and the failure
 * itself once the server has been away longer than the limit.
 */
public final class ServerOutage {
    static final Duration FIRST_PAUSE = Duration.ofMillis(500);
    static final Duration MAX_PAUSE = Duration.ofSeconds(5);

    private final Duration limit;
    private final PrintWriter notices;
    private long since = -1;
    private Duration pause = FIRST_PAUSE;

    /**
     * @param limit   how long the server may be away before following gives up
     * @param notices where the notices go (standard error, so that a pipe of the output stays clean)
     */
    public ServerOutage(Duration limit, PrintWriter notices) {
        this.limit = limit;
        this.notices = notices;
    }

    /** Whether {@code failure} means the server is away for now, rather than refusing the request. */
    public static boolean isAway(RuntimeException failure) {
        if (failure instanceof ServerUnreachableException) {
            return true;
        }
        return failure instanceof ServerResponseException r
                && (r.status() == 502 || r.status() == 503 || r.status() == 504);
    }

    /**
     * The server is away ({@code failure}): says so the first time, throws {@code failure} once it has been away
     * longer than the limit, else waits before the next try.
     */
    public void away(RuntimeException failure, String following) throws InterruptedException {
        long now = System.nanoTime();
        if (since < 0) {
            since = now;
            notices.println("kiln: " + oneLine(failure.getMessage()) + "; following " + following
                    + " again when the server is back (giving up after " + seconds(limit) + ")");
            notices.flush();
        } else if (now - since > limit.toNanos()) {
            throw failure;
        }
        Thread.sleep(pause.toMillis());
        pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
    }

    /** The server answered: says it is back if it was away. */
    public void back(String following) {
        if (since >= 0) {
            notices.println("kiln: the server is back after " + seconds(Duration.ofNanos(System.nanoTime() - since))
                    + "; following " + following + " again");
            notices.flush();
            since = -1;
            pause = FIRST_PAUSE;
        }
    }

    private static String seconds(Duration d) {
        return Math.max(1, Math.round(d.toMillis() / 1000.0)) + "s";
    }

    private static String oneLine(String s) {
        return s == null ? "the Kiln server is not answering" : s.replaceAll("\\s+", " ").strip();
    }
}
