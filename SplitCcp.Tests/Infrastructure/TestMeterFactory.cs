using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SplitCcp.Core.Observability;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>A test's own meters: a collector of one of them sees this factory's instruments only, never another test's.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    /// <summary>Collects what the portal's instrument of that name records from now on.</summary>
    public MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(this, PortalTelemetry.Name, instrument);

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
            _meters.Clear();
        }
    }
}
