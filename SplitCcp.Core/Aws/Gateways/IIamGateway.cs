namespace SplitCcp.Core.Aws.Gateways;

/// <summary>A customer-managed IAM policy (GetPolicy).</summary>
public sealed record IamPolicy(string Arn, string Name, string DefaultVersionId);

/// <summary>A policy version (ListPolicyVersions); <see cref="Document"/> is filled by GetPolicyVersion only, URL-decoded JSON.</summary>
public sealed record IamPolicyVersion(string VersionId, bool IsDefault, DateTimeOffset CreatedAt, string? Document);

/// <summary>An IAM role (GetRole), its trust policy URL-decoded JSON.</summary>
public sealed record IamRole(string Arn, string Name, string TrustPolicy);

/// <summary>IAM (Query protocol, global, signed for us-east-1). Reads return null on NoSuchEntity.</summary>
public interface IIamGateway
{
    /// <summary>GetSAMLProvider: the provider's metadata document, or null when it does not exist.</summary>
    Task<string?> GetSamlProviderMetadataAsync(string providerArn, CancellationToken ct);

    /// <summary>CreateSAMLProvider; returns its ARN.</summary>
    Task<string> CreateSamlProviderAsync(string name, string metadataDocument, CancellationToken ct);

    Task UpdateSamlProviderAsync(string providerArn, string metadataDocument, CancellationToken ct);

    Task<IamPolicy?> GetPolicyAsync(string policyArn, CancellationToken ct);

    Task<IamPolicyVersion?> GetPolicyVersionAsync(string policyArn, string versionId, CancellationToken ct);

    Task<IReadOnlyList<IamPolicyVersion>> ListPolicyVersionsAsync(string policyArn, CancellationToken ct);

    /// <summary>CreatePolicy; returns its ARN.</summary>
    Task<string> CreatePolicyAsync(string name, string document, CancellationToken ct);

    /// <summary>CreatePolicyVersion with SetAsDefault; AWS refuses a sixth version with LimitExceeded, so delete the oldest non-default first.</summary>
    Task<string> CreatePolicyVersionAsync(string policyArn, string document, bool setAsDefault, CancellationToken ct);

    Task DeletePolicyVersionAsync(string policyArn, string versionId, CancellationToken ct);

    Task<IamRole?> GetRoleAsync(string roleName, CancellationToken ct);

    /// <summary>CreateRole; returns its ARN.</summary>
    Task<string> CreateRoleAsync(string roleName, string trustPolicy, CancellationToken ct);

    Task UpdateAssumeRolePolicyAsync(string roleName, string trustPolicy, CancellationToken ct);

    /// <summary>ListAttachedRolePolicies, all pages: the attached policies' ARNs.</summary>
    Task<IReadOnlyList<string>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken ct);

    Task AttachRolePolicyAsync(string roleName, string policyArn, CancellationToken ct);
}
