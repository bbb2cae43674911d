package dev.kiln.cli.command;

/** {@code --output}: {@code text} for people, {@code json} for scripts (the server's JSON as it is). */
public enum OutputFormat {
    text, json
}
