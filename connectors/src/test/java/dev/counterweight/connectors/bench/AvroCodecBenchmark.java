package dev.counterweight.connectors.bench;

import dev.counterweight.avro.Sample;
import dev.counterweight.avro.SourceOffset;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.features.FeatureLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link AvroCodec} (single-object encoding, the wire format of every topic) against its baseline,
 * Avro's raw {@link SpecificDatumWriter}/{@link SpecificDatumReader} with a reused {@link
 * BinaryEncoder}/{@link BinaryDecoder} and no header, in the same run.
 *
 * <p>Both sides produce a fresh {@code byte[]} per encode and a fresh record per decode, as the
 * Kafka serializers do. The records are a clicked exposure with request, position, price and 8
 * dense features ({@link TestEvents}), and the weighted sample the job makes of it (22 features,
 * one source offset).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AvroCodecBenchmark {

    @Param({"UserEvent", "Sample"})
    public String type;

    private SpecificRecordBase record;
    private AvroCodec<SpecificRecordBase> codec;
    private byte[] encoded;
    private SpecificDatumWriter<SpecificRecordBase> writer;
    private SpecificDatumReader<SpecificRecordBase> reader;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;
    private byte[] body;

    static UserEvent userEvent() {
        return TestEvents.click("u-1048576", "i-3145728")
                .inCategory("c-4521")
                .forRequest("req-7f3a9c2e-51b4")
                .atPosition(3)
                .pricedAt(19.99)
                .withFeatures(0.12f, 1.5f, -0.3f, 4.0f, 0.0f, 2.25f, 0.75f, 1.0f)
                .at(1_700_000_123_456L);
    }

    static Sample sample() {
        List<Float> features = new ArrayList<>();
        for (int i = 0; i < FeatureLayout.DENSE + 8; i++) {
            features.add(i * 0.37f - 1.0f);
        }
        return Sample.newBuilder()
                .setSampleId("click:u-1048576:i-3145728@1700000123456")
                .setUserId("u-1048576")
                .setItemId("i-3145728")
                .setCategoryId("c-4521")
                .setRequestId("req-7f3a9c2e-51b4")
                .setExposureTime(Instant.ofEpochMilli(1_700_000_123_456L))
                .setClosedAt(Instant.ofEpochMilli(1_700_001_923_456L))
                .setClick(true)
                .setConversion(false)
                .setClassKey("cat=c-4521|y=click")
                .setFeatures(features)
                .setFeatureFingerprint(FeatureLayout.FINGERPRINT)
                .setWeight(2.5)
                .setClassWeight(2.5)
                .setWeightTableVersion(107)
                .setSamplingRate(1.0)
                .setSourceOffsets(List.of(new SourceOffset("events", 1, 123_456L)))
                .build();
    }

    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() throws IOException {
        record =
                switch (type) {
                    case "UserEvent" -> userEvent();
                    case "Sample" -> sample();
                    default -> throw new IllegalArgumentException("unknown type " + type);
                };
        Class<SpecificRecordBase> cls = (Class<SpecificRecordBase>) record.getClass();
        codec = AvroCodec.of(cls);
        encoded = codec.encode(record);
        writer = new SpecificDatumWriter<>(cls);
        reader = new SpecificDatumReader<>(cls);
        body = rawEncode();
        if (!codec.decode(encoded).equals(record) || !rawDecode().equals(record)) {
            throw new IllegalStateException("round trip changed the " + type);
        }
    }

    @Benchmark
    public byte[] codecEncode() {
        return codec.encode(record);
    }

    @Benchmark
    public byte[] rawEncode() throws IOException {
        out.reset();
        encoder = EncoderFactory.get().binaryEncoder(out, encoder);
        writer.write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @Benchmark
    public SpecificRecordBase codecDecode() throws IOException {
        return codec.decode(encoded);
    }

    @Benchmark
    public SpecificRecordBase rawDecode() throws IOException {
        decoder = DecoderFactory.get().binaryDecoder(body, decoder);
        return reader.read(null, decoder);
    }
}
