package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** The membership of a group, asked of its coordinator. */
public final class DescribeGroupRequest {
    @Tag(1)
    public String groupId;

    public DescribeGroupRequest() {
    }
}
