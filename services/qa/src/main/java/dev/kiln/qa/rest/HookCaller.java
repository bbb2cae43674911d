package dev.kiln.qa.rest;

import jakarta.enterprise.context.RequestScoped;

/** The hook {@link HookAuth} found for the current request. */
@RequestScoped
public class HookCaller {
    private String hook;

    void set(String hook) {
        this.hook = hook;
    }

    public String hook() {
        if (hook == null) {
            throw new IllegalStateException("no hook: the endpoint lacks @HookToken");
        }
        return hook;
    }
}
