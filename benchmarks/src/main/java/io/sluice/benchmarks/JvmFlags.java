package io.sluice.benchmarks;

/**
 * JVM flags every JMH fork needs (Chronicle Queue on Java 17, no analytics, no disk monitor), as annotation
 * constants.
 */
public final class JvmFlags {
    static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    static final String EXPORT_NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String EXPORT_MISC = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    static final String EXPORT_JAVAC = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    static final String OPEN_JAVAC = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";
    static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    static final String OPEN_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    static final String OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    /** As bin/sluice runs servers: Sluice's StorageGuard watches the disk, Chronicle's own monitor is off. */
    static final String NO_DISK_MONITOR = "-Dchronicle.disk.monitor.disable=true";

    /** The same flags as an array, for processes a benchmark starts itself. */
    public static final String[] ALL = {EXPORT_REF, EXPORT_NIO, EXPORT_MISC, EXPORT_JAVAC, OPEN_JAVAC, OPEN_LANG,
            OPEN_REFLECT, OPEN_IO, OPEN_UTIL, NO_ANALYTICS, NO_DISK_MONITOR};

    private JvmFlags() {
    }
}
