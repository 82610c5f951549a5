package io.sluice.rpc.internal.serialize;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.demo.Page;
import io.sluice.rpc.demo.User;
import io.sluice.rpc.demo.UserServiceImpl;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RpcSerializerTest {
    private final RpcSerializer serializer = new RpcSerializer(
            AllowList.defaults().with(List.of("io.sluice.rpc.demo.")), 64 * 1024);

    private Object[] roundTrip(ValuesSchema schema, Object... values) {
        ByteBuf buf = serializer.encode(ByteBufAllocator.DEFAULT, schema, values);
        try {
            return serializer.decode(buf, schema);
        } finally {
            buf.release();
        }
    }

    @Test
    void scalarsPojosAndNullsRoundTripInTheirDeclaredForm() {
        ValuesSchema schema = serializer.schemaFor(long.class, String.class, User.class, Integer.class, int.class,
                boolean.class, double.class, byte[].class);
        User user = UserServiceImpl.newUser(42);
        Object[] out = roundTrip(schema, 7L, "x", user, null, -3, true, 2.5, new byte[] {1, 2});
        assertThat(out[0]).isEqualTo(7L);
        assertThat(out[1]).isEqualTo("x");
        assertThat(out[2]).isEqualTo(user);
        assertThat(out[3]).isNull();
        assertThat(out[4]).isEqualTo(-3);
        assertThat(out[5]).isEqualTo(true);
        assertThat(out[6]).isEqualTo(2.5);
        assertThat((byte[]) out[7]).containsExactly(1, 2);
    }

    @Test
    void absentPrimitiveSlotsReadAsZero() {
        ValuesSchema schema = serializer.schemaFor(int.class, long.class, boolean.class);
        assertThat(roundTrip(schema, null, null, null)).containsExactly(0, 0L, false);
    }

    @Test
    void aPageOfFifteenUsersRoundTrips() {
        ValuesSchema schema = serializer.schemaFor(Page.class);
        Page page = new UserServiceImpl().listUser(3);
        Object[] out = roundTrip(schema, page);
        assertThat(out[0]).isEqualTo(page);
        assertThat(((Page) out[0]).getResult()).hasSize(15);
    }

    @Test
    void polymorphicSlotsCarryCollectionsMapsAndTime() {
        ValuesSchema schema = serializer.schemaFor(Object.class, Object.class, Object.class, List.class);
        Map<String, Object> map = new HashMap<>();
        map.put("a", 1L);
        map.put("b", List.of("x", "y"));
        Object[] out = roundTrip(schema, map, LocalDate.of(2020, 2, 29), Instant.ofEpochSecond(5, 7), List.of(1, 2));
        assertThat(out[0]).isEqualTo(map);
        assertThat(out[1]).isEqualTo(LocalDate.of(2020, 2, 29));
        assertThat(out[2]).isEqualTo(Instant.ofEpochSecond(5, 7));
        assertThat(out[3]).isEqualTo(List.of(1, 2));
    }

    @Test
    void aSubclassOfADeclaredPojoTravelsPolymorphically() {
        ValuesSchema schema = serializer.schemaFor(User.class);
        SpecialUser special = new SpecialUser();
        special.setId(9);
        special.level = 3;
        RpcSerializer lenient = new RpcSerializer(AllowList.defaults().with(List.of("io.sluice.rpc.")), 64 * 1024);
        ByteBuf buf = lenient.encode(ByteBufAllocator.DEFAULT, schema, new Object[] {special});
        try {
            Object[] out = lenient.decode(buf, lenient.schemaFor(User.class));
            assertThat(out[0]).isInstanceOf(SpecialUser.class);
            assertThat(((SpecialUser) out[0]).level).isEqualTo(3);
        } finally {
            buf.release();
        }
    }

    @Test
    void aClassOutsideTheAllowListIsRefusedWithoutBeingInstantiated() {
        ValuesSchema schema = serializer.schemaFor(Object.class);
        ProcessBuilder gadgetEntry = new ProcessBuilder("rm", "-rf", "/tmp/nothing");
        ByteBuf buf = serializer.encode(ByteBufAllocator.DEFAULT, schema, new Object[] {gadgetEntry});
        try {
            assertThatThrownBy(() -> serializer.decode(buf, schema))
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CLASS_NOT_ALLOWED))
                    .hasMessageContaining("java.lang.ProcessBuilder");
        } finally {
            buf.release();
        }
        ByteBuf pojo = serializer.encode(ByteBufAllocator.DEFAULT, schema, new Object[] {new SpecialUser()});
        try {
            assertThatThrownBy(() -> serializer.decode(pojo, schema))
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CLASS_NOT_ALLOWED))
                    .hasMessageContaining(SpecialUser.class.getName());
        } finally {
            pojo.release();
        }
    }

    @Test
    void garbageIsASerializationError() {
        ValuesSchema schema = serializer.schemaFor(User.class, long.class);
        ByteBuf garbage = Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x13, 0x55, 0x01});
        assertThatThrownBy(() -> serializer.decode(garbage, schema))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.SERIALIZATION_ERROR));
    }

    @Test
    void payloadsOverTheLimitAreRefusedOnBothSides() {
        ValuesSchema schema = serializer.schemaFor(String.class);
        String big = "x".repeat(70 * 1024);
        assertThatThrownBy(() -> serializer.encode(ByteBufAllocator.DEFAULT, schema, new Object[] {big}))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining("sluice.rpc.max.payload.bytes");
        ByteBuf huge = Unpooled.wrappedBuffer(new byte[70 * 1024]);
        assertThatThrownBy(() -> serializer.decode(huge, schema))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    @Test
    void genericFormsConvertBothWays() {
        User user = UserServiceImpl.newUser(5);
        @SuppressWarnings("unchecked")
        Map<String, Object> generic = (Map<String, Object>) GenericConverter.toGeneric(user);
        assertThat(generic).containsEntry("class", User.class.getName()).containsEntry("id", 5L);
        Object back = GenericConverter.toDeclared(generic, User.class, "arg0");
        assertThat(back).isEqualTo(user);
        assertThat(GenericConverter.toDeclared(42, long.class, "arg0")).isEqualTo(42L);
        assertThatThrownBy(() -> GenericConverter.toDeclared("abc", long.class, "arg0"))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining("arg0");
        assertThatThrownBy(() -> GenericConverter.toDeclared(1L << 40, int.class, "arg1"))
                .hasMessageContaining("does not fit");
        List<Object> perms = new ArrayList<>(List.of(1L, 2L));
        assertThat(GenericConverter.toDeclared(Map.of("permissions", perms), User.class, "u"))
                .extracting(u -> ((User) u).getPermissions()).isEqualTo(List.of(1, 2));
    }

    static final class SpecialUser extends User {
        int level;
    }
}
