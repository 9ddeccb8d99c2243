using Microsoft.AspNetCore.Identity;

namespace SplitCcp.Core.Security;

/// <summary>Refuses sign-in for disabled accounts; Identity asks this before every password sign-in.</summary>
internal sealed class DisabledUserConfirmation : IUserConfirmation<AppUser>
{
    public Task<bool> IsConfirmedAsync(UserManager<AppUser> manager, AppUser user) => Task.FromResult(!user.IsDisabled);
}
