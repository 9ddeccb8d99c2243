using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Sandbox;

/// <summary>
/// A Sandbox tenant on a real SQLite file (through <see cref="CoreTestHost"/>), with a fake clock, a seeded random, no
/// faults unless a test sets them, and a caller with no rate limit (unless asked for) and zero-delay retries.
/// </summary>
internal sealed class SandboxTestWorld : IAsyncDisposable
{
    private readonly CoreTestHost _host;
    private readonly Func<string, AwsCaller> _callers;
    private readonly AwsCallMetrics _metrics;
    private readonly MetricCollector<long> _calls;
    private readonly MetricCollector<long> _throttled;

    private SandboxTestWorld(CoreTestHost host, TenantView tenant, int maxRetries, bool rateLimited)
    {
        _host = host;
        Tenant = tenant;
        Faults = new SandboxFaults(Options, Random, host.Time);
        _metrics = new AwsCallMetrics(Meters);
        _calls = Meters.Collect<long>(AwsCallMetrics.Calls);
        _throttled = Meters.Collect<long>(AwsCallMetrics.Throttled);
        var limits = new AwsRateLimitOptions();
        var limiter = new AwsRateLimiter(host.Time, rateLimited ? limits.LimitFor : _ => new AwsRateLimit(1e9, int.MaxValue));
        var retry = new AwsRetry(new AwsRetryOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.Zero }, host.Time, () => 0);
        _callers = region => new AwsCaller(SandboxAccount.AccountIdFor(tenant.Id), region, limiter, limits, retry, _metrics);
        Caller = _callers(tenant.Region);
        (Store, Console, Account) = Open();
    }

    public TenantView Tenant { get; }

    public Guid TenantId => Tenant.Id;

    public TestOptionsMonitor<SandboxOptions> Options { get; } = new(new SandboxOptions());

    public SandboxRandom Random { get; } = new(seed: 42);

    public SandboxFaults Faults { get; }

    /// <summary>The caller of the tenant's region; every region's caller shares its limiter, retries and metrics.</summary>
    public AwsCaller Caller { get; }

    /// <summary>What <see cref="Caller"/> records, on meters of this world's own.</summary>
    public TestMeterFactory Meters { get; } = new();

    /// <summary>Attempts the callers sent to the service so far, retries included.</summary>
    public long Attempts(string service) => Count(_calls, service);

    /// <summary>Attempts to the service answered with throttling so far.</summary>
    public long Throttled(string service) => Count(_throttled, service);

    public SandboxStore Store { get; private set; }

    public SandboxConsole Console { get; private set; }

    public IAwsAccount Account { get; private set; }

    /// <summary>Where the seeded Identity Center instance lives: not the tenant's region.</summary>
    public string IdentityCenterRegion => SandboxSeed.IdentityCenterRegionFor(Tenant.Region);

    /// <summary>Identity Center in its home region, where the seeded instance answers.</summary>
    public IIdentityCenterGateway IdentityCenter => Account.IdentityCenterIn(IdentityCenterRegion);

    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Time => _host.Time;

    public CoreTestHost Host => _host;

    /// <param name="rateLimited">True for the portal's default rate limits (on the fake clock) instead of none.</param>
    public static async Task<SandboxTestWorld> StartAsync(string slug = "acme", int maxRetries = 5, bool rateLimited = false)
    {
        var host = await CoreTestHost.StartAsync();
        try
        {
            var op = await host.CreateOperatorAsync();
            var tenant = await host.CreateTenantAsync(op.Principal, slug);
            return new SandboxTestWorld(host, tenant, maxRetries, rateLimited);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts over with a new store, console and account on the same database file, as after a restart.</summary>
    public void Restart() => (Store, Console, Account) = Open();

    public async Task<IReadOnlyList<SandboxObject>> RowsAsync(string kind)
    {
        var factory = _host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        return await db.SandboxObjects.AsNoTracking().Where(o => o.TenantId == TenantId && o.Kind == kind).ToListAsync();
    }

    public ValueTask DisposeAsync()
    {
        _calls.Dispose();
        _throttled.Dispose();
        Meters.Dispose();
        return _host.DisposeAsync();
    }

    private static long Count(MetricCollector<long> collector, string service) =>
        collector.GetMeasurementSnapshot().ContainsTags(new KeyValuePair<string, object?>("service", service)).EvaluateAsCounter();

    private (SandboxStore, SandboxConsole, IAwsAccount) Open()
    {
        var store = new SandboxStore(_host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>(), _host.Time);
        return (store, new SandboxConsole(store, Random), new SandboxAccounts(store, Faults, Random, Options).Open(Tenant, region => region == Tenant.Region ? Caller : _callers(region)));
    }
}

/// <summary>An options monitor whose value a test can replace at run time.</summary>
internal sealed class TestOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue { get; set; } = value;

    public T Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

/// <summary>A test class with a fresh <see cref="SandboxTestWorld"/> per test.</summary>
public abstract class SandboxTests : IAsyncLifetime
{
    private SandboxTestWorld? _world;

    internal SandboxTestWorld World => _world ?? throw new InvalidOperationException("The world starts in InitializeAsync.");

    internal IAwsAccount Account => World.Account;

    internal IIdentityCenterGateway IdentityCenter => World.IdentityCenter;

    public async Task InitializeAsync() => _world = await SandboxTestWorld.StartAsync();

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }
}
