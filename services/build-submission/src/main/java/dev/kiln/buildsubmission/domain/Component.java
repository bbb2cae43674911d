package dev.kiln.buildsubmission.domain;

import java.time.Instant;
import java.util.List;

/** A component (Koji's package): what may be built, and who owns it. */
public record Component(String name, List<String> owners, Instant createdAt, String createdBy) {
    public Component {
        owners = owners == null ? List.of() : List.copyOf(owners);
    }
}
