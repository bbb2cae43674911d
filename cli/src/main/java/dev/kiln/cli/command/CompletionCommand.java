package dev.kiln.cli.command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print the bash (and zsh) completion script of kiln.",
                "Use: source <(kiln completion)   or   kiln completion > /etc/bash_completion.d/kiln"})
public class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(AutoComplete.bash("kiln", spec.root().commandLine()));
        out.flush();
        return 0;
    }
}
