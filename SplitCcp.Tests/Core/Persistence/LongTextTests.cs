using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Core.Reconciliation;
using SplitCcp.Tests.Core.Reconciliation.Drift;

namespace SplitCcp.Tests.Core.Persistence;

/// <summary>
/// Free text longer than its column (an AWS error message of 5,000 characters, an audit summary as long): PostgreSQL refuses
/// a value over the column's 4,000 characters where SQLite keeps it, so the portal clips it, and the failure it records is
/// recorded rather than lost with the refused save.
/// </summary>
[Collection(RealTimeTests.Name)]
public class LongTextTests
{
    private const int Longer = 5000;

    public LongTextTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected LongTextTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    /// <summary>An AWS message far over the column, its words numbered so that a clipped one shows where it was cut.</summary>
    private static readonly string s_awsMessage = string.Join(' ', Enumerable.Range(1, 1000).Select(i => $"w{i:0000}"))[..Longer];

    [Fact]
    public async Task An_apply_failing_on_an_AWS_error_longer_than_its_columns_records_the_failure_clipped()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider, configureServices: services =>
            FailingSandboxAccounts.Register(services, op => op == S3Operations.CreateBucket, s_awsMessage));
        var tenant = await host.CreateDemoAsync();

        var apply = await host.ApplyAsync(tenant.Id);

        apply.State.ShouldBe(ApplyState.Failed);
        var failed = apply.Steps.Single(s => s.ResourceKey == ResourceKeys.Bucket);
        failed.State.ShouldBe(ApplyStepState.Failed);
        foreach (var text in new[] { failed.Message, apply.Error })
        {
            text.ShouldNotBeNull().ShouldContain("w0001 w0002");
            text.Length.ShouldBe(FreeText.MaxLength, text[..80]);
            text.ShouldEndWith("…");
        }

        (await host.Host.QueryScalarAsync("SELECT MAX(LENGTH(\"Detail\")) FROM \"ApplyJournal\"")).ShouldBe((long)FreeText.MaxLength);
        var audit = (await host.AuditAsync(tenant.Id)).Single(a => a.Action == AuditActions.StepFailed && a.Summary.StartsWith(failed.Title, StringComparison.Ordinal));
        audit.Summary.ShouldContain("w0001 w0002");
        audit.Summary.Length.ShouldBe(FreeText.MaxLength);
    }

    [Fact]
    public async Task A_drift_check_failing_on_an_AWS_error_longer_than_its_column_records_the_tenant_Failing_with_it_clipped()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider, configureServices: services =>
            FailingSandboxAccounts.Register(services, _ => false, s_awsMessage));
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        FailingSandboxAccounts.Of(host.Services).Opening = true;

        var report = await DriftCheckerTests.CheckAsync(host, tenant.Id);

        report.Status.ShouldBe(TenantHealthStatus.Failing);
        report.Message.ShouldNotBeNull().ShouldContain("w0001 w0002");
        (await host.Host.QueryScalarAsync("SELECT LENGTH(\"Message\") FROM \"TenantDrift\"")).ShouldBe((long)FreeText.MaxLength);
        (await host.Host.QueryScalarAsync("SELECT MAX(LENGTH(\"Message\")) FROM \"DriftReports\"")).ShouldBe((long)FreeText.MaxLength);
    }

    [Fact]
    public async Task An_audit_summary_longer_than_its_column_is_kept_clipped_without_splitting_a_character()
    {
        await using var host = await CoreTestHost.StartAsync(provider: Provider);
        var @operator = await host.CreateOperatorAsync();
        var tenant = await host.CreateTenantAsync(@operator.Principal, CoreTestHost.SandboxInput("acme"));
        // A character outside the Basic Multilingual Plane (two UTF-16 units) across the place the summary is cut.
        var summary = new string('a', FreeText.MaxLength - 2) + "🎧" + new string('b', Longer);

        await host.Services.GetRequiredService<AuditLog>().RecordAsync(tenant.Id, "system", "test.long", summary);

        var stored = (string)(await host.QueryScalarAsync("SELECT \"Summary\" FROM \"Audit\" WHERE \"Action\" = 'test.long'"))!;
        stored.ShouldBe(new string('a', FreeText.MaxLength - 2) + "…");
    }
}

/// <summary>The same facts on PostgreSQL.</summary>
[Collection(RealTimeTests.Name)]
public sealed class PostgreSqlLongTextTests() : LongTextTests(StorageProvider.PostgreSql);

/// <summary>
/// Sandbox accounts whose chosen AWS operations answer with an error of a given message, as AWS answers an invalid
/// request; with <see cref="Opening"/>, the account cannot even be opened, as when its role cannot be assumed.
/// </summary>
internal sealed class FailingSandboxAccounts(SandboxAccounts sandbox, Func<AwsOperation, bool> fails, string message) : IAwsAccountProvider
{
    private readonly Func<AwsOperation, bool> _fails = fails;

    /// <summary>Whether opening an account fails, rather than only the chosen operations.</summary>
    public bool Opening { get; set; }

    public IReadOnlyCollection<AwsAccessMode> Modes => sandbox.Modes;

    public string? KnownAccountId(TenantView tenant) => sandbox.KnownAccountId(tenant);

    public Task<IAwsAccount> OpenAsync(TenantView tenant, AwsCallerFactory callers, CancellationToken ct) => Opening
        ? throw Failure(AwsServices.Sts, "AssumeRole", null)
        : sandbox.OpenAsync(tenant, (account, region) => new FailingCaller(callers(account, region), this), ct);

    /// <summary>Puts these accounts in place of the Sandbox's own.</summary>
    public static void Register(IServiceCollection services, Func<AwsOperation, bool> fails, string message)
    {
        services.RemoveAll<IAwsAccountProvider>();
        services.AddSingleton(sp => new FailingSandboxAccounts(sp.GetRequiredService<SandboxAccounts>(), fails, message));
        services.AddSingleton<IAwsAccountProvider>(sp => sp.GetRequiredService<FailingSandboxAccounts>());
    }

    public static FailingSandboxAccounts Of(IServiceProvider services) => services.GetRequiredService<FailingSandboxAccounts>();

    private AwsCallException Failure(string service, string action, string? resource) =>
        new(AwsFailure.FromError(service, action, resource, HttpStatusCode.BadRequest, "InvalidRequest", message));

    private sealed class FailingCaller(IAwsCaller inner, FailingSandboxAccounts accounts) : IAwsCaller
    {
        public Task<T> CallAsync<T>(AwsOperation operation, string? resource, Func<CancellationToken, Task<T>> operationCall, CancellationToken ct) =>
            accounts._fails(operation) ? throw accounts.Failure(operation.Service, operation.Name, resource) : inner.CallAsync(operation, resource, operationCall, ct);
    }
}
