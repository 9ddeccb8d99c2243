using System.Security.Claims;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>
/// Core on the system clock with the Sandbox's slow operations (instance creation, number claims, fleet start and stop)
/// shortened to a fraction of a second, and the engine's polling and retries scaled to match, so whole applies run in a
/// test while still waiting on AWS-like asynchronous state the way they do in production.
/// </summary>
internal sealed class ReconciliationTestHost : IAsyncDisposable
{
    private ReconciliationTestHost(CoreTestHost host, TestUser operatorUser)
    {
        Host = host;
        Operator = operatorUser;
    }

    public CoreTestHost Host { get; }

    public TestUser Operator { get; }

    /// <inheritdoc cref="CoreTestHost.TenantAsync"/>
    public Task<AuthorizedTenant> TenantAsync(ClaimsPrincipal user, Guid tenantId) => Host.TenantAsync(user, tenantId);

    /// <summary>The tenant as the operator's request hands it to the services.</summary>
    public Task<AuthorizedTenant> TenantAsync(Guid tenantId) => Host.TenantAsync(Operator.Principal, tenantId);

    /// <inheritdoc cref="CoreTestHost.ScopeAsync"/>
    public Task<TenantScope> ScopeAsync(ClaimsPrincipal user) => Host.ScopeAsync(user);

    public IServiceProvider Services => Host.Services;

    public ReconciliationService Reconciliation => Services.GetRequiredService<ReconciliationService>();

    public SandboxConsole Console => Services.GetRequiredService<SandboxConsole>();

    public ApplyEngine Engine => Services.GetRequiredService<ApplyEngine>();

    /// <param name="configureServices">Changes to the services after Core's, such as <see cref="Infrastructure.StorageFaults"/>.</param>
    /// <param name="provider">The database engine.</param>
    public static async Task<ReconciliationTestHost> StartAsync(
        double throttleRate = 0, double serverErrorRate = 0, IReadOnlyDictionary<string, string?>? extraSettings = null, Action<IServiceCollection>? configureServices = null,
        StorageProvider provider = StorageProvider.Sqlite)
    {
        static string Ms(int ms) => TimeSpan.FromMilliseconds(ms).ToString("c", CultureInfo.InvariantCulture);
        var settings = new Dictionary<string, string?>
        {
            ["SplitCcp:Sandbox:InstanceCreation"] = Ms(300),
            ["SplitCcp:Sandbox:PhoneNumberClaim"] = Ms(150),
            ["SplitCcp:Sandbox:FleetStart"] = Ms(300),
            ["SplitCcp:Sandbox:FleetStop"] = Ms(150),
            ["SplitCcp:Sandbox:ImageBuilderStart"] = Ms(150),
            ["SplitCcp:Sandbox:DistributionDeployment"] = Ms(150),
            ["SplitCcp:Sandbox:ThrottleRate"] = throttleRate.ToString(CultureInfo.InvariantCulture),
            ["SplitCcp:Sandbox:ServerErrorRate"] = serverErrorRate.ToString(CultureInfo.InvariantCulture),
            ["SplitCcp:Reconciliation:PollInitialInterval"] = Ms(20),
            ["SplitCcp:Reconciliation:PollMaxInterval"] = Ms(100),
            ["SplitCcp:Reconciliation:ApplyRetryDelay"] = Ms(50),
            ["SplitCcp:Aws:Retry:BaseDelay"] = Ms(1),
            ["SplitCcp:Aws:Retry:MaxDelay"] = Ms(10),
            ["SplitCcp:Aws:Retry:MaxRetries"] = "20",
        };
        foreach (var service in new[] { "connect", "sso", "identitystore", "iam", "appstream", "cloudfront", "s3", "sts" })
        {
            settings[$"SplitCcp:Aws:RateLimits:Services:{service}:RatePerSecond"] = "100000";
            settings[$"SplitCcp:Aws:RateLimits:Services:{service}:Burst"] = "100000";
        }

        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var host = await CoreTestHost.StartAsync(settings, realTime: true, configureServices, provider);
        return new ReconciliationTestHost(host, await host.CreateOperatorAsync());
    }

    /// <summary>A demo tenant: a Sandbox tenant with a complete setup whose Identity Center application exists.</summary>
    public Task<TenantView> CreateDemoAsync() => Services.GetRequiredService<DemoTenants>().CreateAsync(Operator.Principal);

    public async Task<Plan> PlanAsync(Guid tenantId) =>
        (await Reconciliation.PlanAsync(await TenantAsync(Operator.Principal, tenantId))).ShouldBeOfType<PlanResult.Planned>().Plan;

    /// <summary>Plans the tenant and applies that plan, by its fingerprint, as an operator confirming it would.</summary>
    public async Task<ApplyStartResult> PlanAndStartApplyAsync(Guid tenantId) =>
        await Reconciliation.StartApplyAsync(await TenantAsync(Operator.Principal, tenantId), (await PlanAsync(tenantId)).Fingerprint);

    public async Task<ApplyView> StartApplyAsync(Guid tenantId) =>
        (await PlanAndStartApplyAsync(tenantId)).ShouldBeOfType<ApplyStartResult.Started>().Apply;

    /// <summary>
    /// Holds every apply where it asks AWS for the Connect instance, until <paramref name="release"/> ends (never when not
    /// given, as a process that stopped there); the task returned completes when an apply gets there.
    /// </summary>
    public Task HoldAtConnectInstance(Task? release = null)
    {
        var reached = new TaskCompletionSource();
        Engine.OnCheckpoint = async (checkpoint, key, ct) =>
        {
            if (checkpoint == ApplyCheckpoint.ChangeRequested && key == SplitCcp.Core.Reconciliation.Resources.ResourceKeys.ConnectInstance)
            {
                reached.TrySetResult();
                await (release ?? Task.Delay(Timeout.Infinite, ct)).WaitAsync(ct);
            }
        };
        return reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits until the apply is no longer Pending or Running.</summary>
    public async Task<ApplyView> WaitAsync(Guid tenantId, Guid applyId, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var apply = await Reconciliation.GetApplyAsync(await TenantAsync(Operator.Principal, tenantId), applyId, deadline.Token);
            if (apply is { IsActive: false })
            {
                return apply;
            }

            await Task.Delay(25, deadline.Token);
        }
    }

    public async Task<ApplyView> ApplyAsync(Guid tenantId) => await WaitAsync(tenantId, (await StartApplyAsync(tenantId)).Id);

    /// <summary>What the tenant's account holds, kind by kind: to prove an apply created nothing twice.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountObjectsAsync(Guid tenantId) =>
        (await Console.ListAsync(tenantId)).GroupBy(o => o.Kind).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public async Task<IReadOnlyList<AuditRecord>> AuditAsync(Guid tenantId) =>
        await Services.GetRequiredService<AuditLog>().ListAsync(await TenantAsync(Operator.Principal, tenantId), null, 200) ?? [];

    public SandboxOptions SandboxOptions => Services.GetRequiredService<IOptionsMonitor<SandboxOptions>>().CurrentValue;

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
