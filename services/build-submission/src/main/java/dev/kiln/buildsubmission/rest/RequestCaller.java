package dev.kiln.buildsubmission.rest;

import dev.kiln.buildsubmission.domain.Caller;
import jakarta.enterprise.context.RequestScoped;

/** The caller {@link HubAuth} found for the current request. */
@RequestScoped
public class RequestCaller {
    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    public Caller get() {
        if (caller == null) {
            throw new IllegalStateException("no caller: the endpoint lacks @TokenRequired");
        }
        return caller;
    }
}
