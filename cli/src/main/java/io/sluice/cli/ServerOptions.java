package io.sluice.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Options every server command shares: the config file and key=value overrides. */
final class ServerOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML config file (default: conf/sluice.yaml of the Sluice home).")
    Path config;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "Override a config key, e.g. --set sluice.log.retention.ms=3600000 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    void put(String key, Object value) {
        if (value != null) {
            overrides.put(key, value.toString());
        }
    }
}
