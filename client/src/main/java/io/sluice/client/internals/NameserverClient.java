package io.sluice.client.internals;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends requests to one of several nameservers, moving on to the next when one cannot be reached. Sticks to the
 * last nameserver that answered. Requests that may have changed state (create, delete) move on only when the
 * connection could not be opened, so they are never sent twice by this class; a caller that can tell whether a lost
 * request took effect (see {@link TopicChanges}) sends it again itself, after {@link #moveOn}. Thread-safe.
 */
final class NameserverClient {
    private final RemotingClient client;
    private final List<InetSocketAddress> addresses;
    private volatile int current;

    public NameserverClient(RemotingClient client, List<InetSocketAddress> addresses) {
        this.client = client;
        List<InetSocketAddress> resolved = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            resolved.add(a.isUnresolved() ? new InetSocketAddress(a.getHostString(), a.getPort()) : a);
        }
        this.addresses = List.copyOf(resolved);
    }

    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    /** The nameserver the next request goes to first ({@link #addresses()} index). */
    int current() {
        return current;
    }

    /** The next request goes to the nameserver after {@code from}, unless another request moved on already. */
    void moveOn(int from) {
        if (current == from) {
            current = (from + 1) % addresses.size();
        }
    }

    /**
     * Sends {@code message} to a nameserver. {@code idempotent} requests also move on after a network error or
     * timeout once sent. The caller must close the returned response.
     */
    public CompletableFuture<Response> request(ApiKey key, Object message, long timeoutMs, boolean idempotent) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        attempt(key, message, timeoutMs, idempotent, current, 0, null, result);
        return result;
    }

    private void attempt(ApiKey key, Object message, long timeoutMs, boolean idempotent, int index, int tried,
                         SluiceException previous, CompletableFuture<Response> result) {
        InetSocketAddress address = addresses.get(index % addresses.size());
        CompletableFuture<Connection> connection;
        try {
            connection = client.connection(address);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        connection.whenComplete((conn, connectError) -> {
            if (connectError != null) {
                SluiceException e = wrap(connectError, address, previous);
                next(key, message, timeoutMs, idempotent, index, tried, e, result);
                return;
            }
            conn.request(key, message, null, timeoutMs).whenComplete((response, error) -> {
                if (error == null) {
                    current = index % addresses.size();
                    if (!result.complete(response)) {
                        response.close();
                    }
                    return;
                }
                SluiceException e = wrap(error, address, previous);
                boolean moveOn = e.code() == ErrorCode.UNSUPPORTED_API
                        || idempotent && (e.code() == ErrorCode.NETWORK_ERROR
                        || e.code() == ErrorCode.REQUEST_TIMED_OUT || e.code() == ErrorCode.TOO_MANY_IN_FLIGHT);
                if (moveOn) {
                    next(key, message, timeoutMs, idempotent, index, tried, e, result);
                } else {
                    result.completeExceptionally(e);
                }
            });
        });
    }

    private void next(ApiKey key, Object message, long timeoutMs, boolean idempotent, int index, int tried,
                      SluiceException error, CompletableFuture<Response> result) {
        if (tried + 1 >= addresses.size() || result.isDone()) {
            result.completeExceptionally(error);
            return;
        }
        int nextIndex = (index + 1) % addresses.size();
        current = nextIndex;
        attempt(key, message, timeoutMs, idempotent, nextIndex, tried + 1, error, result);
    }

    private static SluiceException wrap(Throwable t, InetSocketAddress address, SluiceException previous) {
        SluiceException e = SluiceException.from(t);
        SluiceException out = new SluiceException(e.code(), "nameserver " + address.getHostString() + ":"
                + address.getPort() + ": " + e.getMessage(), e);
        if (previous != null) {
            out.addSuppressed(previous);
        }
        return out;
    }
}
