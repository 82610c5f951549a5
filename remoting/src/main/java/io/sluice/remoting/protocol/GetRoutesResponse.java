package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** Routes with the route table version they come from; brokers lists every live broker. */
public final class GetRoutesResponse {
    @Tag(1)
    public long version;
    @Tag(2)
    public List<TopicRoute> topics;
    @Tag(3)
    public List<BrokerInfo> brokers;
    /** requested topics that do not exist */
    @Tag(4)
    public List<String> unknownTopics;
    /** every topic's name, sorted: set (and {@code topics} left empty) when the request asked for names only */
    @Tag(5)
    public List<String> topicNames;

    public GetRoutesResponse() {
    }
}
