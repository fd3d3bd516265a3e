package dev.counterweight.jobs.weighting;

import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import dev.counterweight.jobs.weighting.internal.Tags;
import dev.counterweight.jobs.weighting.io.DeadLetters;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Passes valid events on and sends the rest, with their reason and source offset, to the
 * dead-letter side output: records the deserializer rejected, and events older than the current
 * watermark (later than {@code watermark.out-of-orderness} allows).
 */
public class RouteEventsFunction extends ProcessFunction<IngestedEvent, IngestedEvent> {

    private static final long serialVersionUID = 1L;

    private transient Counter eventsIn;
    private transient Counter deadLettered;

    @Override
    public void open(OpenContext context) {
        eventsIn = getRuntimeContext().getMetricGroup().counter("eventsIn");
        deadLettered = getRuntimeContext().getMetricGroup().counter("deadLettered");
    }

    @Override
    public void processElement(IngestedEvent e, Context ctx, Collector<IngestedEvent> out) {
        eventsIn.inc();
        if (!e.isValid()) {
            deadLettered.inc();
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(e, e.reasonCode, e.reason));
            return;
        }
        long t = e.event.getEventTime().toEpochMilli();
        long watermark = ctx.timerService().currentWatermark();
        if (t <= watermark) {
            deadLettered.inc();
            ctx.output(
                    Tags.DEAD_LETTERS,
                    DeadLetters.of(
                            e,
                            EventValidator.LATE_EVENT,
                            "eventTime "
                                    + e.event.getEventTime()
                                    + " is behind the watermark "
                                    + watermark
                                    + " (watermark.out-of-orderness)"));
            return;
        }
        out.collect(e);
    }
}
