package io.sluice.rpc;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.RpcRequest;
import io.sluice.remoting.transport.Response;
import io.sluice.rpc.testing.Box;
import io.sluice.rpc.testing.RawRpc;
import io.sluice.rpc.testing.RawRpc.Payload;
import io.sluice.rpc.testing.RpcTests;
import io.sluice.rpc.testing.TestService;
import io.sluice.rpc.testing.TestServiceImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Set;
import java.util.Stack;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Vector;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Payloads a hostile or broken caller sends, through a real provider on 127.0.0.1: lengths that would make
 * protostuff allocate gigabytes, classes outside the allow-list named the ways protostuff lets a payload name
 * them, and Errors while a call is served. Each is answered at once with a specific code, the method never runs,
 * and the provider stays healthy for everyone else.
 */
class HostilePayloadTest {
    private static final int MAX_INT = Integer.MAX_VALUE;

    private final TestServiceImpl impl = new TestServiceImpl("p");
    private final AtomicInteger circuitChanges = new AtomicInteger();
    private RpcServer server;
    private RpcClient client;
    private TestService stub;
    private RawRpc raw;

    @BeforeEach
    void start() throws Exception {
        server = RpcServer.builder().config(RpcTests.serverConfig().businessThreads(2).businessQueue(8))
                .service(TestService.class, impl, "1.0", "", 100).start();
        client = RpcClient.builder().registry("rpc://127.0.0.1:" + server.port())
                .listener(new RpcEventListener() {
                    @Override
                    public void circuitStateChanged(String service, java.net.InetSocketAddress provider,
                                                    String from, String to) {
                        circuitChanges.incrementAndGet();
                    }
                }).build();
        stub = client.stub(TestService.class, o -> o.version("1.0").cluster("failfast")
                .timeout(java.time.Duration.ofSeconds(10)));
        raw = new RawRpc(server.address());
    }

    @AfterEach
    void stop() {
        raw.close();
        client.close();
        server.close();
    }

    private static RpcRequest any() {
        return RawRpc.request(TestService.class.getName(), "any", Object.class.getName());
    }

    /** The error the provider answered {@code payload} (as the argument of any(Object)) with. */
    private SluiceException refusal(byte[] payload) throws Exception {
        try (Response response = raw.call(any(), payload).get(20, TimeUnit.SECONDS)) {
            return fail("answered with a value instead of an error: " + response.message());
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(SluiceException.class);
            return (SluiceException) e.getCause();
        }
    }

    private void refusedAs(byte[] payload, ErrorCode code, String... messageParts) throws Exception {
        SluiceException e = refusal(payload);
        assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
        for (String part : messageParts) {
            assertThat(e.getMessage()).contains(part);
        }
    }

    private void providerIsHealthy() {
        assertThat(stub.echo("still serving")).isEqualTo("still serving");
        assertThat(raw.connection().isActive()).as("the connection that sent the bad payload stays open").isTrue();
        assertThat(client.providers(TestService.class.getName(), "1.0", "")).hasSize(1)
                .allSatisfy(p -> assertThat(p).doesNotContain("unusable"));
        assertThat(circuitChanges.get()).as("no circuit opened").isZero();
    }

    @Test
    void lengthBombsAreRefusedBeforeAnythingIsAllocated() throws Exception {
        // int[] of 2^31-1 elements in 13 bytes (ARRAY_SCALAR id 4, then the length)
        byte[] intArray = Payload.polymorphicArgument().field(33, 4).field(1, MAX_INT).end();
        assertThat(intArray.length).isLessThan(30);
        refusedAs(intArray, ErrorCode.MALFORMED_PAYLOAD, "Int32", "2147483647 elements", "refused before allocating");
        refusedAs(Payload.polymorphicArgument().field(33, 5).field(1, 1 << 30).end(), ErrorCode.MALFORMED_PAYLOAD,
                "Int64", "1073741824 elements");
        refusedAs(Payload.polymorphicArgument().field(33, 16).field(1, MAX_INT).end(), ErrorCode.MALFORMED_PAYLOAD,
                "String", "2147483647 elements");
        // an Object[] named by its component type, then its length and dimensions
        refusedAs(Payload.polymorphicArgument().field(15, "java.lang.Object").field(3, MAX_INT).field(2, 1).end(),
                ErrorCode.MALFORMED_PAYLOAD, "an array of java.lang.Object", "2147483647 elements");
        refusedAs(Payload.polymorphicArgument().field(15, "java.lang.Object").field(3, 1).field(2, MAX_INT).end(),
                ErrorCode.MALFORMED_PAYLOAD, "2147483647 dimensions");
        refusedAs(Payload.polymorphicArgument().field(20, "java.lang.String").field(2, MAX_INT).end(),
                ErrorCode.MALFORMED_PAYLOAD, "2147483647 dimensions");
        // a run of 2^31-1 nulls that protostuff would add to an ArrayList one by one
        refusedAs(Payload.polymorphicArgument().field(25, "ArrayList").field(2, MAX_INT).end(),
                ErrorCode.MALFORMED_PAYLOAD, "a collection", "2147483647 nulls");
        // Collections.nCopies(2^31-1, x): no allocation here, but every reader of it would iterate (or copy) it
        refusedAs(Payload.polymorphicArgument().field(28, 0).field(6, 0).field(1, MAX_INT).end(),
                ErrorCode.MALFORMED_PAYLOAD, "Collections.nCopies", "2147483647 copies");
        assertThat(impl.calls.get()).as("the method never ran").isZero();
        providerIsHealthy();
    }

    @Test
    void everyBombIsAnsweredWhileOtherCallersAreServed() throws Exception {
        byte[] bomb = Payload.polymorphicArgument().field(33, 4).field(1, MAX_INT).end();
        for (int i = 0; i < 50; i++) {
            refusedAs(bomb, ErrorCode.MALFORMED_PAYLOAD);
            assertThat(stub.add(i, 1)).isEqualTo(i + 1L);
        }
        providerIsHealthy();
    }

    @Test
    void jdkCollectionsOutsideTheAllowListAreRefusedByTheirFactoryNames() {
        Properties properties = new Properties();
        properties.setProperty("k", "v");
        Stack<Integer> stack = new Stack<>();
        stack.push(1);
        // each sent by the real client, which names them by protostuff's short factory names
        List<Object> refused = List.of(new PriorityQueue<>(List.of(3, 1)), new Hashtable<>(Map.of("k", 1)),
                new WeakHashMap<>(Map.of("k", 1)), properties, new Vector<>(List.of(1)), stack,
                new IdentityHashMap<>(Map.of("k", 1)), new LinkedBlockingQueue<>(List.of(1)),
                new ConcurrentLinkedQueue<>(List.of(1)), new CopyOnWriteArraySet<>(List.of(1)));
        for (Object value : refused) {
            String className = value.getClass().getName();
            String shortName = value.getClass().getSimpleName();
            assertThatThrownBy(() -> stub.any(value)).as(className)
                    .isInstanceOfSatisfying(SluiceException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CLASS_NOT_ALLOWED);
                        assertThat(e.getMessage()).contains(className, "named '" + shortName + "' on the wire",
                                "sluice.rpc.serialization.allowed.classes");
                    });
        }
        // the same through the JDK views that protostuff sends by number (allowed ones travel, see below)
        assertThatThrownBy(() -> stub.any(new Box(Collections.synchronizedList(new ArrayList<>(List.of(1))))))
                .isInstanceOfSatisfying(SluiceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CLASS_NOT_ALLOWED);
                    assertThat(e.getMessage()).contains("java.util.Collections$SynchronizedRandomAccessList",
                            "protostuff view 16");
                });
        assertThatThrownBy(() -> stub.any(new Box(Collections.checkedMap(new HashMap<>(), String.class,
                String.class)))).isInstanceOfSatisfying(SluiceException.class,
                    e -> assertThat(e.getMessage()).contains("java.util.Collections$CheckedMap"));
        assertThat(impl.calls.get()).as("the method never ran").isZero();
        providerIsHealthy();
    }

    @Test
    void hostileNamesAreCheckedWhereverTheWireNamesAClass() throws Exception {
        // protostuff's interface names stand for the class they create
        refusedAs(Payload.polymorphicArgument().field(25, "BlockingQueue").end(), ErrorCode.CLASS_NOT_ALLOWED,
                "java.util.concurrent.LinkedBlockingQueue", "'BlockingQueue'");
        refusedAs(Payload.polymorphicArgument().field(26, "Properties").end(), ErrorCode.CLASS_NOT_ALLOWED,
                "map type java.util.Properties");
        refusedAs(Payload.polymorphicArgument().field(26, "javax.management.openmbean.TabularDataSupport").end(),
                ErrorCode.CLASS_NOT_ALLOWED, "javax.management.openmbean.TabularDataSupport");
        refusedAs(Payload.polymorphicArgument().field(24, "java.util.concurrent.TimeUnit").field(1, 0).end(),
                ErrorCode.CLASS_NOT_ALLOWED, "enum type java.util.concurrent.TimeUnit");
        refusedAs(Payload.polymorphicArgument().field(22, "java.lang.Thread$State").end(),
                ErrorCode.CLASS_NOT_ALLOWED, "enum type java.lang.Thread$State");
        refusedAs(Payload.polymorphicArgument().field(15, "java.lang.ProcessBuilder").field(3, 0).field(2, 1).end(),
                ErrorCode.CLASS_NOT_ALLOWED, "array component type java.lang.ProcessBuilder");
        refusedAs(Payload.polymorphicArgument().field(18, "java.lang.Runtime").end(), ErrorCode.CLASS_NOT_ALLOWED,
                "class value java.lang.Runtime");
        refusedAs(Payload.polymorphicArgument().field(35, "java.lang.ProcessBuilder").field(1, 0).end(),
                ErrorCode.CLASS_NOT_ALLOWED, "object type java.lang.ProcessBuilder");
        refusedAs(Payload.polymorphicArgument().field(52, "java.lang.RuntimeException").end(),
                ErrorCode.CLASS_NOT_ALLOWED, "object type java.lang.RuntimeException");
        refusedAs(Payload.polymorphicArgument().field(30, "java.net.URL").end(), ErrorCode.CLASS_NOT_ALLOWED,
                "value type java.net.URL");
        // JDK views, which protostuff reads by number, not by name
        refusedAs(Payload.polymorphicArgument().field(28, 0).field(15, 0).end(), ErrorCode.CLASS_NOT_ALLOWED,
                "java.util.Collections$SynchronizedList");
        refusedAs(Payload.polymorphicArgument().field(29, 0).field(7, 0).end(), ErrorCode.CLASS_NOT_ALLOWED,
                "java.util.Collections$CheckedMap");
        refusedAs(Payload.polymorphicArgument().field(28, 0).field(5, 0).end(), ErrorCode.CLASS_NOT_ALLOWED,
                "java.util.Collections$SetFromMap");
        // ... and inside an allowed view: an unmodifiable list wrapping a PriorityQueue
        refusedAs(Payload.polymorphicArgument().field(28, 0).tag(10, 3).field(25, "PriorityQueue").tag(10, 4).end(),
                ErrorCode.CLASS_NOT_ALLOWED, "java.util.PriorityQueue");
        assertThat(impl.calls.get()).as("the method never ran").isZero();
        providerIsHealthy();
    }

    @Test
    void theCommonCollectionsTravelByDefault() {
        List<Object> values = List.of(new ArrayList<>(List.of(1, 2)), new LinkedList<>(List.of("a")),
                new HashMap<>(Map.of("k", 1L)), new LinkedHashMap<>(Map.of("k", "v")), new TreeMap<>(Map.of("b", 2)),
                new HashSet<>(Set.of(1)), new LinkedHashSet<>(List.of("x", "y")), new TreeSet<>(Set.of(3, 1)),
                new ConcurrentHashMap<>(Map.of("c", 1)), new CopyOnWriteArrayList<>(List.of(9)));
        for (Object value : values) {
            assertThat(stub.any(value)).as(value.getClass().getName()).isEqualTo(value);
        }
        ArrayDeque<Integer> deque = new ArrayDeque<>(List.of(1, 2));
        assertThat(stub.any(deque)).isInstanceOfSatisfying(ArrayDeque.class,
                d -> assertThat(List.copyOf(d)).isEqualTo(List.of(1, 2)));
        // the immutable forms: copied by the writer at the top level, read as plain copies when a model holds them
        assertThat(stub.any(List.of(1, 2))).isEqualTo(List.of(1, 2));
        assertThat(stub.any(Map.of("k", Set.of("v")))).isEqualTo(Map.of("k", Set.of("v")));
        for (Object immutable : List.of(List.of("a", "b", "c"), Set.of(5), Map.of("k", 1), Arrays.asList(7, 8),
                Collections.unmodifiableList(new ArrayList<>(List.of(1, 2))), Collections.emptyList(),
                Collections.singletonList("s"), Collections.unmodifiableMap(new HashMap<>(Map.of("u", 1))),
                Collections.emptyMap(), Collections.nCopies(3, "n"), new TreeMap<>(Map.of("t", List.of(1))))) {
            Object back = stub.any(new Box(immutable));
            assertThat(back).isInstanceOfSatisfying(Box.class,
                    box -> assertThat(box.content).as(immutable.getClass().getName()).isEqualTo(immutable));
        }
    }

    @Test
    void anOutOfMemoryErrorIsAnsweredNotLeftWaiting() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> stub.misbehave("oom")).isInstanceOfSatisfying(SluiceException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_OUT_OF_MEMORY);
            assertThat(e.getMessage()).contains("ran out of memory", "misbehave");
        });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("answered, not timed out")
                .isLessThan(9_000);
        providerIsHealthy();
        await("the call is counted done").atMost(10, TimeUnit.SECONDS).until(() -> server.inFlight() == 0);
    }

    @Test
    void anErrorWhileWritingTheAnswerIsAnswered() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> stub.misbehave("unwritable")).isInstanceOfSatisfying(SluiceException.class, e -> {
            assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.SERIALIZATION_ERROR);
            assertThat(e.getMessage()).contains("AssertionError", "cannot be read");
        });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("answered, not timed out")
                .isLessThan(9_000);
        providerIsHealthy();
        await("the call is counted done").atMost(10, TimeUnit.SECONDS).until(() -> server.inFlight() == 0);
    }
}
