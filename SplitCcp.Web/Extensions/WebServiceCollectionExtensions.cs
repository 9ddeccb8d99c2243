using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using MudBlazor;
using MudBlazor.Services;
using SplitCcp.Core.Security;
using SplitCcp.Web.Api;
using SplitCcp.Web.Components.Account;
using SplitCcp.Web.Health;
using SplitCcp.Web.Metrics;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Extensions;

internal static class WebServiceCollectionExtensions
{
    private const string SelectScheme = "PathBased";

    /// <summary>UI, HTTP API, sign-in and health checks.</summary>
    public static IHostApplicationBuilder AddSplitCcpWeb(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        // Tenants' onboarding templates and the portal's own AWS principal, for the tenant page and the API.

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices(config =>
        {
            config.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            config.SnackbarConfiguration.PreventDuplicates = true;
        });

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.AddScoped<IdentityRedirectManager>();

        // /api speaks bearer tokens only (no cookies, so no cross-site request can use a signed-in browser); pages use the Identity cookie.
        var authentication = services.AddAuthentication(options =>
            {
                options.DefaultScheme = SelectScheme;
                options.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(SelectScheme, null, options => options.ForwardDefaultSelector = context =>
                context.Request.Path.StartsWithSegments("/api") ? ApiTokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        authentication.AddIdentityCookies();
        authentication.AddCompanySignIn(builder.Configuration);
        services.AddHttpContextAccessor();
        services.AddTransient<IClaimsTransformation, RemoteAddress.Claims>();
        services.AddPortalSignIn();
        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "SplitCcp.Auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.LoginPath = "/account/login";
            options.LogoutPath = "/account/logout";
            options.AccessDeniedPath = "/account/access-denied";
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
        });

        // A disabled user or a changed role loses the session within a minute, not half an hour.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.MspOperator, policy => policy.RequireRole(Roles.MspOperator));

        services.AddAntiforgery(options => options.Cookie.Name = "SplitCcp.Antiforgery");
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<StorageExceptionHandler>();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi();
        services.AddHealthChecks()
            .AddCheck<DatabaseReadyHealthCheck>("database", tags: ["ready"])
            .AddCheck<StorageHealthCheck>("storage", tags: ["ready"])
            .AddCheck<DriftWorkerHealthCheck>("drift-worker", tags: ["ready"]);
        services.AddMetricsEndpoint();
        builder.AddOtlpExport();
        services.AddTransportSecurity();
        return builder;
    }
}
