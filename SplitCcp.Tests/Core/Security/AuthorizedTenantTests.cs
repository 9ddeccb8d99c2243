using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.GoLive;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Security;

/// <summary>
/// The tenant handle the access check gives a request's edge: services trust it without asking the database again, and
/// refuse from it, in memory, what it does not allow.
/// </summary>
public sealed class AuthorizedTenantTests : IAsyncLifetime
{
    private static readonly string[] s_accessTables = ["AspNetUsers", "AspNetUserRoles", "AspNetRoles", "UserTenants"];

    private CoreTestHost _host = null!;
    private TestUser _operator = null!;
    private TenantView _acme = null!;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync();
        _operator = await _host.CreateOperatorAsync();
        _acme = await _host.CreateTenantAsync(_operator.Principal, "acme", "Acme");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();


    [Fact]
    public async Task Services_AViewersHandle_RefuseEveryChangeWithoutAQuery()
    {
        var viewer = await _host.CreateUserAsync(Roles.Viewer, _acme.Id);
        var handle = await _host.TenantAsync(viewer.Principal, _acme.Id);
        var spec = (await Service<TenantSpecService>().GetAsync(handle))!.Value.Record.Spec;

        var commands = await DbCommandRecorder.RecordAsync(async () =>
        {
            await Should.ThrowAsync<TenantAccessDeniedException>(() => _host.Tenants.UpdateAsync(handle, CoreTestHost.SandboxInput("acme") with { Version = 1 }));
            await Should.ThrowAsync<TenantAccessDeniedException>(() => _host.Tenants.DeleteAsync(handle));
            await Should.ThrowAsync<TenantAccessDeniedException>(() => Service<TenantSpecService>().SaveCompleteAsync(handle, spec, null));
            await Should.ThrowAsync<TenantAccessDeniedException>(() => Service<TenantSpecService>().SaveDraftAsync(handle, spec, 1, 0));
            (await Service<DriftService>().CheckNowAsync(handle)).ShouldBeOfType<CheckResult.Forbidden>();
            (await Service<DriftService>().SetAutoRemediateAsync(handle, true)).ShouldBe(TenantAccessResult.Forbidden);
            (await Service<GoLiveService>().RecordAsync(handle, GoLiveChecks.All[^1], new GoLiveResultInput("Passed", null, null))).ShouldBeOfType<GoLiveRecordResult.Forbidden>();
            (await Service<GoLiveService>().StartTestSessionAsync(handle, "agent@example.com")).ShouldBeOfType<TestSessionResult.Forbidden>();
            (await Service<GoLiveService>().CheckAgentsAsync(handle)).ShouldBeOfType<AgentsCheckResult.Forbidden>();
            (await Service<ReconciliationService>().StartApplyAsync(handle, new string('0', PlanFingerprint.Length))).ShouldBeOfType<ApplyStartResult.Forbidden>();
            (await Service<SandboxChanges>().ApplyAsync(handle, new SandboxChangeRequest("bucket", SandboxChangeKind.Delete))).ShouldBeOfType<SandboxChangeResult.Forbidden>();
        });

        commands.ShouldBeEmpty();
    }

    [Fact]
    public async Task Services_GivenAHandle_NeverReadWhoTheCallerIs()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id);
        var handle = await _host.TenantAsync(admin.Principal, _acme.Id);

        var commands = await DbCommandRecorder.RecordAsync(async () =>
        {
            var (tenant, record) = (await Service<TenantSpecService>().GetAsync(handle))!.Value;
            (await _host.Tenants.UpdateAsync(handle, CoreTestHost.SandboxInput("acme", "Acme by admin") with { Version = tenant.Version }))
                .ShouldBeOfType<TenantSaveResult.Saved>();
            (await Service<TenantSpecService>().SaveDraftAsync(handle, record.Spec, 0, record.Version)).ShouldBeOfType<SpecSaveResult.Saved>();
            (await Service<DriftService>().GetHealthAsync(handle)).ShouldNotBeNull();
            var actors = (await Service<AuditLog>().ListAsync(handle, null, 10)).Select(e => e.Actor).ToList();
            actors.ShouldNotBeEmpty("the changes above are in the history");
            actors.ShouldAllBe(a => a == admin.View.Id || a == _operator.View.Id);
        });

        commands.ShouldNotBeEmpty();
        commands.Where(c => s_accessTables.Any(t => c.Contains($"\"{t}\"", StringComparison.Ordinal))).ShouldBeEmpty();
    }

    [Fact]
    public async Task Handle_SaysWhoActsAndWhatTheCheckAllowed()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id);

        var handle = await _host.TenantAsync(admin.Principal, _acme.Id);
        var readOnly = await _host.TenantAsync(admin.ReadOnlyPrincipal, _acme.Id);

        (handle.TenantId, handle.Actor, handle.CanWrite, handle.CanManage).ShouldBe((_acme.Id, admin.View.Id, true, false));
        (readOnly.CanWrite, readOnly.CanManage).ShouldBe((false, false));
        (await _host.TenantAsync(_operator.Principal, _acme.Id)).CanManage.ShouldBeTrue();
    }

    [Fact]
    public void Handle_OnlyCoreCanMakeOne_AndCoreKeepsItsInternalsFromTheWebApp()
    {
        typeof(AuthorizedTenant).GetConstructors(BindingFlags.Public | BindingFlags.Instance).ShouldBeEmpty();
        typeof(TenantScope).GetConstructors(BindingFlags.Public | BindingFlags.Instance).ShouldBeEmpty();
        typeof(AuthorizedTenant).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName)
            .ShouldNotContain("SplitCcp.Web");
    }

    private T Service<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();
}
