using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using SplitCcp.Core.Observability;

namespace SplitCcp.Web.Metrics;

/// <summary>
/// Listens, from start-up, to the instruments of the portal's meter that this host's <see cref="IMeterFactory"/> created
/// (another host's in the same process, as in tests, is not this one's), and keeps per instrument and label set what
/// <c>/metrics</c> shows: counter totals, histogram buckets on the bounds the instrument advises, and the observable gauges'
/// values as read by <see cref="Collect"/>. Recording takes no lock: an AWS attempt or a drift check never waits for a scrape.
/// </summary>
internal sealed class PortalMeterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, Aggregate> _instruments = new(StringComparer.Ordinal);
    private readonly Lock _collecting = new();

    public PortalMeterListener(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PortalTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument, _instruments.GetOrAdd(instrument.Name, _ => new Aggregate(instrument)));
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable gauges, then every instrument's series as they are now.</summary>
    public MeterSnapshot Collect()
    {
        lock (_collecting)
        {
            foreach (var gauge in _instruments.Values.Where(i => i.IsObservable))
            {
                gauge.Clear();
            }

            _listener.RecordObservableInstruments();
            return new MeterSnapshot(_instruments.ToDictionary(i => i.Key, i => i.Value.Snapshot(), StringComparer.Ordinal));
        }
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Aggregate(Instrument instrument)
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

        /// <summary>The bucket bounds of a histogram (none advised: only +Inf); null for a counter or gauge.</summary>
        private readonly IReadOnlyList<double>? _bounds = instrument is Histogram<double> histogram ? histogram.Advice?.HistogramBucketBoundaries ?? [] : null;

        public bool IsObservable => instrument.IsObservable;

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, tag) in tags)
            {
                labels[name] = Convert.ToString(tag, CultureInfo.InvariantCulture) ?? "";
            }

            var key = string.Join('\0', labels.Select(l => $"{l.Key}\0{l.Value}"));
            var series = _series.GetOrAdd(key, _ => new Series(labels, _bounds));
            if (IsObservable)
            {
                series.Set(value);
            }
            else
            {
                series.Add(value);
            }
        }

        public void Clear() => _series.Clear();

        public InstrumentSnapshot Snapshot() => new(_bounds, _series.Values.Select(s => s.Snapshot()).ToList());
    }

    private sealed class Series(IReadOnlyDictionary<string, string> labels, IReadOnlyList<double>? bounds)
    {
        // One slot per bound plus one past the last (+Inf); each value lands in exactly one slot, so a snapshot's count is
        // the sum of its slots and can never disagree with its +Inf bucket, whatever is recorded during the read.
        private readonly long[] _slots = bounds is null ? [] : new long[bounds.Count + 1];
        private double _value;

        public void Set(double value) => Volatile.Write(ref _value, value);

        /// <summary>A counter's increment, or a histogram's observation (its sum grows by it).</summary>
        public void Add(double value)
        {
            if (bounds is not null)
            {
                var slot = 0;
                while (slot < bounds.Count && value > bounds[slot])
                {
                    slot++;
                }

                Interlocked.Increment(ref _slots[slot]);
            }

            double current;
            do
            {
                current = Volatile.Read(ref _value);
            }
            while (Interlocked.CompareExchange(ref _value, current + value, current) != current);
        }

        public SeriesSnapshot Snapshot()
        {
            var sum = Volatile.Read(ref _value);
            if (bounds is null)
            {
                return new SeriesSnapshot(labels, sum, null);
            }

            var cumulative = new long[_slots.Length];
            long running = 0;
            for (var i = 0; i < _slots.Length; i++)
            {
                running += Interlocked.Read(ref _slots[i]);
                cumulative[i] = running;
            }

            return new SeriesSnapshot(labels, sum, new HistogramSnapshot(bounds, cumulative, sum));
        }
    }
}

/// <summary>Every listened instrument's series at one moment, by instrument name.</summary>
internal sealed record MeterSnapshot(IReadOnlyDictionary<string, InstrumentSnapshot> Instruments)
{
    /// <summary>The instrument's series; none when it was never created or never recorded.</summary>
    public IReadOnlyList<SeriesSnapshot> Series(string instrument) => Instruments.TryGetValue(instrument, out var found) ? found.Series : [];

    /// <summary>The value of the series with exactly these labels; 0 when it was never recorded.</summary>
    public double Value(string instrument, IReadOnlyList<(string Name, string Value)> labels) => Find(instrument, labels)?.Value ?? 0;

    /// <summary>The histogram with exactly these labels, empty when never recorded; null when the instrument does not exist.</summary>
    public HistogramSnapshot? Histogram(string instrument, IReadOnlyList<(string Name, string Value)> labels) =>
        Find(instrument, labels)?.Histogram
        ?? (Instruments.TryGetValue(instrument, out var found) && found.Bounds is { } bounds ? HistogramSnapshot.Empty(bounds) : null);

    private SeriesSnapshot? Find(string instrument, IReadOnlyList<(string Name, string Value)> labels) =>
        Series(instrument).FirstOrDefault(s => s.Labels.Count == labels.Count && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));
}

/// <param name="Bounds">A histogram's bucket bounds; null for a counter or gauge.</param>
internal sealed record InstrumentSnapshot(IReadOnlyList<double>? Bounds, IReadOnlyList<SeriesSnapshot> Series);

/// <param name="Value">A counter's total, a gauge's value, a histogram's sum.</param>
internal sealed record SeriesSnapshot(IReadOnlyDictionary<string, string> Labels, double Value, HistogramSnapshot? Histogram);
