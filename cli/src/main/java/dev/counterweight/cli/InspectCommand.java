package dev.counterweight.cli;

import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.KafkaPreflight;
import dev.counterweight.connectors.kafka.TopicReader;
import dev.counterweight.connectors.kafka.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecordBase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code inspect TOPIC}: prints a topic's records as JSON lines, one per record. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description =
                "Print the records of a Counterweight topic as JSON lines (Avro decoded,"
                        + " read_committed). Without --from-beginning it starts at the last"
                        + " records of each partition; it stops at the end unless --follow.")
public final class InspectCommand implements Callable<Integer> {

    /** How many records per partition to start before the end when --max is not given. */
    static final int DEFAULT_TAIL = 10;

    /** The accepted topic names, for help and completion. */
    static final class TopicNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Topics.names().iterator();
        }
    }

    @Spec CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "TOPIC",
            completionCandidates = TopicNames.class,
            description = "Topic to read: ${COMPLETION-CANDIDATES}.")
    String topic;

    @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

    @Option(
            names = "--max",
            defaultValue = "-1",
            description =
                    "Stop after this many records (-1: no limit). Without --from-beginning,"
                            + " also start this many records before the end of each partition"
                            + " ("
                            + DEFAULT_TAIL
                            + " if not given). Default: ${DEFAULT-VALUE}.")
    long max;

    @Option(
            names = "--from-beginning",
            description = "Start at the earliest offset of each partition.")
    boolean fromBeginning;

    @Option(
            names = "--follow",
            description = "Keep printing new records after the end (Ctrl-C to stop).")
    boolean follow;

    @Option(
            names = "--timeout",
            defaultValue = "PT30S",
            description =
                    "Fail if the cluster does not answer, or reading stalls, this long. Default:"
                            + " ${DEFAULT-VALUE}.")
    Duration timeout;

    @Override
    public Integer call() {
        AvroCodec<? extends SpecificRecordBase> codec;
        try {
            codec = Topics.byName(topic).codec();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        KafkaPreflight.requireTopics(
                kafka.bootstrapServers(),
                "--bootstrap-servers",
                Map.of(topic, "TOPIC"),
                kafka.properties(),
                timeout);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TopicReader.Start start =
                fromBeginning
                        ? TopicReader.Start.beginning()
                        : TopicReader.Start.tail(max >= 0 ? max : DEFAULT_TAIL);
        TopicReader.read(
                kafka.bootstrapServers(),
                kafka.properties(),
                topic,
                start,
                max,
                follow,
                timeout,
                r -> {
                    if (r.value() == null) {
                        out.println("null");
                    } else {
                        try {
                            // Generated Avro records print themselves as JSON.
                            out.println(codec.decode(r.value()));
                        } catch (IOException e) {
                            err.printf(
                                    "partition %d offset %d: cannot decode: %s%n",
                                    r.partition(), r.offset(), e.getMessage());
                        }
                    }
                    if (follow) {
                        out.flush();
                    }
                });
        out.flush();
        return 0;
    }
}
