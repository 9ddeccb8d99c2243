using System.Security.Cryptography;
using System.Text;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// IAM Identity Center in one region as the Sandbox simulates it: the account's one instance and its identity store
/// (seeded), SAML applications (made only through <see cref="SandboxConsole"/>, as in AWS), assignments, and the public
/// metadata URL. As in AWS, the instance lives in its home region: asked in any other, Identity Center has no instance,
/// no applications and no identity store.
/// </summary>
internal sealed class SandboxIdentityCenterGateway(SandboxAwsAccount account, string region) : SandboxGateway(account, region), IIdentityCenterGateway
{
    private const string NotFound = "ResourceNotFoundException";

    public Task<IReadOnlyList<IdentityCenterInstance>> ListInstancesAsync(CancellationToken ct) =>
        CallAsync<IReadOnlyList<IdentityCenterInstance>>(IdentityCenterOperations.ListInstances, null, async s =>
            [.. (await InstancesHereAsync(s)).Select(i => new IdentityCenterInstance(i.InstanceArn, i.IdentityStoreId))], ct);

    public Task<IdentityCenterApplication?> DescribeApplicationAsync(string applicationArn, CancellationToken ct) =>
        CallAsync(IdentityCenterOperations.DescribeApplication, applicationArn, async s =>
            await GetApplicationHereAsync(s, applicationArn) is { } application ? application.ToModel() : null, ct);

    public Task<IReadOnlyList<ApplicationAssignment>> ListApplicationAssignmentsAsync(string applicationArn, CancellationToken ct) =>
        CallAsync<IReadOnlyList<ApplicationAssignment>>(IdentityCenterOperations.ListApplicationAssignments, applicationArn, async s =>
        {
            await RequireApplicationAsync(s, applicationArn);
            return [.. (await s.ListAsync<IdcAssignmentRecord>(SandboxKinds.IdentityCenterAssignment, $"{applicationArn}|")).Select(a => new ApplicationAssignment(a.PrincipalId, a.PrincipalType))];
        }, ct);

    public Task CreateApplicationAssignmentAsync(string applicationArn, string principalId, string principalType, CancellationToken ct) =>
        CallAsync(IdentityCenterOperations.CreateApplicationAssignment, $"{applicationArn}|{principalId}", async s =>
        {
            var application = await RequireApplicationAsync(s, applicationArn);
            if (principalType is not ("USER" or "GROUP"))
            {
                throw s.Fail("ValidationException", $"PrincipalType must be USER or GROUP, not '{principalType}'.");
            }

            var instance = await s.GetAsync<IdcInstanceRecord>(SandboxKinds.IdentityCenterInstance, application.InstanceArn);
            var principals = instance is null ? [] : await s.ListAsync<IdentityStorePrincipalRecord>(SandboxKinds.IdentityStorePrincipal, $"{instance.IdentityStoreId}/");
            if (!principals.Any(p => p.PrincipalId == principalId && p.Type == principalType))
            {
                throw s.Fail(NotFound, $"{principalType} {principalId} does not exist in the instance's identity store.");
            }

            await s.PutAsync(SandboxKinds.IdentityCenterAssignment, $"{applicationArn}|{principalId}", new IdcAssignmentRecord(applicationArn, principalId, principalType));
        }, ct);

    public Task<string?> FindUserIdAsync(string identityStoreId, string userName, CancellationToken ct) =>
        FindPrincipalAsync(IdentityCenterOperations.GetUserId, $"{identityStoreId}/{userName}", ct);

    public Task<string?> FindGroupIdAsync(string identityStoreId, string displayName, CancellationToken ct) =>
        FindPrincipalAsync(IdentityCenterOperations.GetGroupId, $"{identityStoreId}/group/{displayName}", ct);

    /// <summary>A seeded person belongs to the one group named in their record.</summary>
    public Task<IReadOnlyList<string>> GroupsOfMemberAsync(string identityStoreId, string userId, IReadOnlyList<string> groupIds, CancellationToken ct) =>
        CallAsync<IReadOnlyList<string>>(IdentityCenterOperations.IsMemberInGroups, $"{identityStoreId}/{userId}", async s =>
        {
            if (groupIds.Count is < 1 or > IdentityCenterGateway.MaxGroupsPerMembershipCall)
            {
                throw s.Fail("ValidationException", $"GroupIds must hold 1 to {IdentityCenterGateway.MaxGroupsPerMembershipCall} group IDs.");
            }

            var principals = (await InstancesHereAsync(s)).Any(i => i.IdentityStoreId == identityStoreId)
                ? await s.ListAsync<IdentityStorePrincipalRecord>(SandboxKinds.IdentityStorePrincipal, $"{identityStoreId}/")
                : throw s.Fail(NotFound, $"Identity store {identityStoreId} does not exist.");
            var user = principals.FirstOrDefault(p => p.Type == "USER" && p.PrincipalId == userId)
                ?? throw s.Fail(NotFound, $"User {userId} does not exist in identity store {identityStoreId}.");
            return [.. principals.Where(p => p.Type == "GROUP" && p.Name == user.Group && groupIds.Contains(p.PrincipalId)).Select(p => p.PrincipalId)];
        }, ct);

    /// <summary>A public URL on Identity Center's portal in its home region, whichever region the gateway is for.</summary>
    public Task<string?> GetSamlMetadataAsync(string metadataUrl, CancellationToken ct) =>
        CallAsync(IdentityCenterOperations.GetSamlMetadata, metadataUrl, async s =>
            (await s.ListAsync<IdcApplicationRecord>(SandboxKinds.IdentityCenterApplication)).FirstOrDefault(a => a.MetadataUrl == metadataUrl) is { } application
                ? MetadataFor(application)
                : null, ct);

    /// <summary>Where the account's Identity Center instance lives: its seeded home region, or the tenant's for one seeded before instances had one.</summary>
    internal static string HomeOf(IdcInstanceRecord instance, TenantView tenant) => instance.Region ?? tenant.Region;

    /// <summary>
    /// The IdP metadata Identity Center serves for an application: stable for the application (so drift between it and the
    /// IAM SAML provider is meaningful), with a signing certificate made from the application's ARN.
    /// </summary>
    internal static string MetadataFor(IdcApplicationRecord application)
    {
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes(application.ApplicationArn));
        var certificate = new byte[720];
        for (var offset = 0; offset < certificate.Length; offset += seed.Length)
        {
            seed = SHA256.HashData(seed);
            seed.AsSpan(0, Math.Min(seed.Length, certificate.Length - offset)).CopyTo(certificate.AsSpan(offset));
        }

        var portal = new Uri(application.MetadataUrl).Host;
        var endpoint = $"https://{portal}/saml/assertion/{application.MetadataUrl[(application.MetadataUrl.LastIndexOf('/') + 1)..]}";
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{endpoint}">
              <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
                <md:KeyDescriptor use="signing">
                  <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
                    <ds:X509Data>
                      <ds:X509Certificate>{Convert.ToBase64String(certificate)}</ds:X509Certificate>
                    </ds:X509Data>
                  </ds:KeyInfo>
                </md:KeyDescriptor>
                <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
                <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{endpoint}"/>
                <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{endpoint}"/>
              </md:IDPSSODescriptor>
            </md:EntityDescriptor>
            """;
    }

    /// <summary>A principal of an identity store this region's instance has; in another region the store is not there.</summary>
    private Task<string?> FindPrincipalAsync(AwsOperation operation, string id, CancellationToken ct) =>
        CallAsync(operation, id, async s =>
            (await InstancesHereAsync(s)).Any(i => id.StartsWith($"{i.IdentityStoreId}/", StringComparison.Ordinal))
                ? (await s.GetAsync<IdentityStorePrincipalRecord>(SandboxKinds.IdentityStorePrincipal, id))?.PrincipalId
                : null, ct);

    private async Task<IReadOnlyList<IdcInstanceRecord>> InstancesHereAsync(SandboxSession s)
    {
        var tenant = await s.GetTenantAsync();
        return [.. (await s.ListAsync<IdcInstanceRecord>(SandboxKinds.IdentityCenterInstance)).Where(i => HomeOf(i, tenant) == Region)];
    }

    private async Task<IdcApplicationRecord?> GetApplicationHereAsync(SandboxSession s, string applicationArn) =>
        await s.GetAsync<IdcApplicationRecord>(SandboxKinds.IdentityCenterApplication, applicationArn) is { } application
        && (await InstancesHereAsync(s)).Any(i => i.InstanceArn == application.InstanceArn)
            ? application
            : null;

    private async Task<IdcApplicationRecord> RequireApplicationAsync(SandboxSession s, string applicationArn) =>
        await GetApplicationHereAsync(s, applicationArn) ?? throw s.Fail(NotFound, $"Application {applicationArn} does not exist.");
}

/// <summary>An Identity Center instance and the region it lives in (null in one seeded before instances had one: the tenant's).</summary>
internal sealed record IdcInstanceRecord(string InstanceArn, string IdentityStoreId, string? Region = null);

/// <summary>An application; <see cref="Saml"/> is what the console was given for it, when the simulation knows.</summary>
internal sealed record IdcApplicationRecord(string ApplicationArn, string Name, string Status, string InstanceArn, string MetadataUrl, string StartUrl, SandboxSamlConfiguration? Saml = null)
{
    public IdentityCenterApplication ToModel() => new(ApplicationArn, Name, Status, InstanceArn);
}

internal sealed record IdcAssignmentRecord(string ApplicationArn, string PrincipalId, string PrincipalType);

/// <summary>A user (Type USER, Name its UserName) or group (Type GROUP, Name its DisplayName) of the identity store.</summary>
internal sealed record IdentityStorePrincipalRecord(string PrincipalId, string Type, string Name, string? FirstName = null, string? LastName = null, string? Group = null);
