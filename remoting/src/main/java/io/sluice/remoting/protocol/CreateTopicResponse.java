package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** The new topic's route. */
public final class CreateTopicResponse {
    @Tag(1)
    public TopicRoute route;

    public CreateTopicResponse() {
    }
}
