using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Web.Api;
using SplitCcp.Web.Components;
using SplitCcp.Web.Health;
using SplitCcp.Web.Metrics;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Extensions;

internal static class WebApplicationExtensions
{
    public static WebApplication MapSplitCcp(this WebApplication app)
    {
        app.UseForwardedHeadersFromProxies();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMetricsPort();
        app.UseHttps();
        app.UseWhen(IsApi, api => api.UseExceptionHandler());
        app.UseWhen(context => !IsApi(context), pages => pages.UseExceptionHandler("/error", createScopeForErrors: true));

        // Re-executing keeps the method, and a re-executed POST would fail antiforgery on the status page: GETs only.
        app.UseWhen(context => !IsApi(context) && HttpMethods.IsGet(context.Request.Method), pages => pages.UseStatusCodePagesWithReExecute("/status/{0}"));

        app.UseRouting();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseAuthentication();
        app.UseMiddleware<MfaEnrolmentGate>();
        app.UseAuthorization();
        app.UseMiddleware<TenantRouteGuard>();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = ReadyResponse.WriteAsync })
            .AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapMetrics();

        var api = app.MapGroup("/api").RequireAuthorization().WithMetadata(RequestBodyLimit.Api);
        api.MapTenantEndpoints();
        api.MapDemoTenantEndpoints();
        api.MapHealthEndpoints();
        api.MapUserEndpoints();
        api.MapProfileEndpoints();
        api.MapActivityEndpoints();
        api.MapNotificationEndpoints();
        api.MapBulkOperationEndpoints();
        app.MapArtifactDownloads();
        app.MapCsvDownloads();

        app.MapPost("/account/logout", async (HttpContext context, SignInManager<AppUser> signIn) =>
            {
                // The middleware only records the antiforgery result; an endpoint that binds no form must read it.
                if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
                {
                    return Results.BadRequest();
                }

                await signIn.SignOutAsync();
                return Results.LocalRedirect("~/account/login");
            })
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .RequireAuthorization()
            .ExcludeFromDescription();

        app.MapCompanySignIn();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>
    /// Validates the options checked at start-up before anything starts, so a misconfigured portal stops with what to set,
    /// in one line and without a stack trace, and before it writes anything (the host would check them too, but only once it
    /// had built the services that open the database).
    /// </summary>
    public static string? FindConfigurationError(this WebApplication app)
    {
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return string.Join(' ', ex.Failures);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            return string.Join(' ', ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures));
        }
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");
}
