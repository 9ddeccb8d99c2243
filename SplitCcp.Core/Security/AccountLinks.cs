using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Mail;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <summary>What a link that sets a password is for.</summary>
public enum PasswordLinkKind
{
    /// <summary>A new account's first password; the account has none until the invitee chooses it.</summary>
    Invitation,

    /// <summary>A new password for an account that has one.</summary>
    PasswordReset,
}

/// <summary>
/// A link that sets a password once, as issued: mailed to its owner, or, when no mail could be sent, in <see cref="Link"/>
/// (relative to the portal) for the operator who asked for it to hand over. It is never stored nor shown again.
/// </summary>
public sealed record PasswordLink(PasswordLinkKind Kind, string Email, string? Link, bool Mailed, DateTimeOffset ExpiresAt, string? MailError);

/// <summary>The outcome of setting a password through a link.</summary>
public abstract record PasswordSetResult
{
    private PasswordSetResult()
    {
    }

    public sealed record Changed : PasswordSetResult;

    /// <summary>Expired, used, replaced by a newer one, for a disabled account, or never issued: the page says the same for each.</summary>
    public sealed record LinkInvalid : PasswordSetResult;

    public sealed record Invalid(IReadOnlyList<string> Errors) : PasswordSetResult;
}

/// <summary>
/// Invitation and password reset links: Identity's data-protected tokens, bound to the account's security stamp, so a link
/// stops working once it has set a password (that changes the stamp) or its lifetime has passed.
/// </summary>
public sealed partial class AccountLinks(
    IServiceScopeFactory scopes, IMailSender mail, IOptions<AccountOptions> options, TimeProvider time, IdentityAudit audit, ILogger<AccountLinks> logger)
{
    public const string InvitationPath = "account/invitation";
    public const string ResetPath = "account/reset-password";
    private const string InvitationPurpose = "Invitation";

    /// <summary>Issues a link for <paramref name="user"/> and mails it if mail can be sent; an invitation voids the ones issued before.</summary>
    internal async Task<PasswordLink> IssueAsync(UserManager<AppUser> users, AppUser user, PasswordLinkKind kind, CancellationToken ct)
    {
        string token;
        if (kind == PasswordLinkKind.Invitation)
        {
            // Nobody is signed in as an invitee, so a new stamp ends no session; it leaves only the latest invitation working.
            await users.UpdateSecurityStampAsync(user);
            token = await users.GenerateUserTokenAsync(user, InvitationTokenProvider.ProviderName, InvitationPurpose);
        }
        else
        {
            token = await users.GeneratePasswordResetTokenAsync(user);
        }

        var settings = options.Value;
        var expires = time.GetUtcNow() + (kind == PasswordLinkKind.Invitation ? settings.InvitationLifetime : settings.PasswordResetLifetime);
        var path = $"{(kind == PasswordLinkKind.Invitation ? InvitationPath : ResetPath)}?user={Uri.EscapeDataString(user.Id)}&token={Uri.EscapeDataString(token)}";
        if (!mail.CanSend)
        {
            return new PasswordLink(kind, user.Email!, path, Mailed: false, expires, MailError: null);
        }

        try
        {
            await mail.SendAsync(Compose(kind, user.Email!, new Uri(mail.PortalUrl!, path), expires), ct);
            return new PasswordLink(kind, user.Email!, Link: null, Mailed: true, expires, MailError: null);
        }
        catch (MailNotSentException ex)
        {
            return new PasswordLink(kind, user.Email!, path, Mailed: false, expires, ex.Message);
        }
    }

    /// <summary>
    /// "Forgot password": mails a reset link to the account with this address, if there is one and it is enabled; true when
    /// a link was mailed. The sign-in page queues it with <see cref="PasswordResetMailer"/>, so the caller learns nothing,
    /// not even from how long it took, and the form cannot tell who has an account.
    /// </summary>
    internal async Task<bool> SendPasswordResetAsync(string? email, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(email) || !mail.CanSend)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (await users.FindByEmailAsync(email.Trim()) is not { IsDisabled: false } user)
        {
            return false;
        }

        return (await IssueAsync(users, user, PasswordLinkKind.PasswordReset, ct)).Mailed;
    }

    /// <summary>Whether the link would still set a password, for the page that opens it.</summary>
    public async Task<bool> IsValidAsync(PasswordLinkKind kind, string? userId, string? token)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return await FindUsableAsync(users, kind, userId, token) is not null;
    }

    /// <summary>Sets the password the link is for; the link stops working then. Recorded in the identity activity with the address it came from.</summary>
    public async Task<PasswordSetResult> SetPasswordAsync(PasswordLinkKind kind, string? userId, string? token, string password, string? remoteAddress = null)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (await FindUsableAsync(users, kind, userId, token) is not { } user)
        {
            return new PasswordSetResult.LinkInvalid();
        }

        // Both change the security stamp, which the link is bound to: it cannot set a password twice.
        var result = kind == PasswordLinkKind.Invitation
            ? await users.AddPasswordAsync(user, password)
            : await users.ResetPasswordAsync(user, token!, password);
        if (result.Succeeded)
        {
            LogPasswordSet(logger, kind, user.Id);
            await audit.RecordAsync([audit.Entry(IdentityEventKind.PasswordChanged, new IdentityActor(user.Id, user.Email!, remoteAddress), user.Id, user.Email,
                kind == PasswordLinkKind.Invitation ? "Accepted the invitation: chose a first password." : "Chose a new password with a reset link.")]);
            return new PasswordSetResult.Changed();
        }

        return result.Errors.All(e => e.Code.StartsWith("Password", StringComparison.Ordinal))
            ? new PasswordSetResult.Invalid(result.Errors.Select(e => e.Description).ToList())
            : new PasswordSetResult.LinkInvalid();
    }

    private static async Task<AppUser?> FindUsableAsync(UserManager<AppUser> users, PasswordLinkKind kind, string? userId, string? token)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(token) || await users.FindByIdAsync(userId) is not { IsDisabled: false } user)
        {
            return null;
        }

        var valid = kind == PasswordLinkKind.Invitation
            ? !await users.HasPasswordAsync(user) && await users.VerifyUserTokenAsync(user, InvitationTokenProvider.ProviderName, InvitationPurpose, token)
            : await users.VerifyUserTokenAsync(user, users.Options.Tokens.PasswordResetTokenProvider, UserManager<AppUser>.ResetPasswordTokenPurpose, token);
        return valid ? user : null;
    }

    private static OutgoingMail Compose(PasswordLinkKind kind, string email, Uri link, DateTimeOffset expires)
    {
        var until = expires.ToString("d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);
        return kind == PasswordLinkKind.Invitation
            ? new OutgoingMail(email, "Your SplitCcp account",
                $"""
                An account on SplitCcp, the portal that sets up and watches the split CCP, has been made for {email}.

                Choose your password here. The link works once, until {until}:

                {link}

                If you did not expect this mail, ignore it: nobody can use the account until a password is chosen.
                """)
            : new OutgoingMail(email, "Reset your SplitCcp password",
                $"""
                Someone asked to reset the password of {email} on SplitCcp.

                Choose a new password here. The link works once, until {until}:

                {link}

                If it was not you, ignore this mail: your password stays as it is.
                """);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Kind} link set the password of user {UserId}.")]
    private static partial void LogPasswordSet(ILogger logger, PasswordLinkKind kind, string userId);
}
