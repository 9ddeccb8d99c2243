namespace SplitCcp.Core.Aws.Gateways;

/// <summary>An Amazon Connect instance as DescribeInstance / ListInstances report it. Status: CREATION_IN_PROGRESS, ACTIVE, CREATION_FAILED.</summary>
public sealed record ConnectInstance(string Id, string Arn, string Alias, string Status, string IdentityManagementType)
{
    public const string Active = "ACTIVE";
    public const string CreationInProgress = "CREATION_IN_PROGRESS";
    public const string CreationFailed = "CREATION_FAILED";

    public bool UsesSaml => IdentityManagementType == "SAML";
}

/// <summary>A Connect user as ListUsers reports it.</summary>
public sealed record ConnectUserSummary(string Id, string Username);

/// <summary>A Connect user as DescribeUser reports it, with the profiles that decide what calls reach them and what they may do.</summary>
public sealed record ConnectUser(string Id, string Username, string? FirstName, string? LastName)
{
    public string? RoutingProfileId { get; init; }

    /// <summary>A list compares by reference: records with lists are equal only when they hold the same one.</summary>
    public IReadOnlyList<string> SecurityProfileIds { get; init; } = [];
}

/// <summary>An entry of ListRoutingProfiles or ListSecurityProfiles.</summary>
public sealed record ConnectNamedItem(string Id, string Name);

/// <summary>A phone number claimed to the instance as ListPhoneNumbersV2 lists it: with no status, which only DescribePhoneNumber gives. Type: DID or TOLL_FREE.</summary>
public sealed record ConnectPhoneNumberSummary(string Id, string Number, string CountryCode, string Type);

/// <summary>
/// A phone number as DescribePhoneNumber reports it, with the status of its claim: CLAIMED, IN_PROGRESS or FAILED, and for a
/// failed claim AWS's <see cref="StatusMessage"/> saying why.
/// </summary>
public sealed record ConnectPhoneNumber(string Id, string Number, string CountryCode, string Type, string Status, string? StatusMessage)
{
    public const string Claimed = "CLAIMED";
    public const string InProgress = "IN_PROGRESS";
    public const string Failed = "FAILED";
}

/// <summary>Amazon Connect (REST-JSON). Reads return null when AWS answers ResourceNotFoundException.</summary>
public interface IConnectGateway
{
    Task<IReadOnlyList<ConnectInstance>> ListInstancesAsync(CancellationToken ct);

    Task<ConnectInstance?> DescribeInstanceAsync(string instanceId, CancellationToken ct);

    /// <summary>CreateInstance with IdentityManagementType SAML, inbound and outbound calls on. Returns the new instance's ID; it starts CREATION_IN_PROGRESS.</summary>
    Task<string> CreateInstanceAsync(string instanceAlias, CancellationToken ct);

    /// <summary>ListUsers, all pages: IDs and usernames only, one call per thousand users (Connect allows 2 calls a second).</summary>
    Task<IReadOnlyList<ConnectUserSummary>> ListUsersAsync(string instanceId, CancellationToken ct);

    /// <summary>DescribeUser: the user's names; null when there is no such user.</summary>
    Task<ConnectUser?> DescribeUserAsync(string instanceId, string userId, CancellationToken ct);

    Task<IReadOnlyList<ConnectNamedItem>> ListRoutingProfilesAsync(string instanceId, CancellationToken ct);

    Task<IReadOnlyList<ConnectNamedItem>> ListSecurityProfilesAsync(string instanceId, CancellationToken ct);

    /// <summary>CreateUser with no password (SAML instance), PhoneConfig SOFT_PHONE. Returns the user ID.</summary>
    Task<string> CreateUserAsync(string instanceId, string username, string firstName, string lastName, string routingProfileId, IReadOnlyList<string> securityProfileIds, CancellationToken ct);

    Task UpdateUserIdentityInfoAsync(string instanceId, string userId, string firstName, string lastName, CancellationToken ct);

    /// <summary>ListPhoneNumbersV2 for the instance's ARN, all pages: the numbers claimed to it, whatever their claim's status.</summary>
    Task<IReadOnlyList<ConnectPhoneNumberSummary>> ListPhoneNumbersAsync(string instanceArn, CancellationToken ct);

    /// <summary>SearchAvailablePhoneNumbers; type is DID or TOLL_FREE. Returns E.164 numbers.</summary>
    Task<IReadOnlyList<string>> SearchAvailablePhoneNumbersAsync(string instanceArn, string countryCode, string type, int max, CancellationToken ct);

    /// <summary>ClaimPhoneNumber with an idempotency client token. Returns the phone number ID; it starts IN_PROGRESS.</summary>
    Task<string> ClaimPhoneNumberAsync(string instanceArn, string phoneNumber, string clientToken, CancellationToken ct);

    /// <summary>DescribePhoneNumber: the number with its claim's status; null when there is no such number.</summary>
    Task<ConnectPhoneNumber?> DescribePhoneNumberAsync(string phoneNumberId, CancellationToken ct);

    /// <summary>ListApprovedOrigins, all pages: origins such as https://d111.cloudfront.net.</summary>
    Task<IReadOnlyList<string>> ListApprovedOriginsAsync(string instanceId, CancellationToken ct);

    Task AssociateApprovedOriginAsync(string instanceId, string origin, CancellationToken ct);
}
