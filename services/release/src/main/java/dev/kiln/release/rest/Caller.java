package dev.kiln.release.rest;

import dev.kiln.release.domain.Principal;
import jakarta.enterprise.context.RequestScoped;

/** The principal {@link BearerAuth} found for the current request. */
@RequestScoped
public class Caller {
    private Principal principal;

    void set(Principal principal) {
        this.principal = principal;
    }

    public Principal principal() {
        if (principal == null) {
            throw new IllegalStateException("no caller: the endpoint lacks @RequiresRole");
        }
        return principal;
    }
}
