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

    public BrokerInfo() {
    }
}
