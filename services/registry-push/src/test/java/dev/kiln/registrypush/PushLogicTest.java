package dev.kiln.registrypush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.events.Nvr;
import dev.kiln.registrypush.domain.PushTags;
import java.util.List;
import org.junit.jupiter.api.Test;

class PushLogicTest {
    @Test
    void tagsFollowTheNvrOrTheScratchBuildId() {
        assertEquals(List.of("1.0-3"), PushTags.tags("b1", false, new Nvr("hello", "1.0", "3")));
        assertEquals(List.of("scratch-b2"), PushTags.tags("b2", true, new Nvr("hello", "1.0", null)));
        assertThrows(IllegalArgumentException.class, () -> PushTags.tags("b3", false, new Nvr("hello", "1.0", null)));
        assertEquals("hello", PushTags.repository(new Nvr("hello", "1.0", "3")));
    }
}
