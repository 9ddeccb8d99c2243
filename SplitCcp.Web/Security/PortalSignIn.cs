using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Web.Security;

/// <summary>Password sign-in for the pages, with a code from an authenticator app as a second step: Identity's sign-in manager over the users Core keeps.</summary>
internal static class PortalSignIn
{
    /// <summary>The claim Identity gives a sign-in that passed the second step ("amr", authentication methods, as in OpenID Connect).</summary>
    public static Claim SecondFactorClaim => new("amr", "mfa");

    public static IServiceCollection AddPortalSignIn(this IServiceCollection services)
    {
        // "Confirmed" is answered by DisabledUserConfirmation: a disabled account cannot sign in.
        services.Configure<IdentityOptions>(options => options.SignIn.RequireConfirmedAccount = true);
        new IdentityBuilder(typeof(AppUser), typeof(IdentityRole), services)
            .AddSignInManager()
            .AddUserConfirmation<DisabledUserConfirmation>();

        // The cookie's principal is made anew at each security stamp check: it keeps how the session signed in, or a session
        // that passed the second step would be taken for one that did not a minute later.
        services.Configure<SecurityStampValidatorOptions>(options => options.OnRefreshingPrincipal = context =>
        {
            if (context.CurrentPrincipal?.FindFirst(SecondFactorClaim.Type) is { } amr && context.NewPrincipal?.Identity is ClaimsIdentity identity
                && !identity.HasClaim(amr.Type, amr.Value))
            {
                identity.AddClaim(new Claim(amr.Type, amr.Value));
            }

            return Task.CompletedTask;
        });
        return services;
    }

    /// <summary>Whether the session's sign-in passed the second step.</summary>
    public static bool HasSecondFactor(ClaimsPrincipal user) => user.HasClaim(SecondFactorClaim.Type, SecondFactorClaim.Value);

    /// <summary>Refuses sign-in for disabled accounts; Identity asks this before every password sign-in.</summary>
    private sealed class DisabledUserConfirmation : IUserConfirmation<AppUser>
    {
        public Task<bool> IsConfirmedAsync(UserManager<AppUser> manager, AppUser user) => Task.FromResult(!user.IsDisabled);
    }
}
