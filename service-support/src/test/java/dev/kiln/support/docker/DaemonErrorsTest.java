package dev.kiln.support.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.dockerjava.api.exception.BadRequestException;
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
}
