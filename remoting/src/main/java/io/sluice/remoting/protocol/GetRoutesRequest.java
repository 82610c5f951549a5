package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** Ask a nameserver for the routes of the named topics (all topics when the list is empty). */
public final class GetRoutesRequest {
    @Tag(1)
    public List<String> topics;

    public GetRoutesRequest() {
    }
}
