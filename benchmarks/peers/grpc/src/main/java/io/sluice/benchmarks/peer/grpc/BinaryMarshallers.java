package io.sluice.benchmarks.peer.grpc;

import io.grpc.MethodDescriptor;
import io.sluice.benchmarks.load.model.BenchPage;
import io.sluice.benchmarks.load.model.BenchUser;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * gRPC marshallers without protobuf (no protoc plugin here): a compact hand-written binary form over
 * DataOutputStream. A user is its twelve fields in order: longs and ints fixed-width, strings as modified UTF-8
 * with a presence byte, dates as epoch day, date-times as epoch second (UTC) + nanos, the permission list as a
 * count + ints; a page is three ints + a count + its users. Stateless and thread-safe.
 */
final class BinaryMarshallers {
    static final MethodDescriptor.Marshaller<String> STRING = of(DataOutputStream::writeUTF, in -> in.readUTF());
    static final MethodDescriptor.Marshaller<Boolean> BOOLEAN = of(DataOutputStream::writeBoolean,
            DataInputStream::readBoolean);
    static final MethodDescriptor.Marshaller<Long> LONG = of(DataOutputStream::writeLong, DataInputStream::readLong);
    static final MethodDescriptor.Marshaller<Integer> INT = of(DataOutputStream::writeInt, DataInputStream::readInt);
    static final MethodDescriptor.Marshaller<BenchUser> USER = of(BinaryMarshallers::writeUser,
            BinaryMarshallers::readUser);
    static final MethodDescriptor.Marshaller<BenchPage> PAGE = of(BinaryMarshallers::writePage,
            BinaryMarshallers::readPage);

    private BinaryMarshallers() {
    }

    interface Writer<T> {
        void write(DataOutputStream out, T value) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    static <T> MethodDescriptor.Marshaller<T> of(Writer<T> writer, Reader<T> reader) {
        return new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(T value) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    writer.write(out, value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return new ByteArrayInputStream(bytes.toByteArray());
            }

            @Override
            public T parse(InputStream stream) {
                try (DataInputStream in = new DataInputStream(stream)) {
                    return reader.read(in);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    static void writeUser(DataOutputStream out, BenchUser u) throws IOException {
        out.writeLong(u.getId());
        writeString(out, u.getName());
        out.writeInt(u.getSex());
        out.writeLong(u.getBirthday() == null ? Long.MIN_VALUE : u.getBirthday().toEpochDay());
        writeString(out, u.getEmail());
        writeString(out, u.getMobile());
        writeString(out, u.getAddress());
        writeString(out, u.getIcon());
        List<Integer> permissions = u.getPermissions();
        out.writeInt(permissions == null ? -1 : permissions.size());
        if (permissions != null) {
            for (Integer p : permissions) {
                out.writeInt(p);
            }
        }
        out.writeInt(u.getStatus());
        writeTime(out, u.getCreateTime());
        writeTime(out, u.getUpdateTime());
    }

    static BenchUser readUser(DataInputStream in) throws IOException {
        BenchUser u = new BenchUser();
        u.setId(in.readLong());
        u.setName(readString(in));
        u.setSex(in.readInt());
        long day = in.readLong();
        u.setBirthday(day == Long.MIN_VALUE ? null : LocalDate.ofEpochDay(day));
        u.setEmail(readString(in));
        u.setMobile(readString(in));
        u.setAddress(readString(in));
        u.setIcon(readString(in));
        int n = in.readInt();
        if (n >= 0) {
            List<Integer> permissions = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                permissions.add(in.readInt());
            }
            u.setPermissions(permissions);
        }
        u.setStatus(in.readInt());
        u.setCreateTime(readTime(in));
        u.setUpdateTime(readTime(in));
        return u;
    }

    static void writePage(DataOutputStream out, BenchPage p) throws IOException {
        out.writeInt(p.getPageNo());
        out.writeInt(p.getTotal());
        out.writeInt(p.getTotalPage());
        List<BenchUser> users = p.getResult();
        out.writeInt(users == null ? -1 : users.size());
        if (users != null) {
            for (BenchUser u : users) {
                writeUser(out, u);
            }
        }
    }

    static BenchPage readPage(DataInputStream in) throws IOException {
        BenchPage p = new BenchPage();
        p.setPageNo(in.readInt());
        p.setTotal(in.readInt());
        p.setTotalPage(in.readInt());
        int n = in.readInt();
        if (n >= 0) {
            List<BenchUser> users = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                users.add(readUser(in));
            }
            p.setResult(users);
        }
        return p;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readString(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeTime(DataOutputStream out, LocalDateTime t) throws IOException {
        out.writeBoolean(t != null);
        if (t != null) {
            out.writeLong(t.toEpochSecond(ZoneOffset.UTC));
            out.writeInt(t.getNano());
        }
    }

    private static LocalDateTime readTime(DataInputStream in) throws IOException {
        return in.readBoolean() ? LocalDateTime.ofEpochSecond(in.readLong(), in.readInt(), ZoneOffset.UTC) : null;
    }
}
