using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Web.Components.Account;

namespace SplitCcp.Web.Security;

/// <summary>
/// Company sign-in by OpenID Connect (<see cref="OidcOptions"/>): the sign-in page's button starts an authorization code
/// flow with PKCE at the provider; the provider's answer comes back to <c>/signin-oidc</c>, is held a moment in Identity's
/// external cookie, and <see cref="CallbackPath"/> turns it into a portal session through <see cref="CompanySignIn"/>.
/// </summary>
internal static class CompanySignInWeb
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;
    public const string StartPath = "/account/company/sign-in";
    public const string CallbackPath = "/account/company/callback";
    public const string RefusedPath = "/account/company/refused";

    private const string RefusalPurpose = "SplitCcp.CompanySignIn.Refusal";

    private static readonly string[] s_standardScopes = ["openid", "profile", "email"];

    /// <summary>Adds the provider's scheme when <c>SplitCcp:Oidc:Authority</c> is set; nothing otherwise.</summary>
    public static AuthenticationBuilder AddCompanySignIn(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        if (configuration.GetSection(OidcOptions.SectionName).Get<OidcOptions>() is not { IsConfigured: true })
        {
            return authentication;
        }

        authentication.AddOpenIdConnect(Scheme, null, _ => { });
        authentication.Services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<IOptions<OidcOptions>>((options, settings) =>
        {
            var oidc = settings.Value;
            options.Authority = oidc.Authority;
            options.ClientId = oidc.ClientId;
            options.ClientSecret = oidc.ClientSecret;
            options.RequireHttpsMetadata = new Uri(oidc.Authority!).Scheme == Uri.UriSchemeHttps;
            options.SignInScheme = IdentityConstants.ExternalScheme;
            options.ResponseType = "code";
            options.UsePkce = true;

            // The code comes back on a top-level GET, so the correlation and nonce cookies can be SameSite=Lax: a form_post
            // callback is a cross-site POST, which only SameSite=None cookies survive, and those need HTTPS everywhere.
            options.ResponseMode = "query";
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.ClaimActions.MapJsonKey(oidc.RoleClaim, oidc.RoleClaim);
            options.ClaimActions.MapJsonKey("email_verified", "email_verified");
            options.Scope.Clear();
            foreach (var scope in s_standardScopes.Concat(oidc.Scopes).Distinct(StringComparer.Ordinal))
            {
                options.Scope.Add(scope);
            }

            options.Events.OnRemoteFailure = context =>
            {
                // The person cancelled at the provider, or its answer did not check out: say so on the portal, not with an error page.
                context.Response.Redirect(RefusedUrl(context.HttpContext, $"The sign-in with {oidc.DisplayName} did not complete. Try again, or ask your administrator if it keeps failing."));
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return authentication;
    }

    /// <summary>The button's POST, the provider's answer turned into a portal session, and the page that says why not.</summary>
    public static WebApplication MapCompanySignIn(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<OidcOptions>>().Value.IsConfigured)
        {
            return app;
        }

        app.MapPost(StartPath, async (HttpContext context) =>
            {
                // As for sign-out: the middleware only records the antiforgery result, and this endpoint binds no form.
                if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
                {
                    return Results.BadRequest();
                }

                string? returnUrl = (await context.Request.ReadFormAsync(context.RequestAborted))["returnUrl"];
                var back = IdentityRedirectManager.IsLocal(returnUrl) ? returnUrl! : "/";
                return Results.Challenge(new AuthenticationProperties { RedirectUri = $"{CallbackPath}?returnUrl={Uri.EscapeDataString(back)}" }, [Scheme]);
            })
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .AllowAnonymous()
            .ExcludeFromDescription();

        app.MapGet(CallbackPath, async (HttpContext context, string? returnUrl, CompanySignIn companySignIn, SignInManager<AppUser> signIn, IOptions<OidcOptions> options) =>
            {
                var external = await context.AuthenticateAsync(IdentityConstants.ExternalScheme);
                await context.SignOutAsync(IdentityConstants.ExternalScheme);
                if (!external.Succeeded || external.Principal.FindFirstValue("sub") is not { Length: > 0 } subject)
                {
                    return Results.LocalRedirect("~/account/login");
                }

                var principal = external.Principal;
                var login = new CompanyLogin(
                    Scheme, subject, principal.FindFirstValue("email"), string.Equals(principal.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase),
                    principal.FindAll(options.Value.RoleClaim).Select(c => c.Value).ToList(), RemoteAddress.Of(context));
                switch (await companySignIn.SignInAsync(login, context.RequestAborted))
                {
                    case CompanySignInResult.Succeeded succeeded when await signIn.UserManager.FindByIdAsync(succeeded.UserId) is { } user:
                        await signIn.SignInAsync(user, isPersistent: false, authenticationMethod: Scheme);
                        return Results.LocalRedirect(IdentityRedirectManager.IsLocal(returnUrl) ? returnUrl! : "/");
                    case CompanySignInResult.Refused refused:
                        return Results.Redirect(RefusedUrl(context, refused.Reason));
                    default:
                        return Results.LocalRedirect("~/account/login");
                }
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>Whether the session signed in with the company provider, whose own sign-in does the second step.</summary>
    public static bool SignedInByCompany(ClaimsPrincipal user) => user.HasClaim(ClaimTypes.AuthenticationMethod, Scheme);

    /// <summary>The words of a refusal, as <see cref="RefusedUrl"/> carried them; null when they were not the portal's own or are too old.</summary>
    public static string? Reason(IDataProtectionProvider protection, string? carried)
    {
        if (string.IsNullOrEmpty(carried))
        {
            return null;
        }

        try
        {
            return Protector(protection).Unprotect(carried);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The refusal page with its words sealed, so nobody can make the portal show words of theirs with a link.</summary>
    private static string RefusedUrl(HttpContext context, string reason)
    {
        var carried = Seal(context.RequestServices.GetRequiredService<IDataProtectionProvider>(), reason, DateTimeOffset.UtcNow.AddMinutes(10));
        return $"{context.Request.PathBase}{RefusedPath}?reason={Uri.EscapeDataString(carried)}";
    }

    /// <summary>A refusal's words as <see cref="Reason"/> reads them until <paramref name="expiration"/> (the data protector's clock is the system's).</summary>
    internal static string Seal(IDataProtectionProvider protection, string reason, DateTimeOffset expiration) => Protector(protection).Protect(reason, expiration);

    private static ITimeLimitedDataProtector Protector(IDataProtectionProvider protection) => protection.CreateProtector(RefusalPurpose).ToTimeLimitedDataProtector();
}
