using System.Text;
using System.Text.Json.Nodes;
using SplitCcp.Core.Aws.Signed;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Aws.Gateways;

/// <summary>
/// IAM Identity Center over AWS JSON 1.1 through the signed client: SSO Admin (SWBExternalService) and Identity Store
/// (AWSIdentityStore). Swap for AWSSDK.SSOAdmin / AWSSDK.IdentityStore here once they can be restored.
/// </summary>
public sealed class IdentityCenterGateway(AwsSignedClient client, IAwsCaller caller) : IIdentityCenterGateway
{
    public const string SsoAdminTargetPrefix = "SWBExternalService";
    public const string IdentityStoreTargetPrefix = "AWSIdentityStore";

    /// <summary>IsMemberInGroups takes at most 100 group IDs.</summary>
    public const int MaxGroupsPerMembershipCall = 100;

    private readonly AwsJsonRpc _ssoAdmin = new(client, caller, AwsSignedService.SsoAdmin, SsoAdminTargetPrefix);
    private readonly AwsJsonRpc _identityStore = new(client, caller, AwsSignedService.IdentityStore, IdentityStoreTargetPrefix);

    public Task<IReadOnlyList<IdentityCenterInstance>> ListInstancesAsync(CancellationToken ct) =>
        AwsPaging.AllAsync(async token =>
        {
            var page = await _ssoAdmin.CallAsync(IdentityCenterOperations.ListInstances, null, new JsonObject { ["NextToken"] = token }, ct);
            return (page.Items("Instances").Select(i => new IdentityCenterInstance(i.Required("InstanceArn"), i.Required("IdentityStoreId"))), page.Str("NextToken"));
        });

    public Task<IdentityCenterApplication?> DescribeApplicationAsync(string applicationArn, CancellationToken ct) =>
        _ssoAdmin.CallAsync(IdentityCenterOperations.DescribeApplication, applicationArn, new JsonObject { ["ApplicationArn"] = applicationArn }, ct)
            .OrNullIfNotFound(a => new IdentityCenterApplication(a.Str("ApplicationArn") ?? applicationArn, a.Str("Name") ?? "", a.Str("Status") ?? "", a.Str("InstanceArn") ?? ""));

    public Task<IReadOnlyList<ApplicationAssignment>> ListApplicationAssignmentsAsync(string applicationArn, CancellationToken ct) =>
        AwsPaging.AllAsync(async token =>
        {
            var page = await _ssoAdmin.CallAsync(IdentityCenterOperations.ListApplicationAssignments, applicationArn,
                new JsonObject { ["ApplicationArn"] = applicationArn, ["NextToken"] = token }, ct);
            return (page.Items("ApplicationAssignments").Select(a => new ApplicationAssignment(a.Required("PrincipalId"), a.Required("PrincipalType"))), page.Str("NextToken"));
        });

    public Task CreateApplicationAssignmentAsync(string applicationArn, string principalId, string principalType, CancellationToken ct) =>
        _ssoAdmin.CallAsync(IdentityCenterOperations.CreateApplicationAssignment, applicationArn, new JsonObject
        {
            ["ApplicationArn"] = applicationArn,
            ["PrincipalId"] = principalId,
            ["PrincipalType"] = principalType,
        }, ct);

    // The attribute paths are case-sensitive: AWS accepts userName (or emails.value) for a user and displayName for a group.
    public Task<string?> FindUserIdAsync(string identityStoreId, string userName, CancellationToken ct) =>
        FindIdAsync(IdentityCenterOperations.GetUserId, $"user {userName}", identityStoreId, "userName", userName, "UserId", ct);

    public Task<string?> FindGroupIdAsync(string identityStoreId, string displayName, CancellationToken ct) =>
        FindIdAsync(IdentityCenterOperations.GetGroupId, $"group {displayName}", identityStoreId, "displayName", displayName, "GroupId", ct);

    public async Task<IReadOnlyList<string>> GroupsOfMemberAsync(string identityStoreId, string userId, IReadOnlyList<string> groupIds, CancellationToken ct)
    {
        List<string> member = [];
        foreach (var chunk in groupIds.Chunk(MaxGroupsPerMembershipCall))
        {
            var answer = await _identityStore.CallAsync(IdentityCenterOperations.IsMemberInGroups, $"user {userId}", new JsonObject
            {
                ["IdentityStoreId"] = identityStoreId,
                ["MemberId"] = new JsonObject { ["UserId"] = userId },
                ["GroupIds"] = new JsonArray([.. chunk.Select(id => JsonValue.Create(id))]),
            }, ct);
            member.AddRange(answer.Items("Results").Where(r => r.Member("MembershipExists")?.ValueKind == System.Text.Json.JsonValueKind.True).Select(r => r.Required("GroupId")));
        }

        return member;
    }

    public Task<string?> GetSamlMetadataAsync(string metadataUrl, CancellationToken ct)
    {
        var uri = CheckMetadataUrl(metadataUrl);
        return caller.CallAsync(IdentityCenterOperations.GetSamlMetadata, metadataUrl, token => client.GetPublicAsync(uri, IdentityCenterOperations.GetSamlMetadata, metadataUrl, token), ct)
            .OrNullIfNotFound(body => Encoding.UTF8.GetString(body));
    }

    /// <summary>
    /// The metadata URL as a URI, if it points at Identity Center's portal (in whichever region Identity Center lives), or
    /// at the endpoint override for emulators: the spec's rule reads it the same way. Anything else is refused before a
    /// request is made, so a pasted URL cannot aim the portal at another host.
    /// </summary>
    internal Uri CheckMetadataUrl(string metadataUrl) =>
        IdentityCenterMetadataUrl.Parse(metadataUrl, client.EndpointOverride)
            ?? throw new AwsCallException(new AwsFailure(AwsFailureKind.InvalidInput, AwsServices.IdentityCenter, "GetSamlMetadata", "the SAML metadata URL",
                $"The SAML metadata URL must be the one Identity Center shows for the application, {IdentityCenterMetadataUrl.Example(client.EndpointOverride)} (got '{metadataUrl}'). Copy it again in the setup's Identity Center step."));

    private Task<string?> FindIdAsync(
        AwsOperation operation, string resource, string identityStoreId, string attributePath, string value, string idName, CancellationToken ct) =>
        _identityStore.CallAsync(operation, resource, new JsonObject
        {
            ["IdentityStoreId"] = identityStoreId,
            ["AlternateIdentifier"] = new JsonObject
            {
                ["UniqueAttribute"] = new JsonObject { ["AttributePath"] = attributePath, ["AttributeValue"] = value },
            },
        }, ct).OrNullIfNotFound(answer => answer.Str(idName));
}
