package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** Delete a topic and its logs. */
public final class DeleteTopicRequest {
    @Tag(1)
    public String topic;

    public DeleteTopicRequest() {
    }
}
