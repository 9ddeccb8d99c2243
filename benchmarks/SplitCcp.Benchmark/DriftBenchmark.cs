using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;

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
    private readonly Dictionary<string, string?> _settings;
    private readonly List<ReplicaProcess> _replicas = [];
    private BenchmarkPortal? _portal;
    private string? _database;
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

        _settings = settings;
    }

    private BenchmarkPortal Portal => _portal ?? throw new InvalidOperationException("The portal has not started.");

    private IServiceProvider Services => Portal.Services;

    /// <summary>
    /// On PostgreSQL the passes are measured in processes started after the setup, the first replica included, so each
    /// holds what checking costs: the setup's 2 × N applies leave the process that ran them with heap the GC has not
    /// given back. SQLite's file belongs to one process, so there the benchmark's own portal runs the passes.
    /// </summary>
    private bool SetupApart => _options.Provider == BenchmarkProvider.PostgreSql;

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
            return args is [ReplicaProcess.Flag, var settingsFile]
                ? await ReplicaProcess.ServeAsync(settingsFile, Console.In, Console.Out, stop.Token)
                : await RunAsync(args, Console.Out, stop.Token);
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
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (_options.Keep)
        {
            await Line($"data kept: {Where()}");
        }
        else if (_database is not null)
        {
            PostgreSqlServer.Shared.DropDatabase(_database);
        }
        else if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<int> RunAsync(CancellationToken ct)
    {
        await Line($"SplitCcp drift benchmark: {_options.Tenants} Sandbox tenants, each its own account; {Ms(_options.Latency)} latency per AWS call in the measured passes; {_options.Replicas} portal {(_options.Replicas == 1 ? "process" : "processes")} on {_options.Provider}");
        await Line($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription} ({(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, {HeapLimit()}), load {LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        await StartPortalAsync(ct);
        var drift = Services.GetRequiredService<IOptionsMonitor<DriftOptions>>().CurrentValue;
        await Line($"data: {Where()}; portal on {Portal.Url}; {drift.MaxConcurrency} tenants checked at once per process; Connect limited to 2 requests/s per operation (burst 5) by the portal and enforced by the Sandbox");

        await new BenchmarkSetup(Services, Operator, _options.Tenants, Line).RunAsync(ct);
        if (SetupApart)
        {
            GC.Collect();
            await Line($"setup process {Environment.ProcessId}: {Mb(ProcessMemory.ResidentBytes())} resident after the setup; it runs no pass (every measured replica is a process started after the setup) and serves the dashboard probe");
        }

        // One setup, then the passes with 1, 2, … replicas: how the pass time falls as processes are added.
        var passes = new List<PassReport>();
        for (var replicas = 1; replicas <= _options.Replicas; replicas++)
        {
            if (replicas > 1 || SetupApart)
            {
                var replica = await ReplicaProcess.StartAsync(_settings, _folder, ct);
                _replicas.Add(replica);
                await Line($"replica {replicas} started: process {replica.ProcessId}, same database");
            }

            var of = _options.Replicas == 1 ? "" : $" of {replicas} {(replicas == 1 ? "replica" : "replicas")}";
            await SetLatencyAsync(TimeSpan.Zero, ct);
            passes.Add(await RunPassAsync($"warm-up pass{of} (no latency)", ct));
            await SetLatencyAsync(_options.Latency, ct);
            passes.Add(await RunPassAsync($"pass 1{of}", ct));
            passes.Add(await RunPassAsync($"pass 2{of}", ct));
        }

        var probe = new DashboardProbe(Portal.Url, _email, _password, _token);
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
        await Line("| tenants | replicas | pass | wall | lower bound | ratio | AWS calls per tenant | throttled | peak memory (RSS) per replica | dashboard API median / p95 | home page median / p95 |");
        foreach (var pass in passes.Where(p => !p.Name.StartsWith("warm-up", StringComparison.Ordinal)))
        {
            await Line(string.Create(CultureInfo.InvariantCulture,
                $"| {_options.Tenants:N0} | {pass.Replicas.Count} | {pass.Name} | {pass.Wall.TotalSeconds:0.00} s | {pass.LowerBound.TotalSeconds:0.00} s | {pass.Ratio:0.00} | {pass.CallsPerTenant:0.0} | {pass.Throttled} | {string.Join(" / ", pass.Replicas.Select(r => Mb(r.PeakResident)))} | {api.Median.TotalMilliseconds:0.0} / {api.P95.TotalMilliseconds:0.0} ms | {home.Median.TotalMilliseconds:0.0} / {home.P95.TotalMilliseconds:0.0} ms |"));
        }

        return passes.All(p => p.Counts.Healthy == _options.Tenants && p.Checked == _options.Tenants && p.Throttled == 0) ? 0 : 1;
    }

    private async Task StartPortalAsync(CancellationToken ct)
    {
        if (_options.Provider == BenchmarkProvider.PostgreSql)
        {
            _database = PostgreSqlServer.Shared.CreateDatabase();
            _settings["SplitCcp:Storage:Provider"] = nameof(BenchmarkProvider.PostgreSql);
            _settings["SplitCcp:Storage:ConnectionString"] = _database;
        }

        _portal = await BenchmarkPortal.StartAsync(_settings, ct);

        using var scope = Services.CreateScope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(_email)
            ?? throw new InvalidOperationException("The bootstrap operator was not created.");
        _operator = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, admin.Id), new Claim(ClaimTypes.Name, _email), new Claim(ClaimTypes.Role, Roles.MspOperator)], "benchmark"));
    }

    /// <summary>Changes the latency the way an operator would, through configuration, in every replica.</summary>
    private async Task SetLatencyAsync(TimeSpan latency, CancellationToken ct)
    {
        var seen = Portal.SetLatency(latency);
        foreach (var replica in _replicas)
        {
            await replica.SetLatencyAsync(latency, ct);
        }

        await Line($"latency set to {Ms(latency)} through a configuration reload; the Sandbox's options now say {Ms(seen)}");
    }

    /// <summary>
    /// One drift pass of every replica at once over the tenants not checked since it began: the claims in the database give
    /// each tenant to one of them. The figures are summed (calls, tenants) or taken from the slowest (wall, bounds).
    /// </summary>
    private async Task<PassReport> RunPassAsync(string name, CancellationToken ct)
    {
        var latency = Services.GetRequiredService<IOptionsMonitor<SandboxOptions>>().CurrentValue.Latency;
        var concurrency = Services.GetRequiredService<IOptionsMonitor<DriftOptions>>().CurrentValue.MaxConcurrency;

        // Every account's buckets full again, as after the worker's interval between passes.
        await Task.Delay(s_refill, ct);
        var since = DateTime.UtcNow;
        var started = Stopwatch.GetTimestamp();
        var measured = _replicas.Select(r => r.PassAsync(since, ct)).ToList();
        if (!SetupApart)
        {
            measured.Insert(0, Portal.MeasurePassAsync(since, ct));
        }

        var replicas = await Task.WhenAll(measured);
        var wall = Stopwatch.GetElapsedTime(started);

        var calls = replicas.Sum(r => r.Calls);
        var report = new PassReport(
            name, wall, replicas, await CountAsync(), calls,
            PassBounds.Latency(calls, latency, Math.Min(concurrency * replicas.Length, _options.Tenants)),
            replicas.Max(r => r.RateBound), replicas.Max(r => r.SlotBound));

        await Line(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {report.Wall.TotalSeconds:0.00} s for {report.Checked} tenants ({Ms(latency)} latency, {concurrency} at once per process): {report.Counts.Healthy} Healthy, {report.Counts.Drifted} Drifted, {report.Counts.Pending} Pending, {report.Counts.Failing} Failing, {report.Counts.Unknown} Unknown"));
        await Line(string.Create(CultureInfo.InvariantCulture,
            $"  AWS calls {report.Calls} ({report.CallsPerTenant:0.0} per tenant); throttled {report.Throttled} (over AWS's rates {replicas.Sum(r => r.RateLimited)}); server errors {replicas.Sum(r => r.ServerErrors)}"));
        await Line(string.Create(CultureInfo.InvariantCulture,
            $"  lower bound {report.LowerBound.TotalSeconds:0.00} s = max(calls × latency ÷ (concurrency × replicas) {report.LatencyBound.TotalSeconds:0.00} s, rate-limit bound {report.RateBound.TotalSeconds:0.00} s); wall ÷ lower bound {report.Ratio:0.00}"));
        await Line(string.Create(CultureInfo.InvariantCulture,
            $"  one check per slot: ⌈tenants ÷ concurrency⌉ × a check's calls × latency = {report.SlotBound.TotalSeconds:0.00} s in the busiest replica; wall ÷ that {(report.SlotBound > TimeSpan.Zero ? wall / report.SlotBound : double.NaN):0.00}"));
        foreach (var (replica, i) in replicas.Select((r, i) => (r, i)))
        {
            var prefix = replicas.Length == 1 ? "  " : $"  replica {i + 1} (process {replica.ProcessId}): {replica.Checked} tenants in {replica.Wall.TotalSeconds:0.00} s; ";
            await Line(prefix + string.Create(CultureInfo.InvariantCulture,
                $"peak memory {Mb(replica.PeakResident)} resident ({(replica.PeakReset ? "VmHWM, reset before the pass" : "since start")}); GC heap peak {Mb(replica.PeakHeap)}, {Mb(replica.HeapAfter)} after; {Mb(replica.Allocated)} allocated; CPU {replica.Cpu.TotalSeconds:0.00} s ({replica.Cpu / replica.Wall:0.00} cores on average, {replica.Cpu.TotalMilliseconds * 1000 / Math.Max(1, replica.Calls):0} µs per AWS call); GC collections {string.Join('/', replica.Collections)} (gen 0/1/2)"));
        }

        if (report.Counts.Healthy != _options.Tenants)
        {
            await ExplainUnhealthyAsync();
        }

        return report;
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

    /// <summary>Where the portal keeps its data: the temporary folder, and the PostgreSQL database when it uses one.</summary>
    private string Where() =>
        _database is null ? $"data folder: {_folder} (temporary)" : $"data folder: {_folder} (temporary), PostgreSQL database {new Npgsql.NpgsqlConnectionStringBuilder(_database).Database} on port {PostgreSqlServer.Shared.Port} (temporary)";

    private Task Line(string text) => _out.WriteLineAsync(text);

    private static string Ms(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0.#} ms");

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0} MB");

    /// <summary>What the GC may take: the machine's or container's memory, or the heap limit set by <c>DOTNET_GCHeapHardLimit</c>.</summary>
    private static string HeapLimit() => $"heap limit {Mb(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)}";

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed record PassReport(
        string Name, TimeSpan Wall, IReadOnlyList<ReplicaPass> Replicas, HealthCounts Counts, long Calls, TimeSpan LatencyBound, TimeSpan RateBound, TimeSpan SlotBound)
    {
        public int Checked => Replicas.Sum(r => r.Checked);

        public long Throttled => Replicas.Sum(r => r.Throttled);

        public TimeSpan LowerBound => LatencyBound > RateBound ? LatencyBound : RateBound;

        public double Ratio => LowerBound > TimeSpan.Zero ? Wall / LowerBound : double.NaN;

        public double CallsPerTenant => Checked == 0 ? 0 : (double)Calls / Checked;
    }
}
