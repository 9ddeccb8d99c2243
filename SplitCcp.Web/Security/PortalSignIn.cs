using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Security;

/// <summary>Password sign-in for the pages: Identity's sign-in manager over the users Core keeps, each outcome in the identity activity.</summary>
internal static partial class PortalSignIn
{
    public static IServiceCollection AddPortalSignIn(this IServiceCollection services)
    {
        // "Confirmed" is answered by DisabledUserConfirmation: a disabled account cannot sign in.
        services.Configure<IdentityOptions>(options => options.SignIn.RequireConfirmedAccount = true);
        new IdentityBuilder(typeof(AppUser), typeof(IdentityRole), services)
            .AddSignInManager<RecordingSignInManager>()
            .AddUserConfirmation<DisabledUserConfirmation>();
        return services;
    }

    /// <summary>Refuses sign-in for disabled accounts; Identity asks this before every password sign-in.</summary>
    private sealed class DisabledUserConfirmation : IUserConfirmation<AppUser>
    {
        public Task<bool> IsConfirmedAsync(UserManager<AppUser> manager, AppUser user) => Task.FromResult(!user.IsDisabled);
    }

    /// <summary>
    /// Records each password sign-in: success, failure (with why) and the lock-out a failure sets off, with the address it came
    /// from. A sign-in needs no write of its own, so it still works while the database cannot be written; its event is then
    /// logged instead of kept.
    /// </summary>
    private sealed partial class RecordingSignInManager(
        UserManager<AppUser> userManager,
        IHttpContextAccessor contextAccessor,
        IUserClaimsPrincipalFactory<AppUser> claimsFactory,
        IOptions<IdentityOptions> optionsAccessor,
        ILogger<SignInManager<AppUser>> logger,
        IAuthenticationSchemeProvider schemes,
        IUserConfirmation<AppUser> confirmation,
        IdentityAudit audit)
        : SignInManager<AppUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
    {
        public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
        {
            if (await UserManager.FindByNameAsync(userName) is { } user)
            {
                return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
            }

            await RecordAsync([Event(IdentityEventKind.SignInFailed, userName, null, "Refused: no account has this e-mail.")]);
            return SignInResult.Failed;
        }

        public override async Task<SignInResult> PasswordSignInAsync(AppUser user, string password, bool isPersistent, bool lockoutOnFailure)
        {
            var wasLockedOut = await UserManager.IsLockedOutAsync(user);
            var result = await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
            await RecordAsync(Events(user, result, wasLockedOut));
            return result;
        }

        private IEnumerable<IdentityEvent> Events(AppUser user, SignInResult result, bool wasLockedOut)
        {
            var name = user.Email ?? user.UserName ?? user.Id;
            var lockedUntil = user.LockoutEnd?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            if (result.Succeeded)
            {
                yield return Event(IdentityEventKind.SignInSucceeded, name, user, "Signed in with a password.", actorId: user.Id);
            }
            else if (result.IsNotAllowed)
            {
                yield return Event(IdentityEventKind.SignInFailed, name, user, "Refused: the account is disabled.");
            }
            else if (result.IsLockedOut && wasLockedOut)
            {
                yield return Event(IdentityEventKind.SignInFailed, name, user, $"Refused: the account is locked until {lockedUntil}.");
            }
            else if (!result.RequiresTwoFactor)
            {
                yield return Event(IdentityEventKind.SignInFailed, name, user, "Wrong password.");
                if (result.IsLockedOut)
                {
                    yield return Event(IdentityEventKind.LockedOut, name, user,
                        $"Locked until {lockedUntil} after {Options.Lockout.MaxFailedAccessAttempts} failed sign-ins in a row.");
                }
            }
        }

        /// <summary>The actor is whoever typed the e-mail, known as the account's user only once the password proved it.</summary>
        private IdentityEvent Event(IdentityEventKind kind, string typed, AppUser? user, string summary, string? actorId = null) =>
            audit.Entry(kind, new IdentityActor(actorId, typed, RemoteAddress.Of(Context)), user?.Id, user?.Email, summary);

        private async Task RecordAsync(IEnumerable<IdentityEvent> events)
        {
            try
            {
                await audit.RecordAsync(events, Context.RequestAborted);
            }
            catch (Exception ex) when (StorageFault.From(ex) is { } fault)
            {
                LogNotRecorded(Logger, fault.Cause);
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "A sign-in could not be recorded in the identity activity: the database cannot be written ({Cause}).")]
        private static partial void LogNotRecorded(ILogger logger, string cause);
    }
}
