using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Core.Aws;

namespace SplitCcp.Tests.Core.Reconciliation.Drift;

/// <summary>
/// The synthetic checks with the real accounts' fetcher, over real HTTP to a loopback server that stands in for the
/// distribution, given a plan in which the hosting resources are in sync. The account answers nothing but the published
/// site: a check that made an AWS call would fail.
/// </summary>
public sealed class SyntheticChecksOverHttpTests : IAsyncLifetime
{
    private const string Domain = "d111111abcdef8.cloudfront.net";

    private readonly List<HttpClient> _clients = [];
    private CoreTestHost _host = null!;
    private ReconcileContext? _context;

    public async Task InitializeAsync() => _host = await CoreTestHost.StartAsync();

    public async Task DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task RunAsync_CorrectAlteredAndSilentFiles_InSyncDriftedAndTimedOut()
    {
        await using var site = await LoopbackSite.StartAsync(async c =>
        {
            switch (c.Request.Path.Value)
            {
                case "/AudioOnly.html":
                    await LoopbackSite.Serve(c, Published(SetupValues.AudioOnlyPageName).Content.ToArray(), "text/html; charset=utf-8");
                    break;
                case "/InSession.html":
                    await LoopbackSite.Serve(c, Encoding.UTF8.GetBytes("<html>an older InSession page</html>"), "text/html; charset=utf-8");
                    break;
                default:
                    await LoopbackSite.NeverAnswer(c);
                    break;
            }
        });
        var context = await ContextAsync(site, TimeSpan.FromSeconds(1));

        var results = await new SyntheticChecks(NullLogger<SyntheticChecks>.Instance).RunAsync(context, Plan(), CancellationToken.None);

        results.Select(r => r.Key).ShouldBe(
            [SyntheticChecks.AudioOnlyPageKey, SyntheticChecks.InSessionPageKey, SyntheticChecks.ConnectStreamsKey, SyntheticChecks.ApprovedOriginKey]);
        results[0].ShouldBe(new DriftResource(SyntheticChecks.AudioOnlyPageKey, "AudioOnly.html as agents load it", DriftState.InSync, [], null));
        results[1].State.ShouldBe(DriftState.Drifted);
        results[1].Changes.ShouldBe([new FieldChange("sha256", Published(SetupValues.InSessionPageName).Sha256,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("<html>an older InSession page</html>"))))]);
        results[1].Message.ShouldBe($"Agents get a different InSession.html from https://{Domain}/InSession.html than the portal published, though the bucket holds the right one: "
            + "CloudFront is probably serving a cached copy. Invalidate /InSession.html on the distribution, or wait for its cache to expire.");
        results[2].State.ShouldBe(DriftState.Error);
        results[2].Message.ShouldBe($"Agents' browsers cannot load https://{Domain}/connect-streams.js: the request timed out after 1 s.");
        results[3].State.ShouldBe(DriftState.InSync);
        site.Paths.Order(StringComparer.Ordinal).ShouldBe(["/AudioOnly.html", "/InSession.html", "/connect-streams.js"]);
    }

    [Fact]
    public async Task RunAsync_WrongContentType_DriftedOnContentTypeOnly()
    {
        await using var site = await LoopbackSite.StartAsync(c => LoopbackSite.Serve(c, Published(FileOf(c)).Content.ToArray(), "binary/octet-stream"));
        var context = await ContextAsync(site);

        var results = await new SyntheticChecks(NullLogger<SyntheticChecks>.Instance).RunAsync(context, Plan(), CancellationToken.None);

        results[0].State.ShouldBe(DriftState.Drifted);
        results[0].Changes.ShouldBe([new FieldChange("contentType", "text/html; charset=utf-8", "binary/octet-stream")]);
    }

    [Theory]
    [InlineData(404, DriftState.Missing, "answers 404 Not Found: agents get no AudioOnly.html. Apply to publish it.")]
    [InlineData(403, DriftState.Drifted, "answers 403 Forbidden, so agents cannot load AudioOnly.html. Check that the bucket policy lets the CloudFront distribution read")]
    [InlineData(502, DriftState.Error, "answers 502 Bad Gateway. CloudFront or the bucket behind it failed to answer")]
    [InlineData(400, DriftState.Error, "answers 400 Bad Request, so agents cannot load AudioOnly.html.")]
    public async Task RunAsync_ErrorStatus_MissingOrErrorSayingWhatToCheck(int status, DriftState state, string message)
    {
        await using var site = await LoopbackSite.StartAsync(c => LoopbackSite.Serve(c, "<Error/>"u8.ToArray(), "application/xml", status));
        var context = await ContextAsync(site);

        var page = (await new SyntheticChecks(NullLogger<SyntheticChecks>.Instance).RunAsync(context, Plan(), CancellationToken.None))[0];

        page.State.ShouldBe(state);
        page.Message!.ShouldStartWith($"https://{Domain}/AudioOnly.html {message}");
    }

    [Fact]
    public async Task RunAsync_ApprovedOriginFoundMissingByThePlan_MissingWithTheOrigin()
    {
        await using var site = await LoopbackSite.StartAsync(c => LoopbackSite.Serve(c, Published(FileOf(c)).Content.ToArray(), Published(FileOf(c)).ContentType));
        var context = await ContextAsync(site);

        var results = await new SyntheticChecks(NullLogger<SyntheticChecks>.Instance).RunAsync(
            context, Plan(Item(ResourceKeys.ConnectApprovedOrigin, PlanAction.Create)), CancellationToken.None);

        results.Take(3).ShouldAllBe(r => r.State == DriftState.InSync);
        results[3].State.ShouldBe(DriftState.Missing);
        results[3].Changes.ShouldBe([new FieldChange("origin", $"https://{Domain}", null)]);
    }

    [Fact]
    public async Task RunAsync_DistributionNotCreatedYet_NothingFetched()
    {
        await using var site = await LoopbackSite.StartAsync(c => LoopbackSite.Serve(c, [], "text/html"));
        var context = await ContextAsync(site);

        var results = await new SyntheticChecks(NullLogger<SyntheticChecks>.Instance).RunAsync(
            context, Plan(Item(ResourceKeys.Distribution, PlanAction.Create)), CancellationToken.None);

        results.Take(3).ShouldAllBe(r => r.State == DriftState.NotChecked && r.Message!.StartsWith("CloudFront distribution does not exist yet", StringComparison.Ordinal));
        site.Paths.ShouldBeEmpty();
    }

    private static string FileOf(HttpContext c) => c.Request.Path.Value!.TrimStart('/');

    private PublishedFile Published(string fileName) => PublishedFile.For(_context!, fileName);

    /// <summary>The demo tenant's setup, with the distribution's domain known, on an account that only fetches over HTTP.</summary>
    private async Task<ReconcileContext> ContextAsync(LoopbackSite site, TimeSpan? timeout = null)
    {
        var user = (await _host.CreateOperatorAsync()).Principal;
        var tenant = await _host.Services.GetRequiredService<DemoTenants>().CreateAsync(user);
        var spec = (await _host.Services.GetRequiredService<TenantSpecService>().GetAsync(await _host.TenantAsync(user, tenant.Id)))!.Value.Record.Spec;
        spec.Hosting.CloudFrontDomain = Domain;
        var http = site.Client();
        _clients.Add(http);
        var fetcher = new HttpPublishedSite(http, tenant.Region, time: TimeProvider.System, timeout: timeout);
        return _context = new ReconcileContext(tenant, spec, new PublishedSiteOnly(fetcher), _host.Services.GetRequiredService<CcpPageGenerator>(),
            ConnectStreamsAsset.Instance, TimeProvider.System, new ReconciliationOptions());
    }

    /// <summary>A plan in which every hosting resource and the approved origin were read and found in sync, except <paramref name="overrides"/>.</summary>
    private static Plan Plan(params PlanItem[] overrides)
    {
        string[] keys =
        [
            ResourceKeys.Bucket, ResourceKeys.OriginAccessControl, ResourceKeys.Distribution, ResourceKeys.BucketPolicy,
            ResourceKeys.CcpObject(SetupValues.ConnectStreamsName), ResourceKeys.CcpObject(SetupValues.AudioOnlyPageName),
            ResourceKeys.CcpObject(SetupValues.InSessionPageName), ResourceKeys.ConnectApprovedOrigin,
        ];
        return new Plan(Guid.NewGuid(), DateTimeOffset.UtcNow, keys.Select(k => overrides.FirstOrDefault(o => o.Key == k) ?? Item(k, PlanAction.InSync)).ToList());
    }

    private static PlanItem Item(string key, PlanAction action) =>
        new(key, key == ResourceKeys.Distribution ? "CloudFront distribution" : key, SpecSection.Hosting, action, [], [], null, [], Observed: true);

    private sealed class PublishedSiteOnly(IPublishedSite site) : IAwsAccount
    {
        public string AccountId => "111122223333";

        public string Region => "eu-west-2";

        public IConnectGateway Connect => throw NoAwsCall();

        public IIamGateway Iam => throw NoAwsCall();

        public IIdentityCenterGateway IdentityCenterIn(string region) => throw NoAwsCall();

        public IS3Gateway S3 => throw NoAwsCall();

        public ICloudFrontGateway CloudFront => throw NoAwsCall();

        public IAppStreamGateway AppStream => throw NoAwsCall();

        public IStsGateway Sts => throw NoAwsCall();

        public IPublishedSite PublishedSite => site;

        private static NotSupportedException NoAwsCall() => new("The synthetic checks make no AWS call of their own.");
    }
}
