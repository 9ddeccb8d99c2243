using System.Globalization;
using System.Xml.Linq;
using SplitCcp.Core.Aws.Signed;

namespace SplitCcp.Core.Aws.Gateways;

/// <summary>IAM over the Query protocol through the signed client. Swap for AWSSDK.IdentityManagement here once it can be restored.</summary>
public sealed class IamGateway(AwsSignedClient client, IAwsCaller caller) : IIamGateway
{
    /// <summary>AWS keeps at most this many versions of a managed policy.</summary>
    public const int MaxPolicyVersions = 5;

    private readonly AwsQuery _api = new(client, caller, AwsSignedService.Iam, "2010-05-08");

    public Task<string?> GetSamlProviderMetadataAsync(string providerArn, CancellationToken ct) =>
        _api.CallAsync(IamOperations.GetSamlProvider, providerArn, [("SAMLProviderArn", providerArn)], ct)
            .OrNullIfNotFound(result => result.Text("SAMLMetadataDocument"));

    public async Task<string> CreateSamlProviderAsync(string name, string metadataDocument, CancellationToken ct) =>
        (await _api.CallAsync(IamOperations.CreateSamlProvider, $"SAML provider {name}", [("Name", name), ("SAMLMetadataDocument", metadataDocument)], ct))
            .Required("SAMLProviderArn");

    public Task UpdateSamlProviderAsync(string providerArn, string metadataDocument, CancellationToken ct) =>
        _api.CallAsync(IamOperations.UpdateSamlProvider, providerArn, [("SAMLProviderArn", providerArn), ("SAMLMetadataDocument", metadataDocument)], ct);

    public Task<IamPolicy?> GetPolicyAsync(string policyArn, CancellationToken ct) =>
        _api.CallAsync(IamOperations.GetPolicy, policyArn, [("PolicyArn", policyArn)], ct)
            .OrNullIfNotFound(result => result.Child("Policy") is { } policy
                ? new IamPolicy(policy.Required("Arn"), policy.Required("PolicyName"), policy.Text("DefaultVersionId") ?? "")
                : null);

    public Task<IamPolicyVersion?> GetPolicyVersionAsync(string policyArn, string versionId, CancellationToken ct) =>
        _api.CallAsync(IamOperations.GetPolicyVersion, $"{policyArn} version {versionId}", [("PolicyArn", policyArn), ("VersionId", versionId)], ct)
            .OrNullIfNotFound(result => result.Child("PolicyVersion") is { } version ? ToVersion(version) : null);

    /// <summary>The versions without their documents, as AWS lists them (moto adds them; nothing here may rely on that).</summary>
    public Task<IReadOnlyList<IamPolicyVersion>> ListPolicyVersionsAsync(string policyArn, CancellationToken ct) =>
        AllPagesAsync(IamOperations.ListPolicyVersions, policyArn, [("PolicyArn", policyArn)], "Versions", v => ToVersion(v) with { Document = null }, ct);

    public async Task<string> CreatePolicyAsync(string name, string document, CancellationToken ct) =>
        (await _api.CallAsync(IamOperations.CreatePolicy, $"policy {name}", [("PolicyName", name), ("PolicyDocument", document)], ct))
            .Required("Policy", "Arn");

    public async Task<string> CreatePolicyVersionAsync(string policyArn, string document, bool setAsDefault, CancellationToken ct)
    {
        // AWS refuses a sixth version (LimitExceeded): make room by deleting the oldest version that is not the default.
        var versions = await ListPolicyVersionsAsync(policyArn, ct);
        var oldest = versions.Where(v => !v.IsDefault).OrderBy(v => v.CreatedAt).ThenBy(v => VersionNumber(v.VersionId)).FirstOrDefault();
        if (versions.Count >= MaxPolicyVersions && oldest is not null)
        {
            await DeletePolicyVersionAsync(policyArn, oldest.VersionId, ct);
        }

        var result = await _api.CallAsync(IamOperations.CreatePolicyVersion, policyArn,
            [("PolicyArn", policyArn), ("PolicyDocument", document), ("SetAsDefault", setAsDefault ? "true" : "false")], ct);
        return result.Required("PolicyVersion", "VersionId");
    }

    public Task DeletePolicyVersionAsync(string policyArn, string versionId, CancellationToken ct) =>
        _api.CallAsync(IamOperations.DeletePolicyVersion, $"{policyArn} version {versionId}", [("PolicyArn", policyArn), ("VersionId", versionId)], ct);

    public Task<IamRole?> GetRoleAsync(string roleName, CancellationToken ct) =>
        _api.CallAsync(IamOperations.GetRole, Role(roleName), [("RoleName", roleName)], ct)
            .OrNullIfNotFound(result => result.Child("Role") is { } role
                ? new IamRole(role.Required("Arn"), role.Required("RoleName"), Decode(role.Text("AssumeRolePolicyDocument")))
                : null);

    public async Task<string> CreateRoleAsync(string roleName, string trustPolicy, CancellationToken ct) =>
        (await _api.CallAsync(IamOperations.CreateRole, Role(roleName), [("RoleName", roleName), ("AssumeRolePolicyDocument", trustPolicy)], ct))
            .Required("Role", "Arn");

    public Task UpdateAssumeRolePolicyAsync(string roleName, string trustPolicy, CancellationToken ct) =>
        _api.CallAsync(IamOperations.UpdateAssumeRolePolicy, Role(roleName), [("RoleName", roleName), ("PolicyDocument", trustPolicy)], ct);

    public Task<IReadOnlyList<string>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken ct) =>
        AllPagesAsync(IamOperations.ListAttachedRolePolicies, Role(roleName), [("RoleName", roleName)], "AttachedPolicies", p => p.Required("PolicyArn"), ct);

    public Task AttachRolePolicyAsync(string roleName, string policyArn, CancellationToken ct) =>
        _api.CallAsync(IamOperations.AttachRolePolicy, Role(roleName), [("RoleName", roleName), ("PolicyArn", policyArn)], ct);

    /// <summary>Every page of an IAM listing: IsTruncated and Marker.</summary>
    private Task<IReadOnlyList<T>> AllPagesAsync<T>(
        AwsOperation operation, string resource, (string, string?)[] parameters, string listName, Func<XElement, T> read, CancellationToken ct) =>
        AwsPaging.AllAsync(async marker =>
        {
            var result = await _api.CallAsync(operation, resource, [.. parameters, ("Marker", marker)], ct);
            return (result.Items(listName).Select(read), result.Flag("IsTruncated") ? result.Text("Marker") : null);
        });

    private static IamPolicyVersion ToVersion(XElement version) => new(
        version.Required("VersionId"),
        version.Flag("IsDefaultVersion"),
        DateTimeOffset.Parse(version.Required("CreateDate"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        version.Text("Document") is { } document ? Decode(document) : null);

    /// <summary>"v12" → 12: versions made within the same second are told apart by their number.</summary>
    private static int VersionNumber(string versionId) =>
        int.TryParse(versionId.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : int.MaxValue;

    /// <summary>IAM returns policy documents URL-encoded (RFC 3986).</summary>
    private static string Decode(string? document) => document is null ? "" : Uri.UnescapeDataString(document);

    private static string Role(string roleName) => $"role {roleName}";
}
