package dev.kiln.buildsubmission.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The endpoint needs a bearer token ({@code admin}: of an admin); {@link HubAuth} checks it before the request body is
 * read, and the endpoint finds the caller in {@link RequestCaller}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface TokenRequired {
    boolean admin() default false;
}
