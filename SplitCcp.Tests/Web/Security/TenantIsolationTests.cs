using System.Net;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;

using SplitCcp.Web.Security;

namespace SplitCcp.Tests.Web.Security;

/// <summary>
/// Walks the app's own route table, so a tenant-scoped page or endpoint added later without the access check fails here.
/// </summary>
public sealed class TenantIsolationTests : IAsyncLifetime, IDisposable
{
    private readonly SplitCcpWebFactory _app = new();
    private TenantView _ours = default!;
    private TenantView _theirs = default!;
    private TestUser _outsider = default!;
    private TestUser _viewer = default!;

    public async Task InitializeAsync()
    {
        _ours = await _app.CreateTenantAsync("Our Tenant", "our-tenant");
        _theirs = await _app.CreateTenantAsync("Zebra Secret Holdings", "zebra-secret");
        _outsider = await _app.CreateUserAsync("outsider@example.com", Roles.TenantAdmin, _ours.Id);
        _viewer = await _app.CreateUserAsync("viewer@example.com", Roles.Viewer, _theirs.Id);
    }

    [Fact]
    public void RouteTable_HasTheKnownTenantScopedRoutes()
    {
        var routes = TenantScopedRoutes().Select(r => $"{r.Method} {r.Pattern}").ToList();

        // If this list shrinks, the enumeration below has stopped seeing routes, and the other tests would pass vacuously.
        routes.ShouldContain("GET /tenants/{TenantId:guid}");
        routes.ShouldContain("GET /api/tenants/{tenantId:guid}");
        routes.ShouldContain("PUT /api/tenants/{tenantId:guid}");
        routes.ShouldContain("DELETE /api/tenants/{tenantId:guid}");
        routes.ShouldContain("GET /api/tenants/{tenantId:guid}/spec");
        routes.ShouldContain("PUT /api/tenants/{tenantId:guid}/spec");
        routes.ShouldContain("GET /api/tenants/{tenantId:guid}/onboarding-template");
        routes.ShouldContain("GET /tenants/{tenantId:guid}/onboarding-template");
        routes.ShouldContain("GET /export/tenants/{tenantId:guid}/audit");
        routes.ShouldContain("GET /export/tenants/{tenantId:guid}/health/history");
    }

    [Fact]
    public void RouteTable_EveryTenantRouteUsesTheGuardedParameterName()
    {
        var offenders = Endpoints()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.Contains("tenant", StringComparison.OrdinalIgnoreCase))
            .SelectMany(e => e.RoutePattern.Parameters.Where(p => p.Name.Contains("tenant", StringComparison.OrdinalIgnoreCase)
                && !p.Name.Equals("tenantId", StringComparison.OrdinalIgnoreCase)).Select(p => $"{e.RoutePattern.RawText} ({p.Name})"))
            .ToList();

        offenders.ShouldBeEmpty("the tenant guard only recognises a parameter named tenantId");
    }

    [Fact]
    public async Task EveryTenantRoute_OtherTenantsAdmin_Gets404AndNoData()
    {
        var api = _app.CreateApiClient(_outsider.Token);
        var browser = await _app.CreateSignedInClientAsync(_outsider.Email, _outsider.Password);
        var checkedRoutes = 0;

        foreach (var route in TenantScopedRoutes())
        {
            var response = await SendAsync(route.IsApi ? api : browser, route, _theirs.Id);
            var body = await response.Content.ReadAsStringAsync();

            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{route.Method} {route.Pattern}");
            body.ShouldNotContain(_theirs.DisplayName, Case.Insensitive, $"{route.Method} {route.Pattern}");
            body.ShouldNotContain(_theirs.Slug, Case.Insensitive, $"{route.Method} {route.Pattern}");
            checkedRoutes++;
        }

        checkedRoutes.ShouldBeGreaterThanOrEqualTo(4);
        (await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).GetAsync($"/api/tenants/{_theirs.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK, "the tenant still exists");
    }

    [Fact]
    public async Task EveryTenantRoute_UnknownTenant_Gets404()
    {
        var api = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var browser = await _app.CreateSignedInClientAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);

        foreach (var route in TenantScopedRoutes())
        {
            var response = await SendAsync(route.IsApi ? api : browser, route, Guid.NewGuid());

            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{route.Method} {route.Pattern}");
        }
    }

    [Fact]
    public async Task EveryTenantWriteRoute_Viewer_Gets403()
    {
        var api = _app.CreateApiClient(_viewer.Token);
        var writes = TenantScopedRoutes().Where(r => r.IsApi && r.Operation != TenantOperation.Read).ToList();
        writes.ShouldNotBeEmpty();
        writes.ShouldContain(r => r.Pattern.EndsWith("/apply", StringComparison.Ordinal));

        foreach (var route in writes)
        {
            var response = await SendAsync(api, route, _theirs.Id);

            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{route.Method} {route.Pattern}");
        }

        (await api.GetAsync($"/api/tenants/{_theirs.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK, "the viewer's tenant is readable");
        (await api.PostAsync($"/api/tenants/{_theirs.Id}/plan", null)).StatusCode.ShouldBe(HttpStatusCode.OK, "planning only reads, so a viewer may plan");
    }

    [Fact]
    public void EveryEndpoint_IsAuthorizedOrDeliberatelyAnonymous()
    {
        string[] anonymous =
        [
            "/healthz", "/healthz/ready", "/openapi/{documentName}.json", "/account/login", "/setup",
            "/account/access-denied", "/status/{Code:int}", "/not-found", "/error",

            // The sign-in's code step (it needs Identity's own cookie from the password step), and the pages a link from a mail opens.
            "/account/login-code", "/account/forgot-password", "/account/invitation", "/account/reset-password",

            // Where a company sign-in that gives no role lands: nobody is signed in; its words come data-protected in the link.
            "/account/company/refused",
        ];

        var unprotected = Endpoints()
            .Where(e => !IsFrameworkAsset(e))
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        var anonymousRoutes = Endpoints()
            .Where(e => !IsFrameworkAsset(e) && e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => e.RoutePattern.RawText!)
            .Distinct()
            .ToList();

        unprotected.ShouldBeEmpty();
        anonymousRoutes.ShouldBe(anonymous, ignoreOrder: true);
    }

    private static bool IsFrameworkAsset(RouteEndpoint e) =>
        e.Metadata.GetMetadata<ComponentTypeMetadata>() is null
        && (e.RoutePattern.RawText?.StartsWith('_') == true
            || e.RoutePattern.RawText?.StartsWith("/_", StringComparison.Ordinal) == true
            || e.DisplayName?.Contains("StaticAsset", StringComparison.OrdinalIgnoreCase) == true
            || IsStaticFile(e.RoutePattern.RawText)
            || e.RoutePattern.RawText == "{**path:file}");

    private static bool IsStaticFile(string? pattern) =>
        pattern is not null && Path.HasExtension(pattern) && !pattern.Contains('{', StringComparison.Ordinal);

    private IEnumerable<RouteEndpoint> Endpoints() =>
        _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    private IEnumerable<TenantRoute> TenantScopedRoutes() =>
        Endpoints()
            .Where(e => e.RoutePattern.Parameters.Any(p => p.Name.Equals("tenantId", StringComparison.OrdinalIgnoreCase)))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [HttpMethods.Get])
                .Select(m => new TenantRoute(m, e.RoutePattern.RawText!, e.RoutePattern, e.Metadata.GetMetadata<TenantOperationAttribute>()?.Operation)))
            .Where(r => r.Method != HttpMethods.Head)
            .DistinctBy(r => $"{r.Method} {r.Pattern}");

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, TenantRoute route, Guid tenantId)
    {
        var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Url(tenantId));
        if (route.Method != HttpMethods.Get && route.Method != HttpMethods.Delete)
        {
            // Pages take form posts; the API takes JSON. Either way the guard must answer before the body is looked at.
            request.Content = route.IsApi
                ? new StringContent("""{"displayName":"Injected","slug":"injected","region":"us-east-1","accessMode":"Sandbox","version":1}""", Encoding.UTF8, "application/json")
                : new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "any" });
        }

        return client.SendAsync(request);
    }

    private sealed record TenantRoute(string Method, string Pattern, RoutePattern Parsed, TenantOperation? Declared)
    {
        public bool IsApi => Pattern.StartsWith("/api/", StringComparison.Ordinal);

        /// <summary>What the route needs: GETs read, other methods write, unless the endpoint declares otherwise (a plan is a POST that only reads).</summary>
        public TenantOperation Operation => Declared ?? (Method == HttpMethods.Get ? TenantOperation.Read : TenantOperation.Write);

        /// <summary>The route with the tenant filled in and every other parameter given a plausible value.</summary>
        public string Url(Guid tenantId)
        {
            var segments = Parsed.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternSeparatorPart separator => separator.Content,
                RoutePatternParameterPart p when p.Name.Equals("tenantId", StringComparison.OrdinalIgnoreCase) => tenantId.ToString(),
                RoutePatternParameterPart p when p.ParameterPolicies.Any(pp => pp.Content == "guid") => Guid.NewGuid().ToString(),
                RoutePatternParameterPart p when p.ParameterPolicies.Any(pp => pp.Content == "int") => "1",
                RoutePatternParameterPart => "AudioOnly.html",
                _ => "",
            })));
            return "/" + string.Join('/', segments);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _app.Dispose();
}
