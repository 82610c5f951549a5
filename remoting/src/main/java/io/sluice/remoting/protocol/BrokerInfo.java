package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** A live broker as registered in the registry. */
public final class BrokerInfo {
    @Tag(1)
    public int id;
    @Tag(2)
    public String host;
    @Tag(3)
    public int port;
    @Tag(4)
    public String rack;
    @Tag(5)
    public long startedAtMs;
    /**
     * What the broker's storage allows: {@code OK}, {@code LOW_SPACE} (free space under its floor: produces refused)
     * or {@code FULL} (its disk filled up); null from a broker that does not say.
     */
    @Tag(6)
    public String storageState;
    /** The storage state in words: free bytes, the floor, the data directory (as of the last state change). */
    @Tag(7)
    public String storageDetail;

    public BrokerInfo() {
    }
}
