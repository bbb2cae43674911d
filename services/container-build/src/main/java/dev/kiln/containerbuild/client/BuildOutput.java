package dev.kiln.containerbuild.client;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.BuildResponseItem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Receives the daemon's build stream. Complete lines land in a queue that the build worker drains; the daemon's
 * error (a failed instruction) and the ids of the intermediate containers are remembered.
 */
public class BuildOutput extends ResultCallback.Adapter<BuildResponseItem> {
    private static final Pattern RUNNING_IN = Pattern.compile("Running in ([0-9a-f]{12,64})");
    /** The legacy builder colours a step's stderr with ANSI escapes; log consumers get plain text. */
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final List<String> containers = new ArrayList<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile String error;
    private volatile Throwable failure;

    @Override
    public void onNext(BuildResponseItem item) {
        if (item.getStream() != null) {
            append(item.getStream());
        }
        if (item.isErrorIndicated()) {
            String message = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                    ? item.getErrorDetail().getMessage() : item.getError();
            error = message == null ? "the daemon reported an error without a message" : message.strip();
        }
    }

    private synchronized void append(String chunk) {
        partial.append(chunk);
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, nl);
            partial.delete(0, nl + 1);
            line = ANSI.matcher(line).replaceAll("");
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            Matcher m = RUNNING_IN.matcher(line);
            if (m.find()) {
                containers.add(m.group(1));
            }
            lines.add(line);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        failure = throwable;
        finish();
    }

    @Override
    public void onComplete() {
        finish();
    }

    private void finish() {
        synchronized (this) {
            if (partial.length() > 0) {
                lines.add(partial.toString());
                partial.setLength(0);
            }
        }
        done.countDown();
    }

    /** Waits up to {@code millis} for the next line; null when none came. */
    public String nextLine(long millis) throws InterruptedException {
        return millis <= 0 ? lines.poll() : lines.poll(millis, TimeUnit.MILLISECONDS);
    }

    public boolean isDone() {
        return done.getCount() == 0;
    }

    public boolean hasPendingLines() {
        return !lines.isEmpty();
    }

    /** The daemon's error text (e.g. {@code The command '/bin/sh -c exit 3' returned a non-zero code: 3}), or null. */
    public String error() {
        return error;
    }

    /** A transport failure (the stream broke), or null. */
    public Throwable failure() {
        return failure;
    }

    /** Intermediate containers the daemon reported ("Running in ..."), oldest first. */
    public synchronized List<String> containers() {
        return List.copyOf(containers);
    }

    /** Stops the build: closes the stream, which makes the daemon cancel it. */
    public void stop() {
        try {
            close();
        } catch (java.io.IOException e) {
            // closing a broken stream: nothing left to stop
        }
        done.countDown();
    }
}
