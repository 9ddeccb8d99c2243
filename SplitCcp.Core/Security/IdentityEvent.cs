using System.Text.Json.Serialization;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <summary>What happened to an account or its access, as the identity activity records it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IdentityEventKind>))]
public enum IdentityEventKind
{
    SignInSucceeded,

    /// <summary>A wrong password, an unknown e-mail, or an account that may not sign in (disabled, locked).</summary>
    SignInFailed,

    /// <summary>Too many failed sign-ins: the account is locked for a while.</summary>
    LockedOut,

    UserCreated,
    RoleChanged,

    /// <summary>A TenantAdmin's or Viewer's tenants were changed.</summary>
    TenantsChanged,

    UserDisabled,
    UserEnabled,
    TokenIssued,
    TokenRevoked,

    /// <summary>A password chosen with an invitation or reset link, or changed by its owner.</summary>
    PasswordChanged,

    MfaEnabled,

    /// <summary>Turned off by its owner, or by an MSP operator for a user who lost their authenticator app.</summary>
    MfaDisabled,
}

/// <summary>
/// One identity event: who acted, whose account it concerns, when and from which address. Kept apart from a tenant's
/// <see cref="AuditEntry"/>, since accounts belong to the whole portal, not to one tenant.
/// </summary>
public sealed class IdentityEvent
{
    /// <summary>The length of the actor and subject columns: an e-mail address, as Identity keeps it.</summary>
    public const int NameMaxLength = 256;

    /// <summary>Room for an IPv6 address with a zone.</summary>
    public const int AddressMaxLength = 64;

    public long Id { get; set; }

    public DateTime At { get; set; }

    public IdentityEventKind Kind { get; set; }

    /// <summary>The user who acted; null for the portal itself, a first-run setup, or a sign-in with an e-mail no account has.</summary>
    public string? ActorId { get; set; }

    /// <summary>Who acted, as <see cref="AuditLog.ActorOf"/> names them, or the e-mail typed at a sign-in.</summary>
    public string Actor { get; set => field = value.Clip(NameMaxLength); } = "";

    /// <summary>The user the event concerns, when there is one.</summary>
    public string? SubjectId { get; set; }

    /// <summary>The e-mail of the account the event concerns, as it was then.</summary>
    public string? Subject { get; set => field = value.Clip(NameMaxLength); }

    /// <summary>The address the request came from (the client's, behind a known proxy); null when no request made it.</summary>
    public string? RemoteAddress { get; set => field = value.Clip(AddressMaxLength); }

    /// <summary>What happened, in a sentence; clipped to the column.</summary>
    public string Summary { get; set => field = value.Clip(); } = "";
}
