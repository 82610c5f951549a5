package io.sluice.rpc.internal.discovery;

import io.netty.util.HashedWheelTimer;
import io.sluice.registry.ServiceInstance;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.TransportConfig;
import io.sluice.rpc.RpcEventListener;
import io.sluice.rpc.internal.endpoint.ChannelPool;
import io.sluice.rpc.internal.endpoint.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The consumer's cached provider list: diffs, and no wipe-out by an empty update. */
class DirectoryTest {
    private static final String KEY = "svc.Api:1.0";
    private final RemotingClient client = new RemotingClient("directory-test", new TransportConfig().ioThreads(1),
            null);
    private final HashedWheelTimer timer = new HashedWheelTimer();
    private final ChannelPool pool = new ChannelPool(client, timer, 10_000, 10_000, 100);
    private final Directory directory = new Directory(KEY, pool, (s, a) -> null, 0, RpcEventListener.NONE);

    @AfterEach
    void close() {
        directory.close();
        pool.close();
        client.close();
        timer.stop();
    }

    /** Instances on ports nothing listens on: the channels just back off, which is all this test needs. */
    private static ServiceInstance instance(int port, int weight) {
        return ServiceInstance.builder(KEY).address("127.0.0.1", port).weight(weight).startedAtMs(1_000)
                .metadata(Map.of("warmup.ms", "0")).build();
    }

    @Test
    void anEmptyUpdateNeverWipesOutAWorkingList() {
        directory.update(List.of(instance(1, 100), instance(2, 100)));
        List<Endpoint> before = directory.endpoints();
        assertThat(before).hasSize(2);
        directory.update(List.of());
        assertThat(directory.endpoints()).as("kept while the registry reports nobody").isSameAs(before);
        assertThat(directory.keepingStaleList()).isTrue();
        directory.update(List.of(instance(2, 100)));
        assertThat(directory.endpoints()).extracting(Endpoint::id).containsExactly("127.0.0.1:2");
        assertThat(directory.keepingStaleList()).isFalse();
    }

    @Test
    void updatesAreDiffsThatKeepUnchangedEndpoints() {
        directory.update(List.of(instance(1, 100), instance(2, 100)));
        Endpoint one = directory.endpoints().get(0);
        Endpoint two = directory.endpoints().get(1);
        one.onAttemptStart();
        directory.update(List.of(instance(1, 100), instance(2, 300), instance(3, 100)));
        List<Endpoint> after = directory.endpoints();
        assertThat(after.get(0)).as("unchanged: same endpoint, statistics kept").isSameAs(one);
        assertThat(after.get(0).active()).isEqualTo(1);
        assertThat(after.get(1)).as("re-weighted: new endpoint").isNotSameAs(two);
        assertThat(after.get(1).weight()).isEqualTo(300);
        assertThat(after.get(1).channel()).as("same address: same channel, no reconnect").isSameAs(two.channel());
        assertThat(after).extracting(Endpoint::id).containsExactly("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3");
        assertThat(pool.size()).isEqualTo(3);
    }

    @Test
    void anEmptyFirstListIsJustEmpty() {
        directory.update(List.of());
        assertThat(directory.endpoints()).isEmpty();
        assertThat(directory.keepingStaleList()).isFalse();
    }
}
