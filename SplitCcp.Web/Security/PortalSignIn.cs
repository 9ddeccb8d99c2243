using Microsoft.AspNetCore.Identity;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Web.Security;

/// <summary>Password sign-in for the pages: Identity's sign-in manager over the users Core keeps.</summary>
internal static class PortalSignIn
{
    public static IServiceCollection AddPortalSignIn(this IServiceCollection services)
    {
        // "Confirmed" is answered by DisabledUserConfirmation: a disabled account cannot sign in.
        services.Configure<IdentityOptions>(options => options.SignIn.RequireConfirmedAccount = true);
        new IdentityBuilder(typeof(AppUser), typeof(IdentityRole), services)
            .AddSignInManager()
            .AddUserConfirmation<DisabledUserConfirmation>();
        return services;
    }

    /// <summary>Refuses sign-in for disabled accounts; Identity asks this before every password sign-in.</summary>
    private sealed class DisabledUserConfirmation : IUserConfirmation<AppUser>
    {
        public Task<bool> IsConfirmedAsync(UserManager<AppUser> manager, AppUser user) => Task.FromResult(!user.IsDisabled);
    }
}
