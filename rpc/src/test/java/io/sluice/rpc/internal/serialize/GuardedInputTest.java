package io.sluice.rpc.internal.serialize;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.demo.User;
import io.sluice.rpc.demo.UserServiceImpl;
import io.sluice.rpc.testing.RawRpc.Payload;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The serializer's read checks on their own (see HostilePayloadTest for the same through a real provider): what a
 * payload may legitimately carry still decodes, in every shape that makes protostuff read a class name or a
 * length; what it may not is refused with the class or the numbers named.
 */
class GuardedInputTest {
    private final RpcSerializer serializer = new RpcSerializer(AllowList.defaults()
            .with(List.of("io.sluice.rpc.demo.", GuardedInputTest.class.getName(), Model.class.getName(),
                    Level.class.getName())), 1024 * 1024);

    enum Level { LOW, HIGH }

    /** A model whose fields make protostuff write types and lengths: arrays, an Object, an abstract type. */
    static final class Model {
        int[] numbers;
        String[][] grid;
        Level[] levels;
        User[] users;
        Object anything;
        Number amount;
        List<Object> mixed;
        Map<String, Object> attributes;
        Set<Level> flags;
    }

    private Object roundTrip(Object value) {
        ValuesSchema schema = serializer.schemaFor(Object.class);
        ByteBuf buf = serializer.encode(ByteBufAllocator.DEFAULT, schema, new Object[] {value});
        try {
            return serializer.decode(buf, schema)[0];
        } finally {
            buf.release();
        }
    }

    private SluiceException refusal(byte[] payload) {
        ValuesSchema schema = serializer.schemaFor(Object.class);
        try {
            serializer.decode(Unpooled.wrappedBuffer(payload), schema);
        } catch (SluiceException e) {
            return e;
        }
        throw new AssertionError("decoded without a refusal");
    }

    @Test
    void everyLegitimateShapeStillDecodes() {
        Model model = new Model();
        model.numbers = new int[10_000];
        for (int i = 0; i < model.numbers.length; i++) {
            model.numbers[i] = i;
        }
        model.grid = new String[][] {{"a", "b"}, {"c"}};
        model.levels = new Level[] {Level.HIGH, Level.LOW};
        model.users = new User[] {UserServiceImpl.newUser(1), UserServiceImpl.newUser(2)};
        model.anything = new Object[] {1L, "x", new int[] {7}, List.of(Level.LOW), String.class, int[].class};
        model.amount = new BigDecimal("12.50");
        model.mixed = new ArrayList<>(List.of(new Date(5), UUID.nameUUIDFromBytes(new byte[1]),
                LocalDate.of(2020, 1, 2), Instant.ofEpochSecond(9), Duration.ofMillis(3),
                new TreeSet<>(Set.of("b", "a"))));
        model.attributes = new LinkedHashMap<>(Map.of("nested", new HashMap<>(Map.of("list", List.of(1, 2)))));
        model.flags = EnumSet.of(Level.HIGH);
        Model back = (Model) roundTrip(model);
        assertThat(back.numbers).isEqualTo(model.numbers);
        assertThat(back.grid).isDeepEqualTo(model.grid);
        assertThat(back.levels).containsExactly(Level.HIGH, Level.LOW);
        assertThat(back.users).containsExactly(model.users);
        assertThat((Object[]) back.anything).hasSize(6).startsWith(1L, "x");
        assertThat(((Object[]) back.anything)[4]).isEqualTo(String.class);
        assertThat(((Object[]) back.anything)[5]).isEqualTo(int[].class);
        assertThat(back.amount).isEqualTo(new BigDecimal("12.50"));
        assertThat(back.mixed).isEqualTo(model.mixed);
        assertThat(back.attributes).isEqualTo(model.attributes);
        assertThat(back.flags).containsExactly(Level.HIGH);
        assertThat(roundTrip(EnumSet.of(Level.LOW))).isEqualTo(EnumSet.of(Level.LOW));
        assertThat(roundTrip(new EnumMap<>(Map.of(Level.HIGH, "h")))).isEqualTo(Map.of(Level.HIGH, "h"));
        assertThat(roundTrip(new long[100_000])).isEqualTo(new long[100_000]);
        Model views = new Model();
        views.anything = Collections.unmodifiableSet(new TreeSet<>(Set.of(3, 1)));
        views.attributes = Collections.singletonMap("one", Collections.emptyList());
        Model viewsBack = (Model) roundTrip(views);
        assertThat(viewsBack.anything).isEqualTo(Set.of(1, 3));
        assertThat(viewsBack.attributes).isEqualTo(Map.of("one", List.of()));
    }

    @Test
    void lengthsBeyondTheBytesThatRemainAreRefusedWithTheNumbers() {
        SluiceException e = refusal(Payload.polymorphicArgument().field(33, 4).field(1, Integer.MAX_VALUE).end());
        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_PAYLOAD);
        assertThat(e.getMessage()).contains("an array of Int32 values declares 2147483647 elements",
                "bytes of the payload left");
        // the element budget is shared by the whole payload: many small lies add up
        Payload many = Payload.polymorphicArgument().field(15, "java.lang.Object").field(3, 1).field(2, 1)
                .tag(1, 3).field(25, "ArrayList");
        for (int i = 0; i < 40; i++) {
            many.field(2, 2_000); // runs of nulls: 80,000 in all, with a few hundred bytes on the wire
        }
        many.tag(1, 4);
        assertThat(refusal(many.end()).getMessage()).contains("2000 nulls in a row");
        // a negative (or over 2^31) length as protostuff's unsigned field
        assertThat(refusal(Payload.polymorphicArgument().field(15, "java.lang.String").field(3, 0xFFFF_FFFFL)
                .field(2, 1).end()).getMessage()).contains("an array of java.lang.String declares 4294967295");
        assertThat(refusal(Payload.polymorphicArgument().field(15, "java.lang.String").field(3, 1).field(2, 0)
                .end()).getMessage()).contains("declares 0 dimensions");
    }

    @Test
    void namesOutsideTheAllowListAreRefusedBeforeProtostuffResolvesThem() {
        assertThat(refusal(Payload.polymorphicArgument().field(25, "PriorityQueue").end()).getMessage())
                .contains("collection type java.util.PriorityQueue (named 'PriorityQueue' on the wire)");
        assertThat(refusal(Payload.polymorphicArgument().field(26, "Hashtable").end()).getMessage())
                .contains("map type java.util.Hashtable");
        assertThat(refusal(Payload.polymorphicArgument().field(26, "IdentityHashMap").end()).getMessage())
                .contains("java.util.IdentityHashMap");
        // a class in no package, which protostuff would load by its bare name
        assertThat(refusal(Payload.polymorphicArgument().field(25, "Gadget").end()).getMessage())
                .contains("collection type Gadget is not on");
        assertThat(refusal(Payload.polymorphicArgument().field(127, "java.lang.ProcessBuilder").end()).getMessage())
                .contains("object type java.lang.ProcessBuilder");
        assertThat(refusal(Payload.polymorphicArgument().field(21, "java.lang.ProcessBuilder").field(2, 1).end())
                .getMessage()).contains("class value java.lang.ProcessBuilder");
        assertThat(refusal(Payload.polymorphicArgument().field(32, "java.lang.Thread").end()).getMessage())
                .contains("value type java.lang.Thread");
        assertThat(refusal(Payload.polymorphicArgument().field(22, "java.util.concurrent.TimeUnit").end())
                .getMessage()).contains("enum type java.util.concurrent.TimeUnit");
    }

    @Test
    void onlyMessagesOfScalarsAreReadWithoutTheGuard() {
        io.protostuff.runtime.DefaultIdStrategy strategy = new io.protostuff.runtime.DefaultIdStrategy();
        TimeDelegates.registerAll(strategy);
        assertThat(SchemaContexts.isFlat((io.protostuff.runtime.RuntimeSchema<?>)
                io.protostuff.runtime.RuntimeSchema.getSchema(User.class, strategy)))
                .as("numbers, strings, a list of ints, java.time delegates").isTrue();
        assertThat(SchemaContexts.isFlat((io.protostuff.runtime.RuntimeSchema<?>)
                io.protostuff.runtime.RuntimeSchema.getSchema(io.sluice.rpc.demo.Page.class, strategy)))
                .as("a list of messages").isFalse();
        assertThat(SchemaContexts.isFlat((io.protostuff.runtime.RuntimeSchema<?>)
                io.protostuff.runtime.RuntimeSchema.getSchema(Model.class, strategy))).isFalse();
    }

    @Test
    void unknownViewKindsAreMalformed() {
        SluiceException e = refusal(Payload.polymorphicArgument().field(28, 0).field(99, 0).end());
        assertThat(e.code()).isIn(ErrorCode.SERIALIZATION_ERROR, ErrorCode.MALFORMED_PAYLOAD);
    }
}
