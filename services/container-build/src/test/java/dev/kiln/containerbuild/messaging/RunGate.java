package dev.kiln.containerbuild.messaging;

import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A loopback HTTP endpoint that a build's {@code RUN} step calls (builds of the component
 * {@link BuilderResource#HOST_NETWORK_COMPONENT} run with network host): the step goes on only when the answer is
 * {@code go}. The answer may block, which holds the step, and so the build, while the test looks at it.
 */
final class RunGate implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;
    private final Semaphore calls = new Semaphore(0);

    private RunGate(Supplier<String> answer) throws IOException {
        threads = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/gate", exchange -> {
            calls.release();
            byte[] body = (answer.get() + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** A gate whose every call is answered by {@code answer} (called on the request's own thread). */
    static RunGate answering(Supplier<String> answer) throws IOException {
        return new RunGate(answer);
    }

    /** A gate that answers {@code go} only once {@code parties} calls are waiting at it at the same time. */
    static RunGate barrier(int parties) throws IOException {
        CountDownLatch all = new CountDownLatch(parties);
        return new RunGate(() -> {
            all.countDown();
            try {
                return all.await(100, TimeUnit.SECONDS) ? "go" : "alone";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        });
    }

    /** The Dockerfile line that waits at this gate and fails unless it is let through. */
    String runLine() {
        return "RUN wget -q -O /gate http://127.0.0.1:" + server.getAddress().getPort() + "/gate && cat /gate && grep go /gate\n";
    }

    /** Waits until the gate has been called {@code n} times in all (so many RUN steps reached it). */
    void awaitCalls(int n, Duration wait) throws InterruptedException {
        if (!calls.tryAcquire(n, wait.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("fewer than " + n + " RUN steps called the gate within " + wait);
        }
        calls.release(n);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
