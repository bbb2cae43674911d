package dev.kiln.buildsubmission.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a token may do: maintainers build the components they own, release engineers any registered one, admins
 * everything. A service token is a Kiln service's robot account (its user is the service's name): it builds and
 * cancels nothing, and its registry access is its service's (the hub's registry token realm).
 */
public enum Role {
    MAINTAINER("maintainer"), RELEASE_ENGINEER("release-engineer"), ADMIN("admin"), SERVICE("service");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Role> fromWire(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        return Arrays.stream(values()).filter(r -> r.wireName.equals(t)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
