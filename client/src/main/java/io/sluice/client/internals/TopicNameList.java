package io.sluice.client.internals;

import io.sluice.remoting.protocol.GetRoutesRequest;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.TopicRoute;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Asking a nameserver for the names of all topics without their routes (GET_ROUTES with {@code namesOnly}): what a
 * pattern subscription and a topic listing need, a few bytes per topic where every route of a cluster of 100,000
 * partitions would be megabytes. Stateless; thread-safe.
 */
final class TopicNameList {
    private TopicNameList() {
    }

    static GetRoutesRequest request() {
        GetRoutesRequest request = new GetRoutesRequest();
        request.topics = new ArrayList<>();
        request.namesOnly = true;
        return request;
    }

    /** The topic names of {@code answer}, sorted; read from the routes if the nameserver predates names-only. */
    static Set<String> names(GetRoutesResponse answer) {
        Set<String> names = new TreeSet<>();
        if (answer.topicNames != null) {
            names.addAll(answer.topicNames);
        }
        if (answer.topics != null) {
            for (TopicRoute t : answer.topics) {
                names.add(t.topic);
            }
        }
        return Collections.unmodifiableSet(names);
    }
}
