using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SplitCcp.Web.Extensions;
using SplitCcp.Web.Metrics;

namespace SplitCcp.Web.Security;

/// <summary>
/// HTTPS, whether Kestrel terminates TLS itself (a certificate in <c>Kestrel:Certificates:Default</c>) or a proxy does in
/// front of it: forwarded headers from the configured proxies only, HSTS on HTTPS responses, redirection to HTTPS when the
/// portal has an HTTPS address of its own, and cookies that are <c>Secure</c> whenever the request came over HTTPS.
/// </summary>
internal static class TransportSecurity
{
    public static IServiceCollection AddTransportSecurity(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((options, proxy) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;

            // The defaults trust loopback; only what the operator names is trusted, so the list says it all.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var address in proxy.Value.Proxies)
            {
                options.KnownProxies.Add(address);
            }

            foreach (var network in proxy.Value.Networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });

        // Same as the request by default, so a plain-HTTP first run still signs in; always when the portal serves HTTPS itself,
        // where every page request is redirected to HTTPS anyway.
        foreach (var scheme in new[] { IdentityConstants.ApplicationScheme, IdentityConstants.ExternalScheme })
        {
            services.AddOptions<CookieAuthenticationOptions>(scheme).Configure<IConfiguration>((options, configuration) =>
                options.Cookie.SecurePolicy = CookiePolicy(configuration));
        }

        // The company sign-in's correlation and nonce cookies, which carry the sign-in from the button to the provider's answer.
        services.AddOptions<OpenIdConnectOptions>(CompanySignInWeb.Scheme).Configure<IConfiguration>((options, configuration) =>
        {
            options.CorrelationCookie.SecurePolicy = CookiePolicy(configuration);
            options.NonceCookie.SecurePolicy = CookiePolicy(configuration);
        });
        services.AddOptions<AntiforgeryOptions>().Configure<IConfiguration>((options, configuration) =>
            options.Cookie.SecurePolicy = CookiePolicy(configuration));
        return services;
    }

    /// <summary>First in the pipeline: everything after it sees the client's scheme and address, as the proxy reported them.</summary>
    public static WebApplication UseForwardedHeadersFromProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.Any)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    /// <summary>
    /// HSTS outside Development (only ever sent on HTTPS, and never to localhost); redirection to HTTPS when the portal listens
    /// on HTTPS itself, except for the health checks and the metrics, which orchestrators and scrapers call over plain HTTP.
    /// </summary>
    public static WebApplication UseHttps(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        if (ListenUrls.IncludeHttps(app.Configuration))
        {
            app.UseWhen(context => !IsProbe(context.Request.Path), pages => pages.UseHttpsRedirection());
        }

        return app;
    }

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/healthz") || path.StartsWithSegments(MetricsEndpoint.Path);

    private static CookieSecurePolicy CookiePolicy(IConfiguration configuration) =>
        ListenUrls.IncludeHttps(configuration) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
}
