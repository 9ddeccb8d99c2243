using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using SplitCcp.Core;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using SplitCcp.Web.Extensions;

namespace SplitCcp.Benchmark;

/// <summary>
/// One portal as it runs (the same wiring as a normal start, in Production, on a loopback port) with the benchmark's
/// settings over everything else, and what one drift pass cost it: the benchmark's own portal, or a replica in a process of
/// its own that shares the database.
/// </summary>
internal sealed class BenchmarkPortal : IAsyncDisposable
{
    private readonly BenchmarkSettings _settings;
    private readonly WebApplication _app;

    private BenchmarkPortal(BenchmarkSettings settings, WebApplication app)
    {
        _settings = settings;
        _app = app;
    }

    public IServiceProvider Services => _app.Services;

    public Uri Url => new(_app.Urls.Single());

    public static async Task<BenchmarkPortal> StartAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken ct)
    {
        var source = new BenchmarkSettings(settings);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // The portal's name, not this program's: its pages, assets and settings are found by it.
            ApplicationName = typeof(WebServiceCollectionExtensions).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.Sources.Add(source);
        builder.WebHost.UseStaticWebAssets();
        builder.AddSplitCcpCore();
        builder.AddSplitCcpWeb();
        var app = builder.Build();
        app.MapSplitCcp();
        await app.StartAsync(ct);
        return new BenchmarkPortal(source, app);
    }

    /// <summary>Changes the latency the way an operator would, through configuration, and checks the Sandbox sees it.</summary>
    public TimeSpan SetLatency(TimeSpan latency)
    {
        _settings.Change("SplitCcp:Sandbox:Latency", latency.ToString("c", CultureInfo.InvariantCulture));
        var seen = Services.GetRequiredService<IOptionsMonitor<SandboxOptions>>().CurrentValue.Latency;
        return seen == latency
            ? seen
            : throw new InvalidOperationException($"The Sandbox still adds {seen.TotalMilliseconds} ms after the configuration said {latency.TotalMilliseconds} ms.");
    }

    /// <summary>
    /// Runs one drift pass of this portal over the tenants not checked since <paramref name="notCheckedSince"/> (shared by
    /// every replica of the pass) and measures it: the Sandbox's counters, memory, GC and CPU of this process.
    /// </summary>
    public async Task<ReplicaPass> MeasurePassAsync(DateTime notCheckedSince, CancellationToken ct)
    {
        var faults = Services.GetRequiredService<SandboxFaults>();
        var worker = Services.GetRequiredService<DriftWorker>();
        var latency = Services.GetRequiredService<IOptionsMonitor<SandboxOptions>>().CurrentValue.Latency;
        var concurrency = Services.GetRequiredService<IOptionsMonitor<DriftOptions>>().CurrentValue.MaxConcurrency;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var (attempts, throttles, rateLimited, serverErrors) = (faults.Attempts, faults.Throttles, faults.RateLimited, faults.ServerErrors);
        var byOperation = faults.AttemptsByOperation();
        var allocated = GC.GetTotalAllocatedBytes();
        var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var cpu = Environment.CpuUsage.TotalTime;
        var peakReset = ProcessMemory.ResetPeak();
        using var heap = new PeakSampler(() => GC.GetTotalMemory(forceFullCollection: false));

        var started = Stopwatch.GetTimestamp();
        var pass = await worker.CheckAllAsync(notCheckedSince, ct);
        var wall = Stopwatch.GetElapsedTime(started);

        var perOperation = Since(byOperation, faults.AttemptsByOperation());
        return new ReplicaPass(
            Environment.ProcessId, wall, pass.Checked, faults.Attempts - attempts, faults.Throttles - throttles, faults.RateLimited - rateLimited,
            faults.ServerErrors - serverErrors,
            PassBounds.RateLimit(perOperation, Services.GetRequiredService<IOptions<AwsRateLimitOptions>>().Value),
            PassBounds.OneCheckPerSlot(perOperation, pass.Checked, Math.Min(concurrency, Math.Max(1, pass.Checked)), latency),
            ProcessMemory.PeakResidentBytes(), peakReset, heap.Peak, GC.GetGCMemoryInfo().HeapSizeBytes, GC.GetTotalAllocatedBytes() - allocated,
            Environment.CpuUsage.TotalTime - cpu,
            [GC.CollectionCount(0) - collections.Item1, GC.CollectionCount(1) - collections.Item2, GC.CollectionCount(2) - collections.Item3]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private static IReadOnlyList<SandboxAttemptCount> Since(IReadOnlyList<SandboxAttemptCount> before, IReadOnlyList<SandboxAttemptCount> after)
    {
        var earlier = before.ToDictionary(c => (c.AccountId, c.Region, c.Operation), c => c.Attempts);
        return [.. after.Select(c => c with { Attempts = c.Attempts - earlier.GetValueOrDefault((c.AccountId, c.Region, c.Operation)) }).Where(c => c.Attempts > 0)];
    }

    /// <summary>Samples a value every 20 ms until disposed and keeps the highest.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public PeakSampler(Func<long> sample)
        {
            _peak = sample();
            _timer = new Timer(_ => Sample(sample()), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
        }

        public long Peak => Interlocked.Read(ref _peak);

        public void Dispose() => _timer.Dispose();

        private void Sample(long value)
        {
            var current = Interlocked.Read(ref _peak);
            while (value > current && Interlocked.CompareExchange(ref _peak, value, current) != current)
            {
                current = Interlocked.Read(ref _peak);
            }
        }
    }
}

/// <summary>What one portal process spent on its share of a drift pass; a line of JSON between a replica and the benchmark.</summary>
internal sealed record ReplicaPass(
    int ProcessId, TimeSpan Wall, int Checked, long Calls, long Throttled, long RateLimited, long ServerErrors, TimeSpan RateBound, TimeSpan SlotBound,
    long PeakResident, bool PeakReset, long PeakHeap, long HeapAfter, long Allocated, TimeSpan Cpu, int[] Collections);
