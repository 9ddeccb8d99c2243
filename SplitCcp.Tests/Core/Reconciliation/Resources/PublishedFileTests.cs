using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Reconciliation.Resources;

/// <summary>
/// The files a check compares with AWS: a check reads each page twice (the bucket's object, then what agents load), and
/// each page is made once per check, but never kept past a change of the setup the check learns.
/// </summary>
public sealed class PublishedFileTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;

    public async Task InitializeAsync() => _host = await CoreTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(SetupValues.AudioOnlyPageName)]
    [InlineData(SetupValues.InSessionPageName)]
    public async Task For_TheSamePageTwiceInOneCheck_MakesItOnce(string page)
    {
        var context = await ContextAsync();

        var first = PublishedFile.For(context, page);

        PublishedFile.For(context, page).ShouldBeSameAs(first);
        PublishedFile.For(context, page == SetupValues.AudioOnlyPageName ? SetupValues.InSessionPageName : SetupValues.AudioOnlyPageName).ShouldNotBeSameAs(first);
    }

    [Theory]
    [InlineData(SetupValues.AudioOnlyPageName)]
    [InlineData(SetupValues.InSessionPageName)]
    public async Task For_AfterTheCheckLearnsAChangeOfSetup_MakesThePageAgainFromIt(string page)
    {
        var context = await ContextAsync();
        var before = PublishedFile.For(context, page);

        context.Learn(spec => spec.CcpPages.CcpLoadTimeoutMs += 1000);

        var after = PublishedFile.For(context, page);
        after.Sha256.ShouldNotBe(before.Sha256);
        after.Sha256.ShouldBe(PublishedFile.For(await ContextAsync(context.Spec), page).Sha256, "the page of the changed setup, as a fresh check makes it");
    }

    [Fact]
    public async Task ContentSecurityPolicy_OfEachPage_NamesTheHashesOfItsInlineStyleAndScript()
    {
        var context = await ContextAsync();
        var generator = _host.Services.GetRequiredService<CcpPageGenerator>();
        var csp = generator.ContentSecurityPolicy(context.Values);

        csp.ShouldContain($"script-src 'self' {CcpPageGenerator.HashSource(generator.LoaderScript)};");
        csp.ShouldContain("style-src 'sha256-");
        System.Text.Encoding.UTF8.GetString(PublishedFile.For(context, SetupValues.AudioOnlyPageName).Content.Span).ShouldContain($"content=\"{csp}\"");
        System.Text.Encoding.UTF8.GetString(PublishedFile.For(context, SetupValues.InSessionPageName).Content.Span).ShouldContain($"content=\"{csp}\"");
    }

    private async Task<ReconcileContext> ContextAsync(TenantSpec? spec = null)
    {
        var user = (await _host.CreateOperatorAsync()).Principal;
        var tenant = await _host.Services.GetRequiredService<DemoTenants>().CreateAsync(user);
        spec ??= (await _host.Services.GetRequiredService<TenantSpecService>().GetAsync(await _host.TenantAsync(user, tenant.Id)))!.Value.Record.Spec;
        return new ReconcileContext(tenant, spec, _host.Services.GetRequiredService<SandboxAccounts>().Open(tenant, _ => throw new InvalidOperationException("Making the files calls no AWS.")), _host.Services.GetRequiredService<CcpPageGenerator>(),
            ConnectStreamsAsset.Instance, TimeProvider.System, new ReconciliationOptions());
    }
}
