package dev.counterweight.connectors.replay;

import dev.counterweight.avro.UserEvent;
import java.util.ArrayList;
import java.util.List;

/** Records what a {@link Replayer} sends, with the fake time it was sent at. */
final class TestingEventSink implements EventSink {

    record Sent(String key, long timestampMillis, UserEvent event, long sentAtNanos) {}

    private final TestingTicker ticker;
    final List<Sent> sent = new ArrayList<>();
    int flushes;
    boolean closed;

    TestingEventSink(TestingTicker ticker) {
        this.ticker = ticker;
    }

    @Override
    public void send(String key, long timestampMillis, UserEvent event) {
        sent.add(new Sent(key, timestampMillis, event, ticker.nanoTime()));
    }

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public void close() {
        closed = true;
    }
}
