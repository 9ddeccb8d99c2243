namespace SplitCcp.Core.Aws.Gateways;

public sealed record IdentityCenterInstance(string InstanceArn, string IdentityStoreId);

/// <summary>An Identity Center application (DescribeApplication). Status: ENABLED or DISABLED.</summary>
public sealed record IdentityCenterApplication(string ApplicationArn, string Name, string Status, string InstanceArn)
{
    public bool Enabled => Status == "ENABLED";
}

/// <summary>PrincipalType: USER or GROUP.</summary>
public sealed record ApplicationAssignment(string PrincipalId, string PrincipalType);

/// <summary>
/// IAM Identity Center: SSO Admin (JSON 1.1, target SWBExternalService) and the Identity Store lookups it needs
/// (JSON 1.1, target AWSIdentityStore) to turn user and group names into principal IDs. Reads return null on ResourceNotFoundException.
/// </summary>
public interface IIdentityCenterGateway
{
    Task<IReadOnlyList<IdentityCenterInstance>> ListInstancesAsync(CancellationToken ct);

    Task<IdentityCenterApplication?> DescribeApplicationAsync(string applicationArn, CancellationToken ct);

    /// <summary>ListApplicationAssignments, all pages.</summary>
    Task<IReadOnlyList<ApplicationAssignment>> ListApplicationAssignmentsAsync(string applicationArn, CancellationToken ct);

    Task CreateApplicationAssignmentAsync(string applicationArn, string principalId, string principalType, CancellationToken ct);

    /// <summary>identitystore:GetUserId by the userName attribute; null when there is no such user.</summary>
    Task<string?> FindUserIdAsync(string identityStoreId, string userName, CancellationToken ct);

    /// <summary>identitystore:GetGroupId by the displayName attribute; null when there is no such group.</summary>
    Task<string?> FindGroupIdAsync(string identityStoreId, string displayName, CancellationToken ct);

    /// <summary>identitystore:IsMemberInGroups: which of <paramref name="groupIds"/> the user belongs to (AWS takes 100 groups a call).</summary>
    Task<IReadOnlyList<string>> GroupsOfMemberAsync(string identityStoreId, string userId, IReadOnlyList<string> groupIds, CancellationToken ct);

    /// <summary>
    /// The application's SAML metadata document from its metadata URL (https://portal.sso.&lt;region&gt;.amazonaws.com/saml/metadata/…).
    /// Not an SSO Admin API (there is none): a plain HTTPS GET, which a simulated account answers itself. Null when the URL answers 404.
    /// </summary>
    Task<string?> GetSamlMetadataAsync(string metadataUrl, CancellationToken ct);
}
