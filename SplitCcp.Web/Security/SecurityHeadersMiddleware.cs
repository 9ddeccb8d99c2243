using Microsoft.Extensions.Options;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Security;

/// <summary>
/// Security headers on every response. The CSP allows only this origin's scripts; Blazor Server needs its WebSocket, MudBlazor
/// its inline styles. Forms post to this origin only, and with company sign-in on, to the provider's too: the sign-in button's
/// POST answers with a redirect there, which browsers hold to <c>form-action</c>.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, IOptions<OidcOptions> oidc)
{
    private readonly string _contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        $"font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'{ProviderOrigin(oidc.Value)}; object-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = _contentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    }

    private static string ProviderOrigin(OidcOptions oidc) =>
        oidc.IsConfigured && Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority) ? $" {authority.GetLeftPart(UriPartial.Authority)}" : "";
}
