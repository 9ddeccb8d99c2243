using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Security;

/// <summary>
/// HTTPS behind a TLS-terminating proxy: the portal on a real loopback port, in Production, with requests that arrive from
/// 127.0.0.1 saying <c>X-Forwarded-Proto: https</c>, as a proxy on the same machine would send them.
/// </summary>
public sealed class TransportSecurityTests : IDisposable
{
    private const string PublicHost = "portal.example.test";

    private SplitCcpWebFactory? _app;

    [Theory]
    [InlineData("SplitCcp:Proxy:KnownProxies:0", "127.0.0.1")]
    [InlineData("SplitCcp:Proxy:KnownNetworks:0", "127.0.0.0/8")]
    public async Task SignIn_ThroughAConfiguredProxySayingHttps_CookiesAreSecureAndHstsIsSent(string setting, string proxy)
    {
        var client = Start(setting, proxy);

        var (login, cookies) = await SignInAsync(client);

        login.Headers.GetValues("Strict-Transport-Security").ShouldHaveSingleItem().ShouldContain("max-age=");
        cookies.ShouldContainKey("SplitCcp.Auth");
        cookies.ShouldAllBe(cookie => cookie.Value.Contains("; secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task CompanySignIn_ThroughAConfiguredProxySayingHttps_SendsAnHttpsCallbackAndSecureLaxCorrelationCookies()
    {
        var providerPort = OidcProvider.ReservePort();
        var settings = new Dictionary<string, string?>(OidcProvider.Settings(providerPort)) { ["SplitCcp:Accounts:LocalSignIn"] = "false" };
        var client = Start("SplitCcp:Proxy:KnownProxies:0", "127.0.0.1", settings);
        // The provider knows the portal only by its public HTTPS address, as one registered for production would.
        using var provider = OidcProvider.Start(providerPort, new Uri($"https://{PublicHost}:{_app!.ServerAddress.Port}"), new Dictionary<string, OidcUser>());
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        var form = await SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/account/login"), cookies);
        var fields = SplitCcpWebFactory.HiddenInputs(await form.Content.ReadAsStringAsync());

        var challenge = await SendAsync(client, new HttpRequestMessage(HttpMethod.Post, "/account/company/sign-in") { Content = new FormUrlEncodedContent(fields) }, cookies);

        challenge.StatusCode.ShouldBe(HttpStatusCode.Redirect, await challenge.Content.ReadAsStringAsync());
        // The provider offers pushed authorization requests, so the portal sent the request (and its redirect URI) there
        // first: a redirect URI the provider did not have registered would have been refused then, with no redirect.
        var location = challenge.Headers.Location!.ToString();
        location.ShouldStartWith($"{provider.Authority}/auth?");
        location.ShouldContain("request_uri=");
        var flow = cookies.Where(c => c.Key.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal) || c.Key.StartsWith(".AspNetCore.OpenIdConnect.Nonce.", StringComparison.Ordinal)).ToList();
        flow.Count.ShouldBe(2);
        flow.ShouldAllBe(c => c.Value.Contains("; secure", StringComparison.OrdinalIgnoreCase) && c.Value.Contains("; samesite=lax", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SignIn_HttpsHeaderFromASenderThatIsNotAConfiguredProxy_IsIgnored()
    {
        // A proxy is configured, but not the address this request comes from: its header is anyone's to send.
        var client = Start("SplitCcp:Proxy:KnownProxies:0", "10.20.30.40");

        var (login, cookies) = await SignInAsync(client);

        login.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
        cookies.ShouldContainKey("SplitCcp.Auth");
        cookies.ShouldAllBe(cookie => !cookie.Value.Contains("; secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SignIn_NoProxyConfigured_HttpsHeaderIsIgnored()
    {
        var client = Start(null, null);

        var (login, cookies) = await SignInAsync(client);

        login.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
        cookies.ShouldAllBe(cookie => !cookie.Value.Contains("; secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task PlainHttpDevelopmentRun_NoHstsNoRedirectNoSecureCookie()
    {
        _app = new SplitCcpWebFactory();
        var client = _app.CreateApiClient(null);

        var response = await client.GetAsync("/account/login");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
        response.Headers.GetValues("Set-Cookie").ShouldAllBe(cookie => !cookie.Contains("; secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task KestrelWithACertificate_PagesRedirectToHttpsWithHstsAndProbesStayOnHttp()
    {
        var (http, https) = (PortalProcess.FreePort(), PortalProcess.FreePort());
        var folder = Path.Combine(Path.GetTempPath(), "splitccp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var pfx = TestCertificates.WritePfx(Path.Combine(folder, "portal.pfx"), "pfx-Passw0rd", PublicHost);
            await using var portal = await PortalProcess.StartAsync(new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{http};https://127.0.0.1:{https}",
                ["Kestrel__Certificates__Default__Path"] = pfx,
                ["Kestrel__Certificates__Default__Password"] = "pfx-Passw0rd",

                // An installed portal: without a user, the sign-in page sends the first visitor to the setup page.
                ["SplitCcp__Bootstrap__AdminEmail"] = SplitCcpWebFactory.AdminEmail,
                ["SplitCcp__Bootstrap__AdminPassword"] = SplitCcpWebFactory.AdminPassword,
            }, new Uri(PortalProcess.Url(http, "/healthz")));
            using var plain = Client(http, "http");
            using var certificate = X509CertificateLoader.LoadPkcs12FromFile(pfx, "pfx-Passw0rd");
            using var secure = Client(https, "https", certificate.GetCertHashString());

            var redirect = await plain.GetAsync("/account/login");
            redirect.StatusCode.ShouldBe(HttpStatusCode.TemporaryRedirect, portal.Output);
            redirect.Headers.Location.ShouldBe(new Uri($"https://{PublicHost}:{https}/account/login"));
            (await plain.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK, "orchestrators probe over plain HTTP");

            var page = await secure.GetAsync("/account/login");
            page.StatusCode.ShouldBe(HttpStatusCode.OK, portal.Output);
            page.Headers.GetValues("Strict-Transport-Security").ShouldHaveSingleItem().ShouldContain("max-age=");
            page.Headers.GetValues("Set-Cookie").ShouldAllBe(cookie => cookie.Contains("; secure", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private HttpClient Start(string? setting, string? value, IReadOnlyDictionary<string, string?>? more = null)
    {
        _app = new SplitCcpWebFactory().WithEnvironment("Production").WithSetting("SplitCcp:DataProtection:AllowUnprotectedKeys", "true");
        if (setting is not null)
        {
            _app.WithSetting(setting, value);
        }

        foreach (var (key, moreValue) in more ?? new Dictionary<string, string?>())
        {
            _app.WithSetting(key, moreValue);
        }

        _app.StartKestrel();
        return Client(_app.ServerAddress.Port, "http");
    }

    /// <summary>A client for the public name, so HSTS (never sent to localhost) applies, whose connections go to the portal on loopback.</summary>
    private static HttpClient Client(int port, string scheme, string? certificateHash = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },

            // The test's own self-signed certificate, and no other.
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificateHash },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"{scheme}://{PublicHost}:{port}") };
    }

    /// <summary>The sign-in form, read and posted as a browser behind the proxy would; returns the form's response and every cookie set on the way.</summary>
    private static async Task<(HttpResponseMessage Login, Dictionary<string, string> Cookies)> SignInAsync(HttpClient client)
    {
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        var form = await SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/account/login"), cookies);
        form.StatusCode.ShouldBe(HttpStatusCode.OK);
        var fields = SplitCcpWebFactory.HiddenInputs(await form.Content.ReadAsStringAsync());
        fields["Input.Email"] = SplitCcpWebFactory.AdminEmail;
        fields["Input.Password"] = SplitCcpWebFactory.AdminPassword;

        var signIn = await SendAsync(client, new HttpRequestMessage(HttpMethod.Post, "/account/login") { Content = new FormUrlEncodedContent(fields) }, cookies);

        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, await signIn.Content.ReadAsStringAsync());
        return (form, cookies);
    }

    /// <summary>Sends the cookies so far by hand (a cookie jar would keep Secure cookies from a plain-HTTP address) and collects the new ones.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, Dictionary<string, string> cookies)
    {
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies.Values.Select(c => c.Split(';')[0])));
        }

        var response = await client.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                cookies[setCookie.Split('=')[0]] = setCookie;
            }
        }

        return response;
    }

    public void Dispose() => _app?.Dispose();
}
