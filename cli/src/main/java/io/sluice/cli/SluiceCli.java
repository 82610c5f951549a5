package io.sluice.cli;

import io.sluice.remoting.SluiceException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bin/sluice} command line: servers (standalone, zookeeper, nameserver, broker) and tools (cluster, topic,
 * produce, consume, bench, rpc). Errors print as {@code error: CODE: message} and exit with status 1.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, version = "Sluice 0.1.0",
        description = "Sluice messaging and RPC middleware.",
        subcommands = {
                StandaloneCommand.class,
                ZooKeeperCommand.class,
                NameServerCommand.class,
                BrokerCommand.class,
                ClusterCommand.class,
                TopicCommand.class,
                ProduceCommand.class,
                ConsumeCommand.class,
                GroupCommand.class,
                BenchCommand.class,
                RpcCommand.class,
                StopCommand.class,
                CommandLine.HelpCommand.class
        })
public final class SluiceCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int execute(String... args) {
        return execute(null, null, args);
    }

    /** Runs a command line with the given output and error writers (null: the process's own), for tests. */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new SluiceCli());
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        String unknown = unknownCommand(cli, args);
        if (unknown != null) {
            cli.getErr().println("error: " + unknown);
            return 2;
        }
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            SluiceException se = SluiceException.from(ex);
            commandLine.getErr().println("error: " + se.code().name() + ": " + se.getMessage());
            if (se.code() == io.sluice.remoting.ErrorCode.UNKNOWN) {
                ex.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    /**
     * What is wrong when the words before the first option name a command that does not exist (picocli would print
     * the help and exit 0 if {@code --help} followed them), or null. A command with subcommands takes no words of
     * its own.
     */
    static String unknownCommand(CommandLine cli, String... args) {
        CommandLine current = cli;
        String path = "sluice";
        for (String arg : args) {
            if (arg.startsWith("-") || current.getSubcommands().isEmpty()
                    || !current.getCommandSpec().positionalParameters().isEmpty()) {
                return null;
            }
            CommandLine sub = current.getSubcommands().get(arg);
            if (sub == null) {
                return "'" + path + " " + arg + "' is not a command; commands: "
                        + String.join(", ", current.getSubcommands().keySet());
            }
            current = sub;
            path = path + " " + arg;
        }
        return null;
    }
}
