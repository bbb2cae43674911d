package dev.kiln.release.service;

import dev.kiln.release.config.ReleaseConfig;
import dev.kiln.support.messaging.RetryPolicy;
import dev.kiln.support.text.Failures;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The release service's one background thread: every {@code kiln.release.scan-interval}, or at once when woken
 * (an event or a waiver made a promotion due), it carries out due automatic promotions and sends the decisions whose
 * waiver window has passed as final ({@link ReleaseService#runDuePromotions()},
 * {@link ReleaseService#finalizeDueDecisions()}). All its work is queued in the database, so a restarted or another
 * instance picks up whatever a dead one left.
 */
@ApplicationScoped
public class ReleaseWorker {
    private static final Logger LOG = Logger.getLogger(ReleaseWorker.class);

    @Inject
    ReleaseService release;

    @Inject
    ReleaseConfig config;

    private final Object signal = new Object();
    private volatile boolean woken;
    private volatile boolean running;
    private Thread thread;

    void start(@Observes StartupEvent started) {
        running = true;
        thread = new Thread(this::loop, "kiln-release-worker");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent stopping) {
        running = false;
        wake();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Look now: a promotion may have become due. */
    public void wake() {
        woken = true;
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void loop() {
        RetryPolicy policy = RetryPolicy.configured();
        int failures = 0;
        while (running) {
            try {
                release.runDuePromotions();
                release.finalizeDueDecisions();
                failures = 0;
                idle(config.release().scanInterval().toMillis());
            } catch (RuntimeException e) {
                failures++;
                LOG.warnf("release worker: %s (trying again)", Failures.message(e));
                policy.pause(failures, () -> !running);
            }
        }
    }

    private void idle(long millis) {
        synchronized (signal) {
            if (!woken && running) {
                try {
                    signal.wait(Math.max(1, millis));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            woken = false;
        }
    }
}
