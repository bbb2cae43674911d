package dev.kiln.support.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import org.junit.jupiter.api.Test;

class DaemonErrorsTest {
    @Test
    void theDaemonsJsonAnswerBecomesItsMessage() {
        assertEquals("dockerfile parse error line 3: unknown instruction: ECHO", DaemonErrors.text(new BadRequestException(
                "{\"message\":\"dockerfile parse error line 3: unknown instruction: ECHO\"}\n")));
        assertEquals("No such image: x:1", DaemonErrors.text(new NotFoundException("{\"message\":\"No such image: x:1\"}")));
    }

    @Test
    void otherTextStaysOnOneLine() {
        assertEquals("COPY failed: file not found in build context", DaemonErrors.text(
                new RuntimeException("COPY failed:\n  file not found in build context")));
        assertEquals("Status 500: {not json", DaemonErrors.text(new RuntimeException("Status 500: {not json")));
        assertEquals("no details", DaemonErrors.text(null));
    }

    @Test
    void aRefusedPullStaysRefusedAndAnAbsentRegistryMayComeBack() {
        // what dockerd 20.10 answers when a registry takes Basic credentials and none were given, or refuses them
        assertFalse(DaemonErrors.isTransientPullFailure(new InternalServerErrorException("{\"message\":\"Head "
                + "\\\"http://localhost:1/v2/base/busybox/manifests/latest\\\": no basic auth credentials\"}")));
        assertFalse(DaemonErrors.isTransientPullFailure(new InternalServerErrorException("{\"message\":\"unauthorized: "
                + "authentication required\"}")));
        assertFalse(DaemonErrors.isTransientPullFailure(new NotFoundException("{\"message\":\"manifest unknown\"}")));
        assertTrue(DaemonErrors.isTransientPullFailure(new InternalServerErrorException("{\"message\":\"Get "
                + "\\\"https://localhost:1/v2/\\\": dial tcp 127.0.0.1:1: connect: connection refused\"}")));
    }
}
