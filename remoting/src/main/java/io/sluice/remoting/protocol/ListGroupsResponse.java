package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** The groups the answering broker coordinates (ask every broker for all of them). */
public final class ListGroupsResponse {
    @Tag(1)
    public List<GroupSummary> groups;

    public ListGroupsResponse() {
    }
}
