using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Security;

/// <summary>
/// With <c>SplitCcp:Accounts:RequireMfa</c>, a page session signed in without the second step reaches only the MFA
/// enrolment page, sign-out and what needs no sign-in; everything else sends it to enrol. The page circuit (<c>/_blazor</c>)
/// is refused too, so no page can be opened past the gate. API tokens are not sessions and pass, and neither does a session
/// signed in with the company provider, whose own sign-in does the second step.
/// </summary>
internal sealed class MfaEnrolmentGate(RequestDelegate next, IOptions<AccountOptions> options)
{
    public const string EnrolmentPath = "/account/mfa";

    public Task InvokeAsync(HttpContext context)
    {
        if (!options.Value.RequireMfa
            || context.User.Identity is not { IsAuthenticated: true } identity
            || identity.AuthenticationType != IdentityConstants.ApplicationScheme
            || PortalSignIn.HasSecondFactor(context.User)
            || CompanySignInWeb.SignedInByCompany(context.User)
            || context.Request.Path.StartsWithSegments(EnrolmentPath)
            || context.Request.Path.StartsWithSegments("/account/logout")
            || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return next(context);
        }

        context.Response.Redirect(context.Request.PathBase + EnrolmentPath);
        return Task.CompletedTask;
    }
}
