using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer sccp_…</c> on /api; answers a missing or bad token with a problem-details 401, and
/// an expired one with a 401 that says when it expired (in the body and in <c>WWW-Authenticate</c>, as RFC 6750 describes).
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenService tokens,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <token>'.");
        }

        var check = await tokens.AuthenticateAsync(header["Bearer ".Length..].Trim(), SchemeName, Context.RequestAborted);
        return check switch
        {
            { Principal: { } principal } => AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)),
            { ExpiredAt: { } expiredAt } => AuthenticateResult.Fail(new TokenExpiredException(expiredAt)),
            _ => AuthenticateResult.Fail("The token is unknown or revoked."),
        };
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        string detail;
        if (string.IsNullOrEmpty(Request.Headers.Authorization))
        {
            Response.Headers.WWWAuthenticate = "Bearer";
            detail = "Send an API token as 'Authorization: Bearer <token>'. Create one on your profile page.";
        }
        else
        {
            // The description is the same plain ASCII in the header as in the body: no quote or backslash to escape.
            detail = (await HandleAuthenticateOnceSafeAsync()).Failure is TokenExpiredException expired
                ? expired.Message
                : "The API token is unknown or has been revoked.";
            Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{detail}\"";
        }

        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 401, Title = "Authentication required", Detail = detail },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 403, Title = "Forbidden", Detail = "Your role or token does not allow this." },
        });
    }

    /// <summary>A real token presented after its expiry; its message is what the caller is told.</summary>
    private sealed class TokenExpiredException(DateTime expiredAt) : Exception(
        $"The API token expired on {expiredAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}. Create a new one on your profile page, or ask an MSP operator for one.");
}
