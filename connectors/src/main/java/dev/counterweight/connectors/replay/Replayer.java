package dev.counterweight.connectors.replay;

import dev.counterweight.avro.UserEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Replays a dataset into an {@link EventSink}: sorts the events by event time (stable, so ties keep
 * the dataset's order), re-times them with the {@link ReplayPacing}, waits until each is due, and
 * sends it keyed by user id with the re-timed event time as record timestamp (the event's {@code
 * eventTime} is rewritten to match). The {@code replay} command and the local launcher both run it.
 *
 * <pre>{@code
 * Replayer.Result r = Replayer.replayToKafka("127.0.0.1:9092", Topics.EVENTS.name(), events,
 *         new ReplayPacing(10, TimeShift.NOW, 60), ProgressListener.NONE);
 * }</pre>
 */
public final class Replayer {

    /**
     * How far ahead of the wall clock a re-timed event may be when sent: the broker default of
     * {@code log.message.timestamp.after.max.ms}, beyond which records are rejected.
     */
    public static final Duration MAX_LEAD = Duration.ofHours(1);

    private static final long IDLE_TICK_NANOS = ProgressBar.MIN_INTERVAL_NANOS;

    /**
     * What a replay did.
     *
     * @param sent events sent and acknowledged
     * @param firstEventTime re-timed time of the first event (null if none)
     * @param lastEventTime re-timed time of the last event (null if none)
     * @param elapsed wall-clock time the replay took
     */
    public record Result(
            long sent, Instant firstEventTime, Instant lastEventTime, Duration elapsed) {}

    /** Time source and sleeper; a fake in tests, so pacing is checked without sleeping. */
    interface Ticker {
        Ticker SYSTEM =
                new Ticker() {
                    @Override
                    public long nanoTime() {
                        return System.nanoTime();
                    }

                    @Override
                    public long currentTimeMillis() {
                        return System.currentTimeMillis();
                    }

                    @Override
                    public void sleepNanos(long nanos) throws InterruptedException {
                        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
                    }
                };

        long nanoTime();

        long currentTimeMillis();

        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final EventSink sink;
    private final List<UserEvent> events;
    private final ReplayPacing pacing;
    private final ProgressListener listener;
    private final Ticker ticker;

    /**
     * @param sink where to send; the caller keeps ownership and closes it
     * @param events the dataset, in any order
     * @param pacing re-timing and pacing
     * @param listener told about progress (e.g. a {@link ProgressBar})
     */
    public Replayer(
            EventSink sink,
            List<UserEvent> events,
            ReplayPacing pacing,
            ProgressListener listener) {
        this(sink, events, pacing, listener, Ticker.SYSTEM);
    }

    Replayer(
            EventSink sink,
            List<UserEvent> events,
            ReplayPacing pacing,
            ProgressListener listener,
            Ticker ticker) {
        this.sink = Objects.requireNonNull(sink, "sink must not be null");
        this.pacing = Objects.requireNonNull(pacing, "pacing must not be null");
        this.listener = Objects.requireNonNull(listener, "listener must not be null");
        this.ticker = ticker;
        List<UserEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(UserEvent::getEventTime));
        this.events = List.copyOf(sorted);
    }

    /** Replays {@code events} into {@code topic} with a new idempotent producer, then closes it. */
    public static Result replayToKafka(
            String bootstrapServers,
            String topic,
            List<UserEvent> events,
            ReplayPacing pacing,
            ProgressListener listener)
            throws InterruptedException {
        return replayToKafka(bootstrapServers, Map.of(), topic, events, pacing, listener);
    }

    /** {@link #replayToKafka} with Kafka client pass-through settings (SASL/SSL). */
    public static Result replayToKafka(
            String bootstrapServers,
            Map<String, String> clientProperties,
            String topic,
            List<UserEvent> events,
            ReplayPacing pacing,
            ProgressListener listener)
            throws InterruptedException {
        try (KafkaEventSink sink =
                KafkaEventSink.create(bootstrapServers, clientProperties, topic)) {
            return new Replayer(sink, events, pacing, listener).run();
        }
    }

    /**
     * Sends every event when it is due, flushes the sink and returns what was sent.
     *
     * @throws IllegalArgumentException before sending anything if re-timed events would run more
     *     than {@link #MAX_LEAD} ahead of the wall clock
     * @throws IllegalStateException if the sink fails
     * @throws InterruptedException if interrupted while waiting; events sent so far stay sent
     */
    public Result run() throws InterruptedException {
        long total = events.size();
        long[] original = new long[events.size()];
        for (int i = 0; i < original.length; i++) {
            original[i] = events.get(i).getEventTime().toEpochMilli();
        }
        long wallStart = ticker.currentTimeMillis();
        long[] times = pacing.eventTimes(original, wallStart);
        long[] due = pacing.sendOffsetsNanos(times);
        checkLead(times, due, wallStart);
        long start = ticker.nanoTime();
        listener.onProgress(0, total, 0);
        for (int i = 0; i < original.length; i++) {
            long wait;
            while ((wait = start + due[i] - ticker.nanoTime()) > 0) {
                ticker.sleepNanos(Math.min(wait, IDLE_TICK_NANOS));
                listener.onProgress(i, total, ticker.nanoTime() - start);
            }
            UserEvent event = events.get(i);
            if (times[i] != original[i]) {
                event =
                        UserEvent.newBuilder(event)
                                .setEventTime(Instant.ofEpochMilli(times[i]))
                                .build();
            }
            sink.send(event.getUserId(), times[i], event);
            listener.onProgress(i + 1, total, ticker.nanoTime() - start);
        }
        sink.flush();
        long elapsed = ticker.nanoTime() - start;
        listener.onDone(total, total, elapsed);
        return new Result(
                total,
                total == 0 ? null : Instant.ofEpochMilli(times[0]),
                total == 0 ? null : Instant.ofEpochMilli(times[times.length - 1]),
                Duration.ofNanos(elapsed));
    }

    private void checkLead(long[] times, long[] due, long wallStart) {
        long lead = ReplayPacing.maxLeadMillis(times, due, wallStart);
        if (lead <= MAX_LEAD.toMillis()) {
            return;
        }
        // Lead scales with 1 / compress; aim a little below the limit.
        long compress = (long) Math.ceil(pacing.compress() * lead / (0.9 * MAX_LEAD.toMillis()));
        throw new IllegalArgumentException(
                String.format(
                        Locale.ROOT,
                        "re-timed events would run up to %.1f h ahead of the wall clock when sent,"
                                + " and brokers reject records more than %d h in the future"
                                + " (log.message.timestamp.after.max.ms): use --compress %d or"
                                + " more, a --speed-up of 1 or less, or --time-shift none",
                        lead / 3_600_000.0,
                        MAX_LEAD.toHours(),
                        compress));
    }
}
