package io.sluice.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java records as RPC parameter and return types, alone and nested: in a record, in a list, in a map, beside a
 * class; null components and null records. Records are today's DTOs; protostuff's runtime schemas cannot build
 * them (it sets fields through Unsafe, which refuses records), so Sluice encodes them by their components.
 */
class RecordTypesTest {
    public record Point(int x, int y) {
    }

    public record Shape(String name, Point origin, List<Point> points, Map<String, Point> marks, long[] weights) {
    }

    /** A class (not a record) with a record field. */
    public static final class Drawing {
        public String title;
        public Point anchor;
        public List<Shape> shapes;
    }

    public interface Geometry {
        Point move(Point p, int dx, int dy);

        Drawing redraw(Drawing d);

        Object echo(Object value);

        Shape scale(Shape s, int factor);

        List<Point> path(List<Point> points);
    }

    public static final class GeometryImpl implements Geometry {
        @Override
        public Point move(Point p, int dx, int dy) {
            return p == null ? null : new Point(p.x() + dx, p.y() + dy);
        }

        @Override
        public Shape scale(Shape s, int factor) {
            return new Shape(s.name() + "x" + factor, s.origin() == null ? null : new Point(s.origin().x() * factor,
                    s.origin().y() * factor), s.points().stream().map(p -> new Point(p.x() * factor, p.y() * factor))
                    .toList(), s.marks(), s.weights());
        }

        @Override
        public Drawing redraw(Drawing d) {
            d.title = d.title + "'";
            return d;
        }

        @Override
        public Object echo(Object value) {
            return value;
        }

        @Override
        public List<Point> path(List<Point> points) {
            return points;
        }
    }

    private RpcServer server;
    private RpcClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void recordsTravelAsParametersAndResultsAndInsideEachOther() {
        server = RpcServer.builder().host("127.0.0.1").port(0).service(Geometry.class, new GeometryImpl(), "", "", 100)
                .start();
        client = RpcClient.builder().registry("rpc://127.0.0.1:" + server.port()).build();
        Geometry geometry = client.stub(Geometry.class, o -> { });

        assertThat(geometry.move(new Point(1, 2), 10, 20)).isEqualTo(new Point(11, 22));
        assertThat(geometry.move(null, 1, 1)).isNull();
        assertThat(geometry.path(List.of(new Point(1, 1), new Point(2, 3))))
                .containsExactly(new Point(1, 1), new Point(2, 3));

        Shape shape = new Shape("tri", new Point(1, 1), List.of(new Point(0, 0), new Point(3, 4)),
                Map.of("top", new Point(3, 4)), new long[] {7, 8});
        Shape scaled = geometry.scale(shape, 2);
        assertThat(scaled.name()).isEqualTo("trix2");
        assertThat(scaled.origin()).isEqualTo(new Point(2, 2));
        assertThat(scaled.points()).containsExactly(new Point(0, 0), new Point(6, 8));
        assertThat(scaled.marks()).containsExactly(Map.entry("top", new Point(3, 4)));
        assertThat(scaled.weights()).containsExactly(7, 8);

        Drawing drawing = new Drawing();
        drawing.title = "plan";
        drawing.anchor = new Point(5, 6);
        drawing.shapes = List.of(shape);
        Drawing redrawn = geometry.redraw(drawing);
        assertThat(redrawn.title).isEqualTo("plan'");
        assertThat(redrawn.anchor).isEqualTo(new Point(5, 6));
        assertThat(redrawn.shapes).hasSize(1).first().satisfies(s -> assertThat(s.points())
                .containsExactly(new Point(0, 0), new Point(3, 4)));
        assertThat(geometry.echo(new Point(8, 9))).as("a record in an Object parameter and result")
                .isEqualTo(new Point(8, 9));

        GenericService generic = client.generic(Geometry.class.getName(), o -> { });
        Object moved = generic.invoke("move", null, Map.of("x", 1, "y", 2), 3, 4);
        assertThat(moved).as("a generic call with a record as a map").isInstanceOfSatisfying(Map.class, m -> {
            assertThat(m.get("x")).isEqualTo(4);
            assertThat(m.get("y")).isEqualTo(6);
        });

        Shape sparse = geometry.scale(new Shape(null, null, List.of(), Map.of(), null), 3);
        assertThat(sparse.name()).isEqualTo("nullx3");
        assertThat(sparse.origin()).isNull();
        assertThat(sparse.points()).isEmpty();
        assertThat(sparse.weights()).isNull();
    }
}
