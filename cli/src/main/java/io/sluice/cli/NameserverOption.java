package io.sluice.cli;

import picocli.CommandLine.Option;

/** The {@code --nameserver} option every client command takes. */
final class NameserverOption {
    @Option(names = {"--nameserver", "-n"}, defaultValue = "127.0.0.1:9876", paramLabel = "HOST:PORT[,HOST:PORT]",
            description = "Nameserver address(es) (default: ${DEFAULT-VALUE}).")
    String nameservers;
}
