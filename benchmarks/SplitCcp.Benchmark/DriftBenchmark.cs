using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SplitCcp.Core;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Web.Extensions;

namespace SplitCcp.Benchmark;

/// <summary>
/// The drift benchmark: the portal, as it runs, in a fresh temporary data folder with N Sandbox tenants, each its own account,
/// converged so a drift pass finds them in sync (set up at zero latency and reported apart), then full drift passes with
/// latency on every AWS call and AWS's rate limits enforced by the Sandbox, and the dashboard's first page served.
/// </summary>
internal sealed class DriftBenchmark : IAsyncDisposable
{
    /// <summary>How long an idle account's buckets take to fill again (Connect: 5 tokens at 2/s), waited before each pass.</summary>
    private static readonly TimeSpan s_refill = TimeSpan.FromSeconds(3);

    private readonly BenchmarkOptions _options;
    private readonly TextWriter _out;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"splitccp-benchmark-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}");
    private readonly string _email = "benchmark-operator@splitccp.invalid";
    private readonly string _password = $"Bench-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-Aa1";
    private readonly string _token = $"sccp_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20))}";
    private readonly BenchmarkSettings _settings;
    private WebApplication? _app;
    private ClaimsPrincipal? _operator;

    private DriftBenchmark(BenchmarkOptions options, TextWriter output)
    {
        _options = options;
        _out = TextWriter.Synchronized(output);
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["SplitCcp:Storage:DataDirectory"] = Path.Combine(_folder, "data"),

            // Production wants the key ring protected: a key file of its own, beside the data and deleted with it.
            ["SplitCcp:DataProtection:KeyFile"] = Path.Combine(_folder, "keys", "dataprotection.key"),
            ["SplitCcp:DataProtection:GenerateKeyFile"] = "true",
            ["SplitCcp:Storage:ConnectionString"] = "",
            ["SplitCcp:Bootstrap:AdminEmail"] = _email,
            ["SplitCcp:Bootstrap:AdminPassword"] = _password,
            ["SplitCcp:Bootstrap:ApiToken"] = _token,

            // Passes run when the benchmark says, never on the worker's schedule.
            ["SplitCcp:Drift:Enabled"] = "false",
            ["SplitCcp:Reconciliation:MaxConcurrentApplies"] = "64",
            ["SplitCcp:Reconciliation:PollInitialInterval"] = "00:00:00.010",
            ["SplitCcp:Reconciliation:PollMaxInterval"] = "00:00:00.100",
            ["SplitCcp:Sandbox:Latency"] = "00:00:00",
            ["SplitCcp:Sandbox:ThrottleRate"] = "0",
            ["SplitCcp:Sandbox:ServerErrorRate"] = "0",
            ["SplitCcp:Sandbox:EnforceRateLimits"] = "true",
            ["SplitCcp:Aws:RateLimits:Services:connect:RatePerSecond"] = "2",
            ["SplitCcp:Aws:RateLimits:Services:connect:Burst"] = "5",
        };
        foreach (var timing in new[] { "InstanceCreation", "PhoneNumberClaim", "FleetStart", "FleetStop", "ImageBuilderStart", "DistributionDeployment" })
        {
            settings[$"SplitCcp:Sandbox:{timing}"] = "00:00:00";
        }

        if (options.Concurrency is { } concurrency)
        {
            settings["SplitCcp:Drift:MaxConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture);
        }

        _settings = new BenchmarkSettings(settings);
    }

    private IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The portal has not started.");

    private ClaimsPrincipal Operator => _operator ?? throw new InvalidOperationException("The portal has not started.");

    /// <summary>Runs the benchmark with its command-line arguments (after <c>benchmark</c>); the exit code is 0 when every tenant checked healthy.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken ct = default)
    {
        if (args is ["--help"] or ["-h"])
        {
            await output.WriteLineAsync(BenchmarkOptions.Usage);
            return 0;
        }

        var (options, error) = BenchmarkOptions.Parse(args);
        if (options is null)
        {
            await output.WriteLineAsync($"{error}\n\n{BenchmarkOptions.Usage}");
            return 2;
        }

        await using var benchmark = new DriftBenchmark(options, output);
        return await benchmark.RunAsync(ct);
    }

    /// <summary>The console entry point: runs until done or Ctrl+C, cleaning up either way.</summary>
    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        void Cancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            stop.Cancel();
        }

        Console.CancelKeyPress += Cancel;
        try
        {
            return await RunAsync(args, Console.Out, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= Cancel;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (_options.Keep)
        {
            await Line($"data folder kept: {_folder}");
        }
        else if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<int> RunAsync(CancellationToken ct)
    {
        await Line($"SplitCcp drift benchmark: {_options.Tenants} Sandbox tenants, each its own account; {Ms(_options.Latency)} latency per AWS call in the measured passes");
        await Line($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription} ({(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC), load {LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        await StartPortalAsync(ct);
        var drift = Services.GetRequiredService<IOptionsMonitor<DriftOptions>>().CurrentValue;
        await Line($"data folder: {_folder} (temporary); portal on {_app!.Urls.Single()}; {drift.MaxConcurrency} tenants checked at once; Connect limited to 2 requests/s per operation (burst 5) by the portal and enforced by the Sandbox");

        await new BenchmarkSetup(Services, Operator, _options.Tenants, Line).RunAsync(ct);

        var warmUp = await RunPassAsync("warm-up pass (no latency)", ct);
        await SetLatencyAsync(_options.Latency);
        var first = await RunPassAsync("pass 1", ct);
        var second = await RunPassAsync("pass 2", ct);

        var probe = new DashboardProbe(new Uri(_app.Urls.Single()), _email, _password, _token);
        var api = await probe.ApiAsync(_options.Requests);
        await Line(api.ToString());
        var home = await probe.HomePageAsync(_options.Requests);
        await Line(home.ToString());
        using (var scope = Services.CreateScope())
        {
            var query = await DashboardProbe.QueryAsync(scope.ServiceProvider.GetRequiredService<DriftService>(), await OperatorScopeAsync(), _options.Requests);
            await Line(query.ToString());
        }

        await Line($"load after the benchmark: {LoadAverage()}");
        await Line("");
        await Line("| tenants | pass | wall | lower bound | ratio | AWS calls per tenant | throttled | peak memory (RSS) | dashboard API median / p95 | home page median / p95 |");
        foreach (var pass in new[] { first, second })
        {
            await Line(string.Create(CultureInfo.InvariantCulture,
                $"| {_options.Tenants:N0} | {pass.Name} | {pass.Wall.TotalSeconds:0.00} s | {pass.LowerBound.TotalSeconds:0.00} s | {pass.Ratio:0.00} | {pass.CallsPerTenant:0.0} | {pass.Throttled} | {Mb(pass.PeakResident)} | {api.Median.TotalMilliseconds:0.0} / {api.P95.TotalMilliseconds:0.0} ms | {home.Median.TotalMilliseconds:0.0} / {home.P95.TotalMilliseconds:0.0} ms |"));
        }

        return new[] { warmUp, first, second }.All(p => p.Counts.Healthy == _options.Tenants && p.Throttled == 0) ? 0 : 1;
    }

    private async Task StartPortalAsync(CancellationToken ct)
    {
        // The same wiring as Program, in Production, with the benchmark's settings over everything else.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // The portal's name, not this program's: its pages, assets and settings are found by it.
            ApplicationName = typeof(WebServiceCollectionExtensions).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.Sources.Add(_settings);
        builder.WebHost.UseStaticWebAssets();
        builder.AddSplitCcpCore();
        builder.AddSplitCcpWeb();
        _app = builder.Build();
        _app.MapSplitCcp();
        await _app.StartAsync(ct);

        using var scope = Services.CreateScope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(_email)
            ?? throw new InvalidOperationException("The bootstrap operator was not created.");
        _operator = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, admin.Id), new Claim(ClaimTypes.Name, _email), new Claim(ClaimTypes.Role, Roles.MspOperator)], "benchmark"));
    }

    /// <summary>Changes the latency the way an operator would, through configuration, and checks the Sandbox sees it.</summary>
    private async Task SetLatencyAsync(TimeSpan latency)
    {
        _settings.Change("SplitCcp:Sandbox:Latency", latency.ToString("c", CultureInfo.InvariantCulture));
        var seen = Services.GetRequiredService<IOptionsMonitor<SandboxOptions>>().CurrentValue.Latency;
        if (seen != latency)
        {
            throw new InvalidOperationException($"The Sandbox still adds {Ms(seen)} after the configuration said {Ms(latency)}.");
        }

        await Line($"latency set to {Ms(seen)} through a configuration reload; the Sandbox's options now say {Ms(seen)}");
    }

    private async Task<PassReport> RunPassAsync(string name, CancellationToken ct)
    {
        var faults = Services.GetRequiredService<SandboxFaults>();
        var worker = Services.GetRequiredService<DriftWorker>();
        var latency = Services.GetRequiredService<IOptionsMonitor<SandboxOptions>>().CurrentValue.Latency;
        var concurrency = Math.Min(Services.GetRequiredService<IOptionsMonitor<DriftOptions>>().CurrentValue.MaxConcurrency, _options.Tenants);

        // Every account's buckets full again, as after the worker's interval between passes.
        await Task.Delay(s_refill, ct);
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
        var pass = await worker.CheckAllAsync(ct);
        var wall = Stopwatch.GetElapsedTime(started);
        var cpuUsed = Environment.CpuUsage.TotalTime - cpu;

        var peakResident = ProcessMemory.PeakResidentBytes();
        var peakHeap = heap.Peak;
        var calls = faults.Attempts - attempts;
        var perOperation = Since(byOperation, faults.AttemptsByOperation());
        var report = new PassReport(
            name, wall, pass.Checked, await CountAsync(), calls, faults.Throttles - throttles, faults.RateLimited - rateLimited, faults.ServerErrors - serverErrors,
            PassBounds.Latency(calls, latency, concurrency),
            PassBounds.RateLimit(perOperation, Services.GetRequiredService<IOptions<AwsRateLimitOptions>>().Value),
            PassBounds.OneCheckPerSlot(perOperation, pass.Checked, concurrency, latency),
            peakResident, peakHeap, GC.GetGCMemoryInfo().HeapSizeBytes, GC.GetTotalAllocatedBytes() - allocated);

        await Line(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {report.Wall.TotalSeconds:0.00} s for {report.Checked} tenants ({Ms(latency)} latency, {concurrency} at once): {report.Counts.Healthy} Healthy, {report.Counts.Drifted} Drifted, {report.Counts.Pending} Pending, {report.Counts.Failing} Failing, {report.Counts.Unknown} Unknown"));
        await Line(string.Create(CultureInfo.InvariantCulture,
            $"  AWS calls {report.Calls} ({report.CallsPerTenant:0.0} per tenant); throttled {report.Throttled} (over AWS's rates {report.RateLimited}); server errors {report.ServerErrors}"));
        await Line(string.Create(CultureInfo.InvariantCulture,
            $"  lower bound {report.LowerBound.TotalSeconds:0.00} s = max(calls × latency ÷ concurrency {report.LatencyBound.TotalSeconds:0.00} s, rate-limit bound {report.RateBound.TotalSeconds:0.00} s); wall ÷ lower bound {report.Ratio:0.00}"));
        await Line(string.Create(CultureInfo.InvariantCulture,
            $"  one check per slot: ⌈tenants ÷ concurrency⌉ × a check's calls × latency = {report.SlotBound.TotalSeconds:0.00} s; wall ÷ that {(report.SlotBound > TimeSpan.Zero ? wall / report.SlotBound : double.NaN):0.00}"));
        await Line($"  peak memory {Mb(report.PeakResident)} resident ({(peakReset ? "VmHWM, reset before the pass" : "since start")}); GC heap peak {Mb(report.PeakHeap)}, {Mb(report.HeapAfter)} after; {Mb(report.Allocated)} allocated");
        await Line(string.Create(CultureInfo.InvariantCulture,
            $"  CPU {cpuUsed.TotalSeconds:0.00} s ({cpuUsed / wall:0.00} cores on average, {cpuUsed.TotalMilliseconds * 1000 / Math.Max(1, report.Calls):0} µs per AWS call); GC collections {GC.CollectionCount(0) - collections.Item1}/{GC.CollectionCount(1) - collections.Item2}/{GC.CollectionCount(2) - collections.Item3} (gen 0/1/2)"));
        if (report.Counts.Healthy != report.Checked)
        {
            await ExplainUnhealthyAsync();
        }

        return report;
    }

    private static IReadOnlyList<SandboxAttemptCount> Since(IReadOnlyList<SandboxAttemptCount> before, IReadOnlyList<SandboxAttemptCount> after)
    {
        var earlier = before.ToDictionary(c => (c.AccountId, c.Region, c.Operation), c => c.Attempts);
        return [.. after.Select(c => c with { Attempts = c.Attempts - earlier.GetValueOrDefault((c.AccountId, c.Region, c.Operation)) }).Where(c => c.Attempts > 0)];
    }

    private async Task<HealthCounts> CountAsync()
    {
        using var scope = Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<DriftService>().CountAsync(await OperatorScopeAsync());
    }

    /// <summary>The operator's scope, as a page or request reads it once.</summary>
    private Task<TenantScope> OperatorScopeAsync() => Services.GetRequiredService<ITenantAccess>().GetScopeAsync(Operator);

    /// <summary>Every tenant should be healthy after setup; when one is not, says why, resource by resource.</summary>
    private async Task ExplainUnhealthyAsync()
    {
        using var scope = Services.CreateScope();
        var drift = scope.ServiceProvider.GetRequiredService<DriftService>();
        foreach (var status in new[] { TenantHealthStatus.Failing, TenantHealthStatus.Drifted, TenantHealthStatus.Pending, TenantHealthStatus.Unknown })
        {
            foreach (var row in (await drift.ListAsync(await OperatorScopeAsync(), new TenantHealthQuery(status, PageSize: 3))).Items)
            {
                var tenant = (await Services.GetRequiredService<ITenantAccess>().CheckAsync(Operator, row.TenantId, TenantOperation.Read)).Tenant;
                var report = tenant is null ? null : await drift.GetHealthAsync(tenant);
                var resources = report?.Resources.Where(r => r.State != DriftState.InSync)
                    .Select(r => $"{r.Key} {r.State}{(r.Message is null ? "" : $" ({r.Message})")}{string.Concat(r.Changes.Select(c => $" {c.Field}: '{c.Actual}' ≠ '{c.Expected}'"))}") ?? [];
                await Line($"  not healthy: {row.Name}: {status}{(row.Message is null ? "" : $", {row.Message}")} {string.Join("; ", resources)}");
            }
        }
    }

    private Task Line(string text) => _out.WriteLineAsync(text);

    private static string Ms(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0.#} ms");

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0} MB");

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed record PassReport(
        string Name, TimeSpan Wall, int Checked, HealthCounts Counts, long Calls, long Throttled, long RateLimited, long ServerErrors,
        TimeSpan LatencyBound, TimeSpan RateBound, TimeSpan SlotBound, long PeakResident, long PeakHeap, long HeapAfter, long Allocated)
    {
        public TimeSpan LowerBound => LatencyBound > RateBound ? LatencyBound : RateBound;

        public double Ratio => LowerBound > TimeSpan.Zero ? Wall / LowerBound : double.NaN;

        public double CallsPerTenant => Checked == 0 ? 0 : (double)Calls / Checked;
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
