using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Tests.Core.Aws;

/// <summary>The real accounts' fetcher, over real HTTP to a loopback server.</summary>
public sealed class HttpPublishedSiteTests
{
    private const string Html = "text/html; charset=utf-8";
    private static readonly Uri s_page = new("https://d111111abcdef8.cloudfront.net/AudioOnly.html");
    private static readonly byte[] s_body = Encoding.UTF8.GetBytes("<!doctype html><title>AudioOnly</title>");

    [Fact]
    public async Task GetAsync_ServedPage_StatusContentTypeAndTheBodysSha256()
    {
        await using var site = await LoopbackSite.StartAsync(c => LoopbackSite.Serve(c, s_body, Html));
        using var http = site.Client();

        var answer = await new HttpPublishedSite(http, "eu-west-2").GetAsync(s_page, CancellationToken.None);

        answer.ShouldBe(new SiteAnswer.Served(200, Html, Convert.ToHexStringLower(SHA256.HashData(s_body))));
        site.Paths.ShouldBe(["/AudioOnly.html"]);
    }

    [Fact]
    public async Task GetAsync_ErrorStatus_TheStatusWithoutAHash()
    {
        await using var site = await LoopbackSite.StartAsync(c => LoopbackSite.Serve(c, "<Error><Code>AccessDenied</Code></Error>"u8.ToArray(), "application/xml", 403));
        using var http = site.Client();

        var answer = await new HttpPublishedSite(http, "eu-west-2").GetAsync(s_page, CancellationToken.None);

        answer.ShouldBe(new SiteAnswer.Served(403, "application/xml", null));
    }

    [Fact]
    public async Task GetAsync_ServerNeverAnswers_UnreachableOnceTheTimeLimitPasses()
    {
        await using var site = await LoopbackSite.StartAsync(LoopbackSite.NeverAnswer);
        using var http = site.Client();
        var clock = Stopwatch.StartNew();

        var answer = await new HttpPublishedSite(http, "eu-west-2", timeout: TimeSpan.FromMilliseconds(300)).GetAsync(s_page, CancellationToken.None);

        answer.ShouldBe(new SiteAnswer.Unreachable("the request timed out after 300 ms"));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task GetAsync_CallerCancels_CancellationIsNotReportedAsATimeout()
    {
        await using var site = await LoopbackSite.StartAsync(LoopbackSite.NeverAnswer);
        using var http = site.Client();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Should.ThrowAsync<OperationCanceledException>(() => new HttpPublishedSite(http, "eu-west-2").GetAsync(s_page, cancel.Token));
    }

    [Fact]
    public async Task GetAsync_RedirectWithinTheOrigin_IsFollowedWithoutTheCookieItSet()
    {
        // The fetch is anonymous, as a first visit from an agent's browser: a cookie the site sets is never presented.
        var cookies = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var site = await LoopbackSite.StartAsync(c =>
        {
            cookies.Enqueue(c.Request.Headers.Cookie.ToString());
            if (c.Request.Path == "/AudioOnly.html")
            {
                c.Response.Headers.SetCookie = "session=abc; Path=/";
                c.Response.Redirect("/v2/AudioOnly.html");
                return Task.CompletedTask;
            }

            return LoopbackSite.Serve(c, s_body, Html);
        });
        using var http = site.Client();

        var answer = await new HttpPublishedSite(http, "eu-west-2").GetAsync(s_page, CancellationToken.None);

        answer.ShouldBeOfType<SiteAnswer.Served>().StatusCode.ShouldBe(200);
        site.Paths.ShouldBe(["/AudioOnly.html", "/v2/AudioOnly.html"]);
        cookies.ShouldBe(["", ""]);
    }

    [Fact]
    public async Task GetAsync_GzipEncodedAnswer_HashesTheFileAsTheBrowserDecodesIt()
    {
        await using var site = await LoopbackSite.StartAsync(async c =>
        {
            c.Request.Headers.AcceptEncoding.ToString().ShouldContain("gzip");
            using var compressed = new MemoryStream();
            await using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(s_body);
            }

            c.Response.Headers.ContentEncoding = "gzip";
            await LoopbackSite.Serve(c, compressed.ToArray(), Html);
        });
        using var http = site.Client();

        var answer = await new HttpPublishedSite(http, "eu-west-2").GetAsync(s_page, CancellationToken.None);

        answer.ShouldBe(new SiteAnswer.Served(200, Html, Convert.ToHexStringLower(SHA256.HashData(s_body))));
    }

    [Fact]
    public async Task GetAsync_RedirectToAnotherHost_IsNotFollowed()
    {
        await using var site = await LoopbackSite.StartAsync(c =>
        {
            c.Response.Redirect("https://pages.example.com/AudioOnly.html");
            return Task.CompletedTask;
        });
        using var http = site.Client();

        var answer = await new HttpPublishedSite(http, "eu-west-2").GetAsync(s_page, CancellationToken.None);

        answer.ShouldBeOfType<SiteAnswer.Unreachable>().Reason.ShouldBe(
            "it answers 302 and redirects to https://pages.example.com/AudioOnly.html, outside the pages' origin, which is the one Connect approves");
        site.Paths.Count.ShouldBe(1);
    }

    [Fact]
    public async Task GetAsync_BodyLargerThanTheCap_StopsReadingAndIsUnreachable()
    {
        await using var site = await LoopbackSite.StartAsync(async c =>
        {
            // Chunked, with no Content-Length to give it away: the fetcher must count what it reads.
            c.Response.ContentType = "text/javascript";
            var chunk = new byte[64 * 1024];
            for (var sent = 0L; sent <= HttpPublishedSite.MaxBytes + chunk.Length && !c.RequestAborted.IsCancellationRequested; sent += chunk.Length)
            {
                await c.Response.Body.WriteAsync(chunk, c.RequestAborted);
            }
        });
        using var http = site.Client();

        var answer = await new HttpPublishedSite(http, "eu-west-2").GetAsync(s_page, CancellationToken.None);

        answer.ShouldBe(new SiteAnswer.Unreachable("the answer is larger than 5 MB, so it is not one of the files the portal publishes"));
    }

    [Theory]
    [InlineData("http://d111111abcdef8.cloudfront.net/AudioOnly.html")]
    [InlineData("https://user:secret@d111111abcdef8.cloudfront.net/AudioOnly.html")]
    [InlineData("file:///etc/passwd")]
    public async Task GetAsync_NotAnHttpsAddress_IsRefusedBeforeAnyRequest(string url)
    {
        using var http = new HttpClient();

        await Should.ThrowAsync<ArgumentException>(() => new HttpPublishedSite(http, "eu-west-2").GetAsync(new Uri(url), CancellationToken.None));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task GetAsync_PagesHostThatIsLocal_IsNotConnectedTo(string host)
    {
        // Whoever edits the setup types the pages' host: the portal must not fetch from its own network for them.
        await using var site = await LoopbackSite.StartAsync(c => LoopbackSite.Serve(c, s_body, Html));
        using var http = HttpPublishedSite.CreateHttpClient();

        var answer = await new HttpPublishedSite(http, "eu-west-2").GetAsync(new Uri($"https://{host}:{site.Address.Port}/AudioOnly.html"), CancellationToken.None);

        answer.ShouldBeOfType<SiteAnswer.Unreachable>().Reason.ShouldContain("a private or local address; the portal fetches the pages only from public addresses");
        site.Paths.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("64:ff9b::34.94.236.248", false)]
    [InlineData("2002:a9fe:a9fe::1", false)]
    [InlineData("2002:345e:ecf8::1", false)]
    [InlineData("::169.254.169.254", false)]
    [InlineData("::52.94.236.248", false)]
    [InlineData("52.94.236.248", true)]
    [InlineData("2600:9000:2000::1", true)]
    public void IsPublic_Address_OnlyWhatTheInternetCanReach(string address, bool expected) =>
        HttpPublishedSite.IsPublic(System.Net.IPAddress.Parse(address)).ShouldBe(expected);

    [Fact]
    public async Task GetAsync_EmulatorEndpoint_FetchesTheBucketsObjectPathStyleFromTheEmulator()
    {
        // The production client: an emulator the MSP operator configured may be local.
        await using var emulator = await LoopbackSite.StartAsync(c => LoopbackSite.Serve(c, s_body, Html));
        using var http = HttpPublishedSite.CreateHttpClient();
        var site = new HttpPublishedSite(http, "eu-west-2", emulator.Address);

        var answer = await site.GetAsync(new Uri("https://acme-ccp-pages.s3.eu-west-2.amazonaws.com/AudioOnly.html"), CancellationToken.None);

        answer.ShouldBeOfType<SiteAnswer.Served>().Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(s_body)));
        emulator.Paths.ShouldBe(["/acme-ccp-pages/AudioOnly.html"]);
    }

    [Fact]
    public async Task GetAsync_EmulatorEndpointAndACloudFrontAddress_NotFetched()
    {
        await using var emulator = await LoopbackSite.StartAsync(c => LoopbackSite.Serve(c, s_body, Html));
        using var http = new HttpClient();

        var answer = await new HttpPublishedSite(http, "eu-west-2", emulator.Address).GetAsync(s_page, CancellationToken.None);

        answer.ShouldBeOfType<SiteAnswer.NotFetched>().Reason.ShouldContain("is an emulator that serves no CloudFront distribution");
        emulator.Paths.ShouldBeEmpty();
    }
}
