package dev.counterweight.connectors.replay;

/** A clock that only moves when the replayer sleeps. */
final class TestingTicker implements Replayer.Ticker {

    private final long wallClockStartMillis;
    private long nanos;
    long sleeps;

    TestingTicker(long wallClockStartMillis) {
        this.wallClockStartMillis = wallClockStartMillis;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long currentTimeMillis() {
        return wallClockStartMillis + nanos / 1_000_000;
    }

    @Override
    public void sleepNanos(long n) {
        sleeps++;
        nanos += n;
    }
}
