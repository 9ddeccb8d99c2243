using System.Security.Claims;
using System.Text.Json;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Core;

namespace SplitCcp.Tests.Components.Drift;

/// <summary>
/// The drift components against the real Core on a SQLite file: tenants made through <see cref="TenantService"/>, check
/// results written as the checker stores them, so a test can set up any mix of health without planning real tenants.
/// </summary>
internal sealed class DriftComponentHost : IAsyncDisposable
{
    private DriftComponentHost(CoreTestHost host, TestUser operatorUser)
    {
        Host = host;
        Operator = operatorUser;
    }

    public CoreTestHost Host { get; }

    public TestUser Operator { get; }

    /// <inheritdoc cref="CoreTestHost.TenantAsync"/>
    public Task<AuthorizedTenant> TenantAsync(ClaimsPrincipal user, Guid tenantId) => Host.TenantAsync(user, tenantId);

    /// <inheritdoc cref="CoreTestHost.ScopeAsync"/>
    public Task<TenantScope> ScopeAsync(ClaimsPrincipal user) => Host.ScopeAsync(user);

    public DateTime Now => Host.Time.GetUtcNow().UtcDateTime;

    public DriftService Drift => Host.Services.GetRequiredService<DriftService>();

    public DriftNotifier Notifier => Host.Services.GetRequiredService<DriftNotifier>();

    public static async Task<DriftComponentHost> StartAsync()
    {
        var host = await CoreTestHost.StartAsync();
        return new DriftComponentHost(host, await host.CreateOperatorAsync());
    }

    /// <summary>A bUnit context with Mud and the Core services the drift components use, signed in as <paramref name="user"/>.</summary>
    public BunitContext CreateContext(TestUser? user = null) => MudTestContext.Create(ctx =>
    {
        var services = Host.Services;
        ctx.Services.AddSingleton(services.GetRequiredService<DriftService>());
        ctx.Services.AddSingleton(services.GetRequiredService<DriftNotifier>());
        ctx.Services.AddSingleton(services.GetRequiredService<ITenantAccess>());
        ctx.Services.AddSingleton(services.GetRequiredService<TenantService>());
        ctx.Services.AddSingleton(services.GetRequiredService<DemoTenants>());
        ctx.Services.AddSingleton<TimeProvider>(Host.Time);
        var signedIn = user ?? Operator;
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized(signedIn.View.Email);
        auth.SetRoles(signedIn.View.Role);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, signedIn.Id));
    });

    public Task<TenantView> CreateTenantAsync(string slug, string? name = null) => Host.CreateTenantAsync(Operator.Principal, slug, name);

    /// <summary>Stores a check result for the tenant the way <see cref="DriftChecker"/> does: a history row and the latest state.</summary>
    public async Task StoreCheckAsync(
        Guid tenantId, TenantHealthStatus status, IReadOnlyList<DriftResource>? resources = null, string? message = null,
        DateTime? firstCheckedAt = null, DateTime? lastCheckedAt = null, int checks = 1, bool latest = true)
    {
        resources ??= [];
        var last = lastCheckedAt ?? Now;
        var report = new DriftReport
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, Status = status, FirstCheckedAt = firstCheckedAt ?? last, LastCheckedAt = last,
            Checks = checks, Message = message, ResourcesJson = JsonSerializer.Serialize(resources, DriftChecker.Json),
            Fingerprint = Guid.NewGuid().ToString("N"),
            DriftedCount = resources.Count(r => r.State is DriftState.Drifted or DriftState.Missing),
            ErrorCount = resources.Count(r => r.State == DriftState.Error),
        };

        var factory = Host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        db.DriftReports.Add(report);
        if (latest)
        {
            var state = await db.TenantDrift.SingleOrDefaultAsync(d => d.TenantId == tenantId);
            if (state is null)
            {
                state = new TenantDrift { TenantId = tenantId };
                db.TenantDrift.Add(state);
            }

            state.Status = status;
            state.CheckedAt = last;
            state.DurationMs = 1234;
            state.DriftedCount = report.DriftedCount;
            state.ErrorCount = report.ErrorCount;
            state.Message = message;
            state.LatestReportId = report.Id;
            state.Fingerprint = report.Fingerprint;
        }

        await db.SaveChangesAsync();
    }

    public static DriftResource Drifted(string key, string title, params FieldChange[] changes) => new(key, title, DriftState.Drifted, changes, null);

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
