using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Reconciliation.Drift;

/// <summary>On the system clock: a tenant whose AWS endpoint never answers, and one that refuses connections, beside healthy ones.</summary>
[Collection(RealTimeTests.Name)]
public sealed class DriftIsolationTests
{
    [Fact]
    public async Task A_slow_tenant_and_a_failing_tenant_hold_up_only_their_own_slot_and_are_reported_failing_with_why()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(backlog: 16);
        var closedPort = SplitCcp.Tests.Infrastructure.PortalProcess.FreePort();
        await using var host = await ReconciliationTestHost.StartAsync(extraSettings: new Dictionary<string, string?>
        {
            ["SplitCcp:Drift:Enabled"] = "false",
            ["SplitCcp:Drift:MaxConcurrency"] = "2",
            ["SplitCcp:Drift:TenantTimeout"] = "00:00:03",
            ["SplitCcp:Aws:Retry:MaxRetries"] = "2",
        });
        var slow = await MoveToEndpointAsync(host, await host.CreateDemoAsync(), $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        var failing = await MoveToEndpointAsync(host, await host.CreateDemoAsync(), $"http://127.0.0.1:{closedPort}");
        var healthy = new List<TenantView>();
        for (var i = 0; i < 6; i++)
        {
            healthy.Add(await host.CreateDemoAsync());
        }

        var pass = await host.Services.GetRequiredService<DriftWorker>().CheckAllAsync();

        pass.Checked.ShouldBe(8);
        var drift = host.Services.GetRequiredService<DriftService>();
        var slowReport = (await drift.GetHealthAsync(await host.TenantAsync(host.Operator.Principal, slow.Id))).ShouldNotBeNull();
        slowReport.Status.ShouldBe(TenantHealthStatus.Failing);
        slowReport.Message.ShouldNotBeNull().ShouldContain("took longer than 3 seconds");
        var failingReport = (await drift.GetHealthAsync(await host.TenantAsync(host.Operator.Principal, failing.Id))).ShouldNotBeNull();
        failingReport.Status.ShouldBe(TenantHealthStatus.Failing);
        failingReport.Message.ShouldNotBeNullOrWhiteSpace();
        failingReport.Message.ShouldNotContain("   at ", Case.Sensitive, "an operator sees words, not a stack trace");
        foreach (var tenant in healthy)
        {
            var report = (await drift.GetHealthAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull();
            report.Status.ShouldBe(TenantHealthStatus.Pending, "a Sandbox demo that was never applied is a setup still to finish");
            report.CheckedAt.ShouldNotBeNull().ShouldBeLessThan(slowReport.CheckedAt!.Value, "the slow tenant held one of the two slots; the others went through the other");
        }
    }

    private static async Task<TenantView> MoveToEndpointAsync(ReconciliationTestHost host, TenantView tenant, string endpoint)
    {
        var input = new TenantInput
        {
            DisplayName = tenant.DisplayName, Slug = tenant.Slug, Region = tenant.Region, AccessMode = nameof(AwsAccessMode.AccessKeys),
            AccessKeyId = "AKIAIOSFODNN7EXAMPLE", SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", EndpointUrl = endpoint, Version = tenant.Version,
        };
        return (await host.Host.Tenants.UpdateAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), input)).ShouldBeOfType<TenantSaveResult.Saved>().Tenant;
    }
}
