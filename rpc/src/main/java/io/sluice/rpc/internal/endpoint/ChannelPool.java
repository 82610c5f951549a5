package io.sluice.rpc.internal.endpoint;

import io.netty.util.Timer;
import io.sluice.remoting.transport.RemotingClient;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The consumer's {@link ProviderChannel}s, one per provider address, shared by the endpoints of every service at
 * that address and counted by reference. A channel is connected eagerly when its first endpoint appears. When its
 * last endpoint goes it lingers ({@value #LINGER_MS} ms) in case the address comes back (a registry flapping
 * during a session loss), then closes once its requests in flight are answered (or after the drain limit). So a
 * change in the provider list connects only new addresses and closes only vanished ones: no reconnect storm.
 *
 * <p>Thread-safe: the table is guarded by this object.
 */
public final class ChannelPool implements AutoCloseable {
    private static final long DRAIN_CHECK_MS = 50;
    static final long LINGER_MS = 3_000;

    private final RemotingClient client;
    private final Timer timer;
    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final long drainMs;
    private final Map<InetSocketAddress, ProviderChannel> channels = new HashMap<>();
    private boolean closed;

    public ChannelPool(RemotingClient client, Timer timer, long initialBackoffMs, long maxBackoffMs, long drainMs) {
        this.client = client;
        this.timer = timer;
        this.initialBackoffMs = initialBackoffMs;
        this.maxBackoffMs = maxBackoffMs;
        this.drainMs = drainMs;
    }

    /** The channel to {@code address}, created and connecting if new; pair with {@link #release}. */
    public ProviderChannel acquire(InetSocketAddress address) {
        ProviderChannel channel;
        synchronized (this) {
            channel = channels.get(address);
            if (channel == null) {
                channel = new ProviderChannel(client, address, timer, initialBackoffMs, maxBackoffMs);
                if (!closed) {
                    channels.put(address, channel);
                }
            }
            channel.retain();
        }
        if (!closed) {
            channel.connect();
        }
        return channel;
    }

    public void release(ProviderChannel channel) {
        synchronized (this) {
            if (channel.release() > 0) {
                return;
            }
        }
        try {
            timer.newTimeout(t -> closeIfUnused(channel), LINGER_MS, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            closeIfUnused(channel);
        }
    }

    private void closeIfUnused(ProviderChannel channel) {
        synchronized (this) {
            if (channel.references() > 0) {
                return; // acquired again while lingering
            }
            channels.remove(channel.address(), channel);
        }
        closeWhenDrained(channel, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMs));
    }

    private void closeWhenDrained(ProviderChannel channel, long deadlineNs) {
        if (channel.inFlight() == 0 || System.nanoTime() - deadlineNs >= 0) {
            channel.close();
            return;
        }
        try {
            timer.newTimeout(t -> closeWhenDrained(channel, deadlineNs), DRAIN_CHECK_MS, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            channel.close();
        }
    }

    public synchronized int size() {
        return channels.size();
    }

    @Override
    public void close() {
        List<ProviderChannel> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(channels.values());
            channels.clear();
        }
        all.forEach(ProviderChannel::close);
    }
}
