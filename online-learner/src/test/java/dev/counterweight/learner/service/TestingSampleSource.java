package dev.counterweight.learner.service;

import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.avro.AvroCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory topic: records are appended to partitions and read back in append order from the
 * positions the learner seeks to, at most {@code maxPoll} per poll. A poll that finds nothing
 * advances the {@link TestingClock} by its timeout, as a real wait would, so idle stops and batch
 * timeouts happen at exact times. Every delivered (partition, offset) is recorded.
 */
final class TestingSampleSource implements SampleSource {

    static final String TOPIC = "testing-samples";
    private static final AvroCodec<Sample> CODEC = AvroCodec.of(Sample.class);

    private final TestingClock clock;
    private final int maxPoll;
    private final List<Record> records = new ArrayList<>();
    private final Map<Integer, Long> ends = new HashMap<>();
    private final Map<Integer, Long> positions = new HashMap<>();
    private final List<Record> delivered = new ArrayList<>();
    private Map<Integer, Long> seekedTo;
    private Map<Integer, Long> committed = Map.of();
    private boolean opened;
    private boolean closed;

    TestingSampleSource(TestingClock clock, int maxPoll) {
        this.clock = clock;
        this.maxPoll = maxPoll;
    }

    /** Appends a sample's bytes; returns the record. */
    Record append(int partition, Sample sample) {
        return append(partition, CODEC.encode(sample));
    }

    /** Appends raw bytes (null for a tombstone); returns the record. */
    Record append(int partition, byte[] value) {
        long offset = ends.getOrDefault(partition, 0L);
        ends.put(partition, offset + 1);
        Record r =
                new Record(
                        TOPIC,
                        partition,
                        offset,
                        1_700_000_000_000L + records.size(),
                        ("k" + offset).getBytes(),
                        value);
        records.add(r);
        return r;
    }

    /** A source of the same records on {@code clock}, for a restarted learner. */
    TestingSampleSource copy(TestingClock clock) {
        TestingSampleSource c = new TestingSampleSource(clock, maxPoll);
        for (Record r : records) {
            c.append(r.partition(), r.value());
        }
        return c;
    }

    @Override
    public void open() {
        opened = true;
    }

    @Override
    public void seek(Map<Integer, Long> nextOffsets) {
        if (!opened) {
            throw new IllegalStateException("seek before open");
        }
        seekedTo = new TreeMap<>(nextOffsets);
        positions.clear();
        positions.putAll(nextOffsets);
    }

    @Override
    public List<Record> poll(Duration timeout) {
        if (seekedTo == null || closed) {
            throw new IllegalStateException("poll before seek or after close");
        }
        List<Record> out = new ArrayList<>();
        for (Record r : records) {
            if (out.size() == maxPoll) {
                break;
            }
            if (r.offset() == positions.getOrDefault(r.partition(), 0L)) {
                out.add(r);
                positions.put(r.partition(), r.offset() + 1);
            }
        }
        if (out.isEmpty()) {
            clock.advance(timeout);
        }
        delivered.addAll(out);
        return out;
    }

    @Override
    public void committed(Map<Integer, Long> nextOffsets) {
        committed = new TreeMap<>(nextOffsets);
    }

    @Override
    public void close() {
        closed = true;
    }

    List<Record> delivered() {
        return delivered;
    }

    Map<Integer, Long> seekedTo() {
        return seekedTo;
    }

    Map<Integer, Long> committed() {
        return committed;
    }

    boolean closed() {
        return closed;
    }

    Map<Integer, Long> ends() {
        return new TreeMap<>(ends);
    }
}
