package io.sluice.nameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ConnectTimeoutException;
import io.sluice.registry.BrokerRegistration;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.BrokerInfo;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The death detector against real sockets on 127.0.0.1: a "broker" is a listening socket that accepts connections;
 * its process dying is the listening socket and every accepted connection closing.
 */
class BrokerDeathDetectorTest {
    private final AtomicInteger deaths = new AtomicInteger();
    private final BrokerDeathDetector detector = new BrokerDeathDetector("test-probe", deaths::incrementAndGet,
            new SimpleMeterRegistry());
    private final List<FakeProcess> brokers = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        detector.close();
        brokers.forEach(FakeProcess::die);
    }

    private FakeProcess fakeBroker(int port) throws IOException {
        FakeProcess broker = new FakeProcess(port);
        brokers.add(broker);
        return broker;
    }

    private static BrokerRegistration registration(int id, int port, long session) {
        BrokerInfo b = new BrokerInfo();
        b.id = id;
        b.host = "127.0.0.1";
        b.port = port;
        b.rack = "";
        return new BrokerRegistration(b, session);
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aBrokerWhoseConnectionClosesAndWhoseAddressRefusesIsDeadAtOnce() throws Exception {
        FakeProcess one = fakeBroker(0);
        FakeProcess two = fakeBroker(0);
        BrokerRegistration r1 = registration(1, one.port(), 11);
        BrokerRegistration r2 = registration(2, two.port(), 12);
        detector.track(List.of(r1, r2));
        await().atMost(Duration.ofSeconds(10)).until(() -> one.wasReached() && two.wasReached());

        one.die();

        await().atMost(Duration.ofSeconds(10)).until(() -> detector.isDead(r1));
        assertThat(deaths).hasValue(1);
        assertThat(detector.isDead(r2)).as("the other broker is untouched").isFalse();
        // the verdict stands while that registration stays in the registry
        detector.track(List.of(r1, r2));
        assertThat(detector.isDead(r1)).isTrue();
    }

    @Test
    void aRestartedBrokerIsANewRegistrationAndLive() throws Exception {
        FakeProcess first = fakeBroker(0);
        int port = first.port();
        BrokerRegistration old = registration(1, port, 21);
        detector.track(List.of(old));
        await().atMost(Duration.ofSeconds(10)).until(() -> first.wasReached());
        first.die();
        await().atMost(Duration.ofSeconds(10)).until(() -> detector.isDead(old));

        FakeProcess second = fakeBroker(port); // the same broker restarted on its port, from a new session
        BrokerRegistration restarted = registration(1, port, 22);
        detector.track(List.of(restarted));

        assertThat(detector.isDead(restarted)).isFalse();
        assertThat(detector.isDead(old)).as("the verdict about the old registration is forgotten").isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> second.wasReached());
        second.die();
        await().atMost(Duration.ofSeconds(10)).until(() -> detector.isDead(restarted));
        assertThat(deaths).hasValue(2);
    }

    @Test
    void aBrokerNeverReachedAtItsAddressIsNotDeclaredDeadByRefusals() throws Exception {
        BrokerRegistration unreachable = registration(1, unusedPort(), 31);
        detector.track(List.of(unreachable));

        // refused on the first attempt and again on the retry a second later: no proof this address is the broker's
        // (a negative: watched past the retry, it is never declared dead)
        await().during(Duration.ofMillis(BrokerDeathDetector.UNSURE_RETRY_MS + 500)).atMost(Duration.ofSeconds(30))
                .until(() -> !detector.isDead(unreachable) && deaths.get() == 0);
    }

    @Test
    void aBrokerThatLeavesTheRegistryIsNoLongerWatched() throws Exception {
        FakeProcess one = fakeBroker(0);
        BrokerRegistration r1 = registration(1, one.port(), 41);
        detector.track(List.of(r1));
        await().atMost(Duration.ofSeconds(10)).until(() -> one.wasReached());

        detector.track(List.of()); // its session ended: the registry dropped it
        one.die();
        // a negative: watched for a while, nothing declares it dead
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30))
                .until(() -> deaths.get() == 0 && !detector.isDead(r1));
    }

    @Test
    void onlyARefusalCounts() {
        assertThat(BrokerDeathDetector.refused(new SluiceException(ErrorCode.NETWORK_ERROR, "cannot connect",
                new ConnectException("Connection refused: /127.0.0.1:1")))).isTrue();
        assertThat(BrokerDeathDetector.refused(new SluiceException(ErrorCode.NETWORK_ERROR, "cannot connect",
                new ConnectTimeoutException("connection timed out after 3000 ms: /10.0.0.1:1")))).isFalse();
        assertThat(BrokerDeathDetector.refused(new ConnectException("Network is unreachable"))).isFalse();
        assertThat(BrokerDeathDetector.refused(new SluiceException(ErrorCode.NETWORK_ERROR, "closed"))).isFalse();
    }
}
