package io.sluice.client.internals;

import io.sluice.remoting.SluiceException;
import io.sluice.remoting.TopicNames;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.transport.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Knows the cluster's topic names for a pattern subscription: asks a nameserver for the names of all topics, not
 * their routes ({@link TopicNameList}; one request in
 * flight at a time, bounded by the request timeout) at most every {@code intervalMs} (the consumer's
 * {@code metadata.max.age.ms}), or sooner after {@link #requestNow()}. Internal topics (names starting with
 * {@code __}) never match. {@code wakeup} runs after each answer. Thread-safe.
 */
final class TopicPatternWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(TopicPatternWatcher.class);

    private final NameserverClient nameservers;
    private final long requestTimeoutMs;
    private final long intervalNs;
    private final Runnable wakeup;
    private Set<String> topics;
    private Pattern matchedPattern;
    private Set<String> matchedTopics;
    private Set<String> matched;
    private boolean inFlight;
    private long nextNs = System.nanoTime();
    private int failures;

    TopicPatternWatcher(NameserverClient nameservers, long requestTimeoutMs, long intervalMs, Runnable wakeup) {
        this.nameservers = nameservers;
        this.requestTimeoutMs = requestTimeoutMs;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.wakeup = wakeup;
    }

    /** Makes the next {@link #matching} call ask the nameserver. */
    synchronized void requestNow() {
        nextNs = System.nanoTime();
    }

    /**
     * The topics matching {@code pattern} (whole name) as of the latest answer, or null before the first answer;
     * starts a refresh when one is due. Returns the same instance until the topics or the pattern change.
     */
    synchronized Set<String> matching(Pattern pattern, long nowNs) {
        if (!inFlight && nowNs - nextNs >= 0) {
            inFlight = true;
            nameservers.request(ApiKey.GET_ROUTES, TopicNameList.request(), requestTimeoutMs, true)
                    .whenComplete(this::onAnswer);
        }
        if (topics == null) {
            return null;
        }
        if (topics != matchedTopics || pattern != matchedPattern) {
            Set<String> out = new TreeSet<>();
            for (String t : topics) {
                if (!TopicNames.isInternal(t) && pattern.matcher(t).matches()) {
                    out.add(t);
                }
            }
            matched = Collections.unmodifiableSet(out);
            matchedTopics = topics;
            matchedPattern = pattern;
        }
        return matched;
    }

    private void onAnswer(Response response, Throwable error) {
        try (response) {
            synchronized (this) {
                inFlight = false;
                if (error == null) {
                    topics = TopicNameList.names(response.message());
                    failures = 0;
                    nextNs = System.nanoTime() + intervalNs;
                } else {
                    failures++;
                    nextNs = System.nanoTime() + Math.min(intervalNs, TimeUnit.MILLISECONDS.toNanos(100L << Math.min(
                            failures, 6)));
                    LOG.debug("Listing topics for a pattern subscription failed: {}",
                            SluiceException.from(error).toString());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("bad topic list answer", e);
        }
        wakeup.run();
    }
}
