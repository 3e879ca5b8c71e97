package io.sightline.server.cli;

import io.sightline.server.auth.Scope;
import io.sightline.server.auth.TokenAuthenticator;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sightline token generate}: makes an API token and prints the config lines that accept it. */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Manage API tokens.", subcommands = {TokenCommand.Generate.class})
final class TokenCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: try 'sightline token generate'");
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Print a new random token once, and the auth.tokens entry (with its SHA-256) to put in the config.")
    static final class Generate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--name", defaultValue = "token", description = "A name for logs. Default: ${DEFAULT-VALUE}.")
        String name;

        @Option(names = "--scopes", split = ",", defaultValue = "read",
                description = "Comma-separated: read, write, admin. Default: ${DEFAULT-VALUE}.")
        List<String> scopes;

        @Override
        public Integer call() {
            Set<String> checked = new LinkedHashSet<>();
            for (String s : scopes) {
                if (Scope.fromConfigName(s.trim()) == null) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "Invalid value for option '--scopes': \"" + s + "\" is not read, write or admin");
                }
                checked.add(s.trim());
            }
            String token = TokenAuthenticator.newToken();
            PrintWriter out = spec.commandLine().getOut();
            out.println("token: " + token);
            out.println("# Keep the token secret; only its hash goes in the config:");
            out.println("auth:");
            out.println("  tokens:");
            out.println("    - name: " + name);
            out.println("      sha256: " + TokenAuthenticator.sha256Hex(token));
            out.println("      scopes: [" + String.join(", ", checked) + "]");
            return 0;
        }
    }
}
