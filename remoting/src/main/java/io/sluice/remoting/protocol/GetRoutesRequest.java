package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/**
 * Ask a nameserver for the routes of the named topics (all topics when the list is empty), or, with
 * {@code namesOnly}, for the names of all topics and no routes (what a pattern subscription or a topic listing
 * needs, a few bytes per topic however many partitions the cluster has). A nameserver that predates
 * {@code namesOnly} ignores it and answers with every route; the names are then read from those.
 */
public final class GetRoutesRequest {
    @Tag(1)
    public List<String> topics;
    @Tag(2)
    public boolean namesOnly;

    public GetRoutesRequest() {
    }
}
