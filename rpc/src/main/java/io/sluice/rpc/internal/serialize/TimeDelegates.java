package io.sluice.rpc.internal.serialize;

import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Pipe;
import io.protostuff.WireFormat;
import io.protostuff.runtime.Delegate;
import io.protostuff.runtime.DefaultIdStrategy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;

/**
 * Protostuff delegates for the java.time types, which reflection cannot read on Java 17 without opening
 * java.base. Wire forms: LocalDate = int64 epoch day; LocalTime = int64 nano of day; LocalDateTime (as UTC),
 * Instant and Duration = 12 bytes, big-endian int64 seconds then int32 nanos.
 *
 * <p>Stateless and thread-safe.
 */
final class TimeDelegates {
    private TimeDelegates() {
    }

    static void registerAll(DefaultIdStrategy strategy) {
        strategy.registerDelegate(new LocalDateDelegate());
        strategy.registerDelegate(new LocalTimeDelegate());
        strategy.registerDelegate(new SecondsNanosDelegate<>(LocalDateTime.class) {
            @Override
            long seconds(LocalDateTime v) {
                return v.toEpochSecond(ZoneOffset.UTC);
            }

            @Override
            int nanos(LocalDateTime v) {
                return v.getNano();
            }

            @Override
            LocalDateTime create(long seconds, int nanos) {
                return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
            }
        });
        strategy.registerDelegate(new SecondsNanosDelegate<>(Instant.class) {
            @Override
            long seconds(Instant v) {
                return v.getEpochSecond();
            }

            @Override
            int nanos(Instant v) {
                return v.getNano();
            }

            @Override
            Instant create(long seconds, int nanos) {
                return Instant.ofEpochSecond(seconds, nanos);
            }
        });
        strategy.registerDelegate(new SecondsNanosDelegate<>(Duration.class) {
            @Override
            long seconds(Duration v) {
                return v.getSeconds();
            }

            @Override
            int nanos(Duration v) {
                return v.getNano();
            }

            @Override
            Duration create(long seconds, int nanos) {
                return Duration.ofSeconds(seconds, nanos);
            }
        });
    }

    private static final class LocalDateDelegate implements Delegate<LocalDate> {
        @Override
        public WireFormat.FieldType getFieldType() {
            return WireFormat.FieldType.INT64;
        }

        @Override
        public LocalDate readFrom(Input input) throws IOException {
            return LocalDate.ofEpochDay(input.readInt64());
        }

        @Override
        public void writeTo(Output output, int number, LocalDate value, boolean repeated) throws IOException {
            output.writeInt64(number, value.toEpochDay(), repeated);
        }

        @Override
        public void transfer(Pipe pipe, Input input, Output output, int number, boolean repeated) throws IOException {
            output.writeInt64(number, input.readInt64(), repeated);
        }

        @Override
        public Class<?> typeClass() {
            return LocalDate.class;
        }
    }

    private static final class LocalTimeDelegate implements Delegate<LocalTime> {
        @Override
        public WireFormat.FieldType getFieldType() {
            return WireFormat.FieldType.INT64;
        }

        @Override
        public LocalTime readFrom(Input input) throws IOException {
            return LocalTime.ofNanoOfDay(input.readInt64());
        }

        @Override
        public void writeTo(Output output, int number, LocalTime value, boolean repeated) throws IOException {
            output.writeInt64(number, value.toNanoOfDay(), repeated);
        }

        @Override
        public void transfer(Pipe pipe, Input input, Output output, int number, boolean repeated) throws IOException {
            output.writeInt64(number, input.readInt64(), repeated);
        }

        @Override
        public Class<?> typeClass() {
            return LocalTime.class;
        }
    }

    private abstract static class SecondsNanosDelegate<V> implements Delegate<V> {
        private final Class<V> type;

        SecondsNanosDelegate(Class<V> type) {
            this.type = type;
        }

        abstract long seconds(V value);

        abstract int nanos(V value);

        abstract V create(long seconds, int nanos);

        @Override
        public WireFormat.FieldType getFieldType() {
            return WireFormat.FieldType.BYTES;
        }

        @Override
        public V readFrom(Input input) throws IOException {
            ByteBuffer bytes = input.readByteBuffer();
            if (bytes.remaining() != 12) {
                throw new IOException(type.getSimpleName() + " must be 12 bytes, got " + bytes.remaining());
            }
            return create(bytes.getLong(), bytes.getInt());
        }

        @Override
        public void writeTo(Output output, int number, V value, boolean repeated) throws IOException {
            byte[] bytes = new byte[12];
            ByteBuffer.wrap(bytes).putLong(seconds(value)).putInt(nanos(value));
            output.writeByteArray(number, bytes, repeated);
        }

        @Override
        public void transfer(Pipe pipe, Input input, Output output, int number, boolean repeated) throws IOException {
            input.transferByteRangeTo(output, false, number, repeated);
        }

        @Override
        public Class<?> typeClass() {
            return type;
        }
    }
}
