package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.broker.fetch.FetchAnswer;
import io.sluice.broker.fetch.FetchReader;
import io.sluice.broker.fetch.FetchSession;
import io.sluice.broker.fetch.FetchSessionCache;
import io.sluice.broker.partition.Partition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.FetchPartition;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves multi-partition fetches, in fetch sessions or without, with long polling: while fewer than
 * {@code minBytes} are readable across the partitions (and none has an error to report), the request parks on all
 * of them until an append or a high-watermark move on any wakes it, or its max wait passes; so an idle fetcher
 * costs one request per max wait, however many partitions it reads. The number of requests parked at once is
 * bounded; past the bound a request is answered at once. A parked request whose connection closes is dropped at
 * once (it frees its place); one answered while its connection's answers are backed up (the client does not read
 * them) is answered without records, so a client cannot make the broker read into memory what it will not take.
 * Whole-request errors (a bad request, an unknown session, a wrong session epoch) are error answers; everything
 * about one partition is answered in its entry.
 */
public final class FetchHandler implements RequestHandler {
    private final FetchReader reader;
    private final FetchSessionCache sessions;
    private final long maxWaitMs;
    private final int maxBytes;
    private final int maxParked;
    private final AtomicInteger parkedCount = new AtomicInteger();
    private final AtomicInteger rotation = new AtomicInteger();

    public FetchHandler(FetchReader reader, FetchSessionCache sessions, long maxWaitMs, int maxBytes, int maxParked) {
        this.reader = reader;
        this.sessions = sessions;
        this.maxWaitMs = maxWaitMs;
        this.maxBytes = maxBytes;
        this.maxParked = maxParked;
    }

    /** Requests parked now, waiting for data. */
    public int parked() {
        return parkedCount.get();
    }

    @Override
    public void handle(RequestContext ctx, Object message, ByteBuf ignored) {
        FetchRequest request = (FetchRequest) message;
        validate(request);
        long nowMs = System.currentTimeMillis();
        Fetch fetch = open(ctx, request, nowMs);
        if (fetch.follower) {
            reader.followerFetched(fetch.entries, request.replicaId, nowMs);
        }
        long wait = Math.min(Math.max(0, request.maxWaitMs), maxWaitMs);
        fetch.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
        evaluate(fetch, wait == 0);
    }

    private static void validate(FetchRequest request) {
        if (request.maxBytes <= 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "fetch maxBytes must be positive, not "
                    + request.maxBytes);
        }
        int count = request.partitions == null ? 0 : request.partitions.size();
        if (count > FetchRequest.MAX_PARTITIONS) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "a fetch may name at most "
                    + FetchRequest.MAX_PARTITIONS + " partitions, not " + count);
        }
        if (request.forgotten != null && request.forgotten.size() > FetchRequest.MAX_PARTITIONS) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "a fetch may forget at most "
                    + FetchRequest.MAX_PARTITIONS + " partitions, not " + request.forgotten.size());
        }
        if (request.partitions != null) {
            for (FetchPartition p : request.partitions) {
                if (p == null || p.partitionMaxBytes <= 0) {
                    throw new SluiceException(ErrorCode.INVALID_REQUEST, "fetch partitionMaxBytes must be positive"
                            + (p == null ? "" : ", not " + p.partitionMaxBytes + " for " + p.topic + "-"
                            + p.partition));
                }
            }
        }
    }

    /** Resolves the request's session (creating, closing or continuing one) into the partitions to fetch. */
    private Fetch open(RequestContext ctx, FetchRequest request, long nowMs) {
        List<FetchPartition> listed = request.partitions == null ? List.of() : request.partitions;
        int epoch = request.sessionEpoch;
        if (epoch == FetchRequest.INITIAL_EPOCH || epoch == FetchRequest.FINAL_EPOCH) {
            if (request.sessionId != 0) {
                sessions.remove(request.sessionId, null);
            }
            FetchSession session = null;
            if (epoch == FetchRequest.INITIAL_EPOCH) {
                session = sessions.create(request.replicaId, nowMs);
            } else {
                sessions.countSessionless();
            }
            if (session == null) {
                List<FetchSession.Entry> entries = new ArrayList<>(listed.size());
                for (FetchPartition p : listed) {
                    entries.add(FetchSession.Entry.of(p));
                }
                int start = entries.isEmpty() ? 0 : Math.floorMod(rotation.getAndIncrement(), entries.size());
                return new Fetch(ctx, request, null, entries, start, false);
            }
            session.apply(listed, null);
            FetchSession created = session;
            created.onRemoved(ctx.onConnectionClosed(() -> sessions.remove(created.id(), created)));
            return new Fetch(ctx, request, session, session.entries(), 0, false);
        }
        FetchSession session = sessions.get(request.sessionId, nowMs);
        if (session == null || session.replicaId() != request.replicaId) {
            throw new SluiceException(ErrorCode.FETCH_SESSION_ID_NOT_FOUND, "fetch session " + request.sessionId
                    + " is not held by this broker (it restarted, evicted the session or its connection closed):"
                    + " send a full fetch");
        }
        if (!session.acceptEpoch(epoch)) {
            throw new SluiceException(ErrorCode.INVALID_FETCH_SESSION_EPOCH, "fetch session " + request.sessionId
                    + " expects epoch " + session.nextEpoch() + ", not " + epoch + ": send a full fetch");
        }
        int after = session.sizeAfter(listed, request.forgotten);
        if (after > FetchRequest.MAX_PARTITIONS) {
            sessions.remove(session.id(), session);
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "fetch session " + session.id() + " would hold "
                    + after + " partitions, more than " + FetchRequest.MAX_PARTITIONS);
        }
        session.apply(listed, request.forgotten);
        return new Fetch(ctx, request, session, session.entries(), 0, true);
    }

    /**
     * Answers now if something is worth answering ({@code minBytes} readable, an error, or no time left), else
     * parks the request on its partitions.
     */
    private void evaluate(Fetch fetch, boolean last) {
        RequestContext ctx = fetch.ctx;
        if (ctx.isDone()) {
            return;
        }
        // with minBytes at most 1, any readable record answers the fetch: the look may stop at the first one
        boolean mayWaitWithRecords = fetch.request.minBytes > 1;
        FetchReader.Resolved resolved = last || fetch.entries.isEmpty() ? null
                : reader.resolve(fetch.entries, fetch.follower, !mayWaitWithRecords);
        if (resolved != null && !resolved.anyReady() && park(fetch, resolved)) {
            return;
        }
        int limit = Math.min(fetch.request.maxBytes, maxBytes);
        FetchAnswer answer = reader.read(fetch.entries, fetch.start, fetch.follower, limit, !ctx.backlogged(),
                ctx.alloc());
        if (resolved != null && resolved.complete() && !answer.anyError() && answer.bytes() < fetch.request.minBytes
                && !ctx.backlogged() && park(fetch, resolved)) {
            answer.release(); // less than minBytes readable: wait for more, read again when woken
            return;
        }
        answer.respond(ctx, fetch.session, fetch.incremental);
    }

    /** Parks {@code fetch} until data, a role change or its deadline; false if it may not park (bound reached). */
    private boolean park(Fetch fetch, FetchReader.Resolved resolved) {
        long leftNs = fetch.deadlineNs - System.nanoTime();
        if (leftNs <= 0) {
            return false;
        }
        if (parkedCount.incrementAndGet() > maxParked) {
            parkedCount.decrementAndGet();
            return false;
        }
        List<Partition> on = resolved.partitions();
        RequestContext ctx = fetch.ctx;
        AtomicBoolean done = new AtomicBoolean();
        ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
        Runnable onData = new Runnable() {
            @Override
            public void run() {
                if (done.compareAndSet(false, true)) {
                    parkedCount.decrementAndGet();
                    if (timer[0] != null) {
                        timer[0].cancel(false);
                    }
                    unpark(on, this);
                    ctx.executor().execute(() -> evaluateSafely(fetch, false));
                }
            }
        };
        timer[0] = ctx.executor().schedule(() -> {
            if (done.compareAndSet(false, true)) {
                parkedCount.decrementAndGet();
                unpark(on, onData);
                evaluateSafely(fetch, true);
            }
        }, leftNs, TimeUnit.NANOSECONDS);
        for (Partition p : on) {
            p.parked().park(onData);
        }
        ctx.onAbandoned(() -> {
            if (done.compareAndSet(false, true)) {
                parkedCount.decrementAndGet();
                timer[0].cancel(false);
                unpark(on, onData);
            }
        });
        // an append may have landed between the look and the park: look again so no wake-up is lost
        if (resolved.movedSince(fetch.follower)) {
            onData.run();
        }
        return true;
    }

    private static void unpark(List<Partition> on, Runnable onData) {
        for (Partition p : on) {
            p.parked().remove(onData);
        }
    }

    private void evaluateSafely(Fetch fetch, boolean last) {
        try {
            evaluate(fetch, last);
        } catch (RuntimeException e) {
            fetch.ctx.fail(e);
        }
    }

    /** One fetch being served: its partitions (in serving order from {@code start}) and its session, if any. */
    private static final class Fetch {
        final RequestContext ctx;
        final FetchRequest request;
        final FetchSession session;
        final List<FetchSession.Entry> entries;
        final int start;
        final boolean incremental;
        final boolean follower;
        long deadlineNs;

        Fetch(RequestContext ctx, FetchRequest request, FetchSession session, List<FetchSession.Entry> entries,
              int start, boolean incremental) {
            this.ctx = ctx;
            this.request = request;
            this.session = session;
            this.entries = entries;
            this.start = start;
            this.incremental = incremental;
            this.follower = request.replicaId >= 0;
        }
    }
}
