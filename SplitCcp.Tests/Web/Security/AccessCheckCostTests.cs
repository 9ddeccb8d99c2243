using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;
using SplitCcp.Tests.Web.Api;

namespace SplitCcp.Tests.Web.Security;

/// <summary>
/// What a tenant request costs the database before it does its work: signing in the token, one access check, and the queries
/// of the operation itself. Access is checked once, at the edge, and the services trust the tenant handle they are given.
/// </summary>
public sealed class AccessCheckCostTests : IAsyncLifetime, IDisposable
{
    private readonly SplitCcpWebFactory _app = new();
    private TenantView _tenant = default!;
    private TestUser _admin = default!;
    private HttpClient _client = default!;

    public async Task InitializeAsync()
    {
        _tenant = await _app.CreateTenantAsync("Spec Co", "spec-co");
        _admin = await _app.CreateUserAsync("admin@spec.example", Roles.TenantAdmin, _tenant.Id);
        _app.Server.PreserveExecutionContext = true;
        _client = _app.CreateApiClient(_admin.Token);

        // The first request stamps the token's use and builds what is built once; neither belongs to a request's cost.
        (await _client.GetAsync($"/api/tenants/{_tenant.Id}/spec")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SpecSave_SignInOneAccessCheckAndTheSavesOwnReads_BeforeItsFirstWrite()
    {
        var budget = await SignInAndCheckAsync() + 2; // the tenant, to validate against its region; the stored spec

        var commands = await DbCommandRecorder.RecordAsync(async () =>
        {
            using var body = new StringContent(SpecApiTests.CompleteSpec().ToJsonString(), Encoding.UTF8, "application/json");
            (await _client.PutAsync($"/api/tenants/{_tenant.Id}/spec", body)).StatusCode.ShouldBe(HttpStatusCode.OK);
        });

        var beforeWrite = commands.TakeWhile(c => !DbCommandRecorder.IsWrite(c)).Count();
        beforeWrite.ShouldBeLessThan(commands.Count, "the save wrote nothing");
        beforeWrite.ShouldBeLessThanOrEqualTo(budget, string.Join("\n---\n", commands.Take(beforeWrite)));
        beforeWrite.ShouldBeLessThanOrEqualTo(MeasuredAfterTheChange, "12 before the access check moved to the edge");
    }

    [Fact]
    public async Task SpecRead_SignInOneAccessCheckAndTheReadsOwnQueries()
    {
        var budget = await SignInAndCheckAsync() + 2; // the tenant and its stored spec

        var commands = await DbCommandRecorder.RecordAsync(async () =>
            (await _client.GetAsync($"/api/tenants/{_tenant.Id}/spec")).StatusCode.ShouldBe(HttpStatusCode.OK));

        commands.ShouldNotContain(c => DbCommandRecorder.IsWrite(c));
        commands.Count.ShouldBeLessThanOrEqualTo(budget, string.Join("\n---\n", commands));
        commands.Count.ShouldBeLessThanOrEqualTo(MeasuredAfterTheChange, "12 before the access check moved to the edge");
    }

    /// <summary>
    /// What each request takes since the check moved to the edge (token 2, the check 4, the operation 2), fixed here so that
    /// a check grown dearer, which the measured budget would grow with, is still seen.
    /// </summary>
    private const int MeasuredAfterTheChange = 8;

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    /// <summary>The commands that authenticating the admin's token and one access check to their tenant take, measured the same way.</summary>
    private async Task<int> SignInAndCheckAsync()
    {
        var tokens = _app.Services.GetRequiredService<ApiTokenService>();
        var access = _app.Services.GetRequiredService<ITenantAccess>();
        var principal = SplitCcpWebFactory.Principal(_admin.Id, Roles.TenantAdmin);
        var signIn = await DbCommandRecorder.RecordAsync(() => tokens.AuthenticateAsync(_admin.Token, "Bearer"));
        var check = await DbCommandRecorder.RecordAsync(() => access.CheckAsync(principal, _tenant.Id, TenantOperation.Write));
        signIn.Count.ShouldBeGreaterThan(0, "the recorder saw nothing");
        check.Count.ShouldBeGreaterThan(0, "the recorder saw nothing");
        return signIn.Count + check.Count;
    }
}
