using System.ComponentModel.DataAnnotations;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation;

public sealed class ReconciliationOptions
{
    public const string SectionName = "SplitCcp:Reconciliation";

    /// <summary>First wait before checking a slow AWS operation again; doubles up to <see cref="PollMaxInterval"/>.</summary>
    public TimeSpan PollInitialInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan PollMaxInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a step may wait for AWS (a Connect instance can take minutes) before it fails.</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How many applies may work at once across all tenants. An apply waiting on slow AWS work (a fleet starting, an
    /// instance being created) does not count: it gives its slot back while it waits.
    /// </summary>
    [Range(1, 64)]
    public int MaxConcurrentApplies { get; set; } = 4;

    /// <summary>
    /// How many times an apply whose steps failed only on errors AWS asks to retry later (throttling, server errors) after
    /// each call's own retries is retried as a whole, waiting <see cref="ApplyRetryDelay"/>, doubled each time, before each.
    /// </summary>
    [Range(0, 10)]
    public int ApplyRetries { get; set; } = 3;

    public TimeSpan ApplyRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a portal process's claim on an apply holds without being renewed; another process takes the apply over only
    /// after it lapses. The process renews its claims every quarter of this, and then also resumes its applies that stopped
    /// on a fault (the disk full for a while).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ApplyLease { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Everything a resource needs during one plan or apply: the tenant, its account, and the <em>effective</em> spec: the
/// stored spec with what AWS has since told us filled in (a created instance's ID, a distribution's domain), so resources
/// further down see the values they depend on.
/// </summary>
public sealed class ReconcileContext
{
    private TenantSpec _spec;

    public ReconcileContext(TenantView tenant, TenantSpec spec, IAwsAccount aws, CcpPageGenerator pages, ConnectStreamsAsset streams, TimeProvider time, ReconciliationOptions options)
    {
        Tenant = tenant;
        _spec = TenantSpecJson.Clone(spec);
        Aws = aws;
        Pages = pages;
        Streams = streams;
        Time = time;
        Options = options;
        Values = SetupValues.For(tenant.Region, _spec);
    }

    public TenantView Tenant { get; }

    public TenantSpec Spec => _spec;

    public SetupValues Values { get; private set; }

    public IAwsAccount Aws { get; }

    /// <summary>Identity Center where it lives (<see cref="SetupValues.IdentityCenterRegion"/>): every SSO Admin and Identity Store call goes there.</summary>
    public IIdentityCenterGateway IdentityCenter => Aws.IdentityCenterIn(Values.IdentityCenterRegion);

    public CcpPageGenerator Pages { get; }

    public ConnectStreamsAsset Streams { get; }

    public TimeProvider Time { get; }

    public ReconciliationOptions Options { get; }

    /// <summary>What observed resources told their dependents that is not part of the spec, such as the distribution's ARN.</summary>
    public Dictionary<string, string> Outputs { get; } = new(StringComparer.Ordinal);

    private readonly Dictionary<string, object> _cache = new(StringComparer.Ordinal);

    /// <summary>
    /// A read shared by several resources in one pass (the instance's user list, for every agent), so a plan makes it once;
    /// resources that change what it lists call <see cref="Forget"/>.
    /// </summary>
    public async Task<T> CachedAsync<T>(string key, Func<Task<T>> read)
        where T : notnull
    {
        if (_cache.TryGetValue(key, out var cached))
        {
            return (T)cached;
        }

        var value = await read();
        _cache[key] = value;
        return value;
    }

    public void Forget(string key) => _cache.Remove(key);

    private readonly Dictionary<string, object> _made = new(StringComparer.Ordinal);

    /// <summary>
    /// What <paramref name="make"/> makes from the setup, made once for this context until <see cref="Learn"/> changes the
    /// setup: a check reads each generated page twice (the bucket's object, then what agents load).
    /// </summary>
    internal T Made<T>(string key, Func<T> make)
        where T : class
    {
        // Made under the lock, so a Learn meanwhile cannot leave a page of the old setup standing for the new one.
        lock (_made)
        {
            if (!_made.TryGetValue(key, out var made))
            {
                made = make();
                _made.Add(key, made);
            }

            return (T)made;
        }
    }

    /// <summary>Reports what a step is waiting for; the apply engine shows it live and journals it.</summary>
    public Func<string, CancellationToken, Task> ReportProgress { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Fills in what AWS told us (e.g. the created instance's ID) and recomputes the derived values.</summary>
    public void Learn(Action<TenantSpec> fill)
    {
        lock (_made)
        {
            fill(_spec);
            Values = SetupValues.For(Tenant.Region, _spec);
            _made.Clear();
        }
    }

    /// <summary>
    /// Runs a wait between two looks at AWS. An apply gives its slot back here (<see cref="ApplySlot.AwayAsync"/>), so
    /// other tenants' applies work while this one waits; a plan or a check just waits.
    /// </summary>
    public Func<Func<Task>, CancellationToken, Task> WhileWaiting { get; set; } = (wait, _) => wait();

    /// <summary>Polls <paramref name="check"/> with back-off until it returns null (done), reporting its answer while waiting.</summary>
    public async Task WaitAsync(string what, Func<CancellationToken, Task<string?>> check, CancellationToken ct)
    {
        var started = Time.GetTimestamp();
        var interval = Options.PollInitialInterval;
        while (await check(ct) is { } status)
        {
            if (Time.GetElapsedTime(started) > Options.PollTimeout)
            {
                throw new TimeoutException($"Gave up waiting for {what} after {Options.PollTimeout.TotalMinutes:0} minutes; it was {status}. Apply again to keep waiting.");
            }

            await ReportProgress($"Waiting for {what}: {status}.", ct);
            var delay = interval;
            await WhileWaiting(() => Task.Delay(delay, Time, ct), ct);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, Options.PollMaxInterval.Ticks));
        }
    }
}
