using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Security;
using SplitCcp.Web.Extensions;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Metrics;

/// <summary>
/// <c>GET /metrics</c> in Prometheus text, protected by <see cref="MetricsOptions"/>: a scraper's bearer token, a port of its
/// own, or else an MSP operator's API token. Never the sign-in cookie, so no other site can make a browser fetch it.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IServiceCollection AddMetricsEndpoint(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PortalMeterListener>();
        services.AddSingleton<PrometheusExposition>();
        return services;
    }

    /// <summary>
    /// With a metrics port: listens on it as well as on the portal's own addresses, answers only <c>/metrics</c> and the health
    /// checks there, and <c>/metrics</c> nowhere else. Goes first in the pipeline, so the rest of the portal never sees these requests.
    /// </summary>
    public static WebApplication UseMetricsPort(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Port is not { } port)
        {
            return app;
        }

        ListenOn(app, port);

        // The connection's port, not the Host header: a client chooses its Host header, so RequireHost("*:port") would let
        // anyone reach the anonymous endpoint through the main port by sending "Host: portal:port".
        app.Use((context, next) =>
        {
            var onMetricsPort = context.Connection.LocalPort == port;
            var path = context.Request.Path;
            var allowed = onMetricsPort
                ? path.StartsWithSegments(Path) || path.StartsWithSegments("/healthz")
                : !path.StartsWithSegments(Path);
            if (allowed)
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        return app;
    }

    public static WebApplication MapMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;

        // Now, before the host starts: what is recorded before the listener starts is not counted, and the drift gauges exist from then on.
        app.Services.GetRequiredService<PrometheusExposition>();
        var endpoint = app.MapGet(Path, async (PrometheusExposition exposition, CancellationToken ct) =>
                Results.Text(await exposition.RenderAsync(ct), PrometheusWriter.ContentType))
            .ExcludeFromDescription();
        if (options.RequiredToken is { } token)
        {
            endpoint.AllowAnonymous().AddEndpointFilter(new ScraperTokenFilter(token));
        }
        else if (options.Port is not null)
        {
            endpoint.AllowAnonymous();
        }
        else
        {
            // Only the API token scheme is consulted, whatever the default scheme for this path: a cookie never counts.
            endpoint.RequireAuthorization(new AuthorizationPolicyBuilder(ApiTokenAuthenticationHandler.SchemeName).RequireRole(Roles.MspOperator).Build());
        }

        return app;
    }

    private static void ListenOn(WebApplication app, int port)
    {
        var url = $"http://*:{port}";

        // Endpoints in configuration replace every URL, so with them the metrics port must be one more endpoint.
        if (app.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            app.Configuration["Kestrel:Endpoints:SplitCcpMetrics:Url"] = url;
            return;
        }

        // The test server has no addresses to add to.
        if (app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>() is not { Addresses.IsReadOnly: false } server)
        {
            return;
        }

        // The host reads urls (ASPNETCORE_URLS, --urls), else HTTP_PORTS and HTTPS_PORTS, only while no address has been
        // added; once this one is, the portal's own addresses must be added too, as the host would have, or they are lost.
        if (server.Addresses.Count == 0)
        {
            foreach (var configured in ListenUrls.Configured(app.Configuration))
            {
                server.Addresses.Add(configured);
            }
        }

        server.Addresses.Add(url);
    }

    /// <summary>Lets a request through only with <c>Authorization: Bearer</c> and the configured token, compared in constant time.</summary>
    private sealed class ScraperTokenFilter(string token) : IEndpointFilter
    {
        // Hashes of equal length, so the comparison reveals neither the token nor its length.
        private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));

        public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            string? header = context.HttpContext.Request.Headers.Authorization;
            if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && Matches(header["Bearer ".Length..].Trim()))
            {
                return next(context);
            }

            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return ValueTask.FromResult<object?>(Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required",
                detail: $"Send the metrics token ({MetricsOptions.SectionName}:Token) as 'Authorization: Bearer <token>'."));
        }

        private bool Matches(string presented) =>
            CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected);
    }
}
