using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Core.Security;

/// <summary>Password sign-in, invitations, password resets and MFA, from <c>SplitCcp:Accounts</c>.</summary>
public sealed class AccountOptions
{
    public const string SectionName = "SplitCcp:Accounts";

    /// <summary>How long an invitation link sets the invitee's password.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromHours(72);

    /// <summary>How long a password reset link works.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// How often "Forgot password" mails one address at most; more asks in between are dropped, so the form cannot be used
    /// to flood someone's mailbox. Zero: no limit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan PasswordResetInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Every account signs in with an authenticator app: one without is sent to enrol and can do nothing else until it has.</summary>
    public bool RequireMfa { get; set; }

    /// <summary>
    /// Signing in with an e-mail and password. Off, the sign-in page offers only the company provider (<see cref="OidcOptions"/>)
    /// and every password sign-in is refused; the portal does not start so with no provider configured.
    /// </summary>
    public bool LocalSignIn { get; set; } = true;
}
