using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Security;

/// <summary>
/// Password sign-in for the pages, with a code from an authenticator app as a second step: Identity's sign-in manager over
/// the users Core keeps, each outcome in the identity activity.
/// </summary>
internal static partial class PortalSignIn
{
    /// <summary>The claim Identity gives a sign-in that passed the second step ("amr", authentication methods, as in OpenID Connect).</summary>
    public static Claim SecondFactorClaim => new("amr", "mfa");

    public static IServiceCollection AddPortalSignIn(this IServiceCollection services)
    {
        // "Confirmed" is answered by DisabledUserConfirmation: a disabled account cannot sign in.
        services.Configure<IdentityOptions>(options => options.SignIn.RequireConfirmedAccount = true);
        new IdentityBuilder(typeof(AppUser), typeof(IdentityRole), services)
            .AddSignInManager<RecordingSignInManager>()
            .AddUserConfirmation<DisabledUserConfirmation>();

        // The cookie's principal is made anew at each security stamp check: it keeps how the session signed in, or a session
        // that passed the second step (or signed in with the company provider) would be taken for one that did not a minute later.
        services.Configure<SecurityStampValidatorOptions>(options => options.OnRefreshingPrincipal = context =>
        {
            foreach (var kept in new[] { SecondFactorClaim.Type, ClaimTypes.AuthenticationMethod })
            {
                if (context.CurrentPrincipal?.FindFirst(kept) is { } claim && context.NewPrincipal?.Identity is ClaimsIdentity identity
                    && !identity.HasClaim(claim.Type, claim.Value))
                {
                    identity.AddClaim(new Claim(claim.Type, claim.Value));
                }
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

    /// <summary>
    /// Records each password sign-in: success, failure (with why) and the lock-out a failure sets off, with the address it came
    /// from. A sign-in needs no write of its own, so it still works while the database cannot be written; its event is then
    /// logged instead of kept.
    /// </summary>
    private sealed class RecordingSignInManager(
        UserManager<AppUser> userManager,
        IHttpContextAccessor contextAccessor,
        IUserClaimsPrincipalFactory<AppUser> claimsFactory,
        IOptions<IdentityOptions> optionsAccessor,
        ILogger<SignInManager<AppUser>> logger,
        IAuthenticationSchemeProvider schemes,
        IUserConfirmation<AppUser> confirmation,
        IdentityAudit audit,
        IOptions<AccountOptions> accounts)
        : SignInManager<AppUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
    {
        public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
        {
            if (!accounts.Value.LocalSignIn)
            {
                await RecordAsync([Event(IdentityEventKind.SignInFailed, userName, null, "Refused: password sign-in is off; only the company provider signs in.")]);
                return SignInResult.NotAllowed;
            }

            if (await UserManager.FindByNameAsync(userName) is { } user)
            {
                return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
            }

            await RecordAsync([Event(IdentityEventKind.SignInFailed, userName, null, "Refused: no account has this e-mail.")]);
            return SignInResult.Failed;
        }

        public override async Task<SignInResult> PasswordSignInAsync(AppUser user, string password, bool isPersistent, bool lockoutOnFailure)
        {
            if (!accounts.Value.LocalSignIn)
            {
                return await PasswordSignInAsync(user.UserName ?? user.Id, password, isPersistent, lockoutOnFailure);
            }

            var wasLockedOut = await UserManager.IsLockedOutAsync(user);
            var result = await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
            await RecordAsync(Events(user, result, wasLockedOut));
            return result;
        }

        /// <summary>The code step, recorded as the password step is; Identity knows its user from the password step's cookie.</summary>
        public override Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient) =>
            RecordSecondStepAsync(() => base.TwoFactorAuthenticatorSignInAsync(code, isPersistent, rememberClient), "authenticator code");

        public override Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode) =>
            RecordSecondStepAsync(() => base.TwoFactorRecoveryCodeSignInAsync(recoveryCode), "recovery code");

        private async Task<SignInResult> RecordSecondStepAsync(Func<Task<SignInResult>> signIn, string code)
        {
            var user = await GetTwoFactorAuthenticationUserAsync();
            var wasLockedOut = user is not null && await UserManager.IsLockedOutAsync(user);
            var result = await signIn();
            if (user is not null)
            {
                await RecordAsync(Events(user, result, wasLockedOut, $"a password and a{(code[0] == 'a' ? "n" : "")} {code}", code));
            }

            return result;
        }

        /// <param name="signedInWith">What a successful sign-in proved, as the event says it.</param>
        /// <param name="wrong">What a failure got wrong, as the event says it.</param>
        private IEnumerable<IdentityEvent> Events(AppUser user, SignInResult result, bool wasLockedOut, string signedInWith = "a password", string wrong = "password")
        {
            var name = user.Email ?? user.UserName ?? user.Id;
            var lockedUntil = user.LockoutEnd?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            if (result.Succeeded)
            {
                yield return Event(IdentityEventKind.SignInSucceeded, name, user, $"Signed in with {signedInWith}.", actorId: user.Id);
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
                yield return Event(IdentityEventKind.SignInFailed, name, user, $"Wrong {wrong}.");
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

        private Task RecordAsync(IEnumerable<IdentityEvent> events) => audit.RecordSignInAsync(events, Context.RequestAborted);
    }
}
