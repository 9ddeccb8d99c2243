using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Sandbox;

/// <summary>An Identity Center SAML application made in the (simulated) console, with the values the operator copies from it.</summary>
public sealed record SandboxSamlApplication(string ApplicationArn, string MetadataUrl, string StartUrl);

/// <summary>
/// What the operator types into the console's SAML 2.0 application: kept on the Sandbox's application so a check could
/// compare it with what the setup asks for (AWS has no API that reads it back).
/// </summary>
public sealed record SandboxSamlConfiguration(string Name, string RelayState, string AcsUrl, string Audience, IReadOnlyList<SamlAttributeMapping> AttributeMappings);

/// <summary>One stored Sandbox object as the console shows it.</summary>
public sealed record SandboxObjectView(string Kind, string Id, string Json, DateTime UpdatedAt);

/// <summary>
/// What an operator can do to a Sandbox account in the AWS console: delete or alter an object behind the portal's back (to
/// show drift), and the steps only the console can do in AWS (a SAML application in Identity Center, capturing an AppStream
/// image with Image Assistant). No faults or rate limits: this is the operator's hand, not the portal's API calls.
/// </summary>
public sealed class SandboxConsole(SandboxStore store, SandboxRandom random)
{
    /// <summary>Deleting these also deletes what AWS deletes with them (a bucket's objects and policy, a role's attachments…).</summary>
    private static readonly Dictionary<string, (string Kind, Func<string, string, bool> BelongsTo)[]> s_cascades = new(StringComparer.Ordinal)
    {
        [SandboxKinds.S3Bucket] = [(SandboxKinds.S3BucketPolicy, (id, child) => child == id), (SandboxKinds.S3Object, Under("/"))],
        [SandboxKinds.IamRole] = [(SandboxKinds.IamRoleAttachment, Under("|"))],
        [SandboxKinds.IamPolicy] = [(SandboxKinds.IamRoleAttachment, (id, child) => child.EndsWith($"|{id}", StringComparison.Ordinal))],
        [SandboxKinds.ConnectInstance] =
        [
            (SandboxKinds.ConnectUser, Under("/")), (SandboxKinds.ConnectRoutingProfile, Under("/")),
            (SandboxKinds.ConnectSecurityProfile, Under("/")), (SandboxKinds.ConnectApprovedOrigin, Under("|")),
        ],
        [SandboxKinds.IdentityCenterApplication] = [(SandboxKinds.IdentityCenterAssignment, Under("|"))],
        [SandboxKinds.AppStreamStack] = [(SandboxKinds.AppStreamFleetAssociation, Under("|"))],
        [SandboxKinds.AppStreamFleet] = [(SandboxKinds.AppStreamFleetAssociation, (id, child) => child.EndsWith($"|{id}", StringComparison.Ordinal))],
    };

    /// <summary>What the tenant's Sandbox account started with (seeding it now if this is its first use).</summary>
    public Task<SandboxWorld> GetWorldAsync(Guid tenantId, CancellationToken ct = default) =>
        store.RunAsync(tenantId, null, null, async s =>
        {
            var tenant = await s.GetTenantAsync();
            var (instanceArn, storeId) = SandboxSeed.IdentityCenterOf(tenantId);
            var instance = await s.GetAsync<IdcInstanceRecord>(SandboxKinds.IdentityCenterInstance, instanceArn);
            var users = (await s.ListAsync<IdentityStorePrincipalRecord>(SandboxKinds.IdentityStorePrincipal, $"{storeId}/"))
                .Where(p => p.Type == "USER")
                .Select(p => new SandboxPerson(p.Name, p.FirstName ?? "", p.LastName ?? "", p.Group ?? ""))
                .ToList();
            var instances = (await s.ListAsync<ConnectInstanceRecord>(SandboxKinds.ConnectInstance)).Select(i => i.ToModel()).ToList();
            var identityCenterRegion = instance is null ? SandboxSeed.IdentityCenterRegionFor(tenant.Region) : SandboxIdentityCenterGateway.HomeOf(instance, tenant);
            return new SandboxWorld(s.AccountId, tenant.Region, identityCenterRegion, instanceArn, storeId, users, [SandboxSeed.AgentsGroup, SandboxSeed.SupervisorsGroup], instances, SandboxSeed.BaseImages);
        }, ct);

    /// <summary>Every object of the tenant's Sandbox account, or of one kind.</summary>
    public Task<IReadOnlyList<SandboxObjectView>> ListAsync(Guid tenantId, string? kind = null, CancellationToken ct = default)
    {
        if (kind is not null)
        {
            FieldsOf(kind);
        }

        return store.RunAsync<IReadOnlyList<SandboxObjectView>>(tenantId, null, null, async s =>
            [.. (await s.RawAsync(kind)).Select(o => new SandboxObjectView(o.Kind, o.Id, o.Json, o.UpdatedAt))], ct);
    }

    /// <summary>Deletes an object (and what AWS deletes with it). False when there is no such object.</summary>
    public Task<bool> DeleteAsync(Guid tenantId, string kind, string id, CancellationToken ct = default)
    {
        FieldsOf(kind);
        return store.RunAsync(tenantId, null, null, async s =>
        {
            if (!await s.DeleteAsync(kind, id))
            {
                return false;
            }

            foreach (var (childKind, belongsTo) in s_cascades.GetValueOrDefault(kind, []))
            {
                await s.DeleteWhereAsync(childKind, child => belongsTo(id, child));
            }

            return true;
        }, ct);
    }

    /// <summary>
    /// Sets one field of an object, as an edit in the console would. The field must be one <see cref="SandboxFields"/> lists
    /// for the kind, and the value must parse as its type. Altering a policy's document adds a new default version (the
    /// oldest other version makes room if there are five). False when there is no such object.
    /// </summary>
    /// <exception cref="ArgumentException">The kind or field is unknown, or the value is not of the field's type.</exception>
    public Task<bool> AlterAsync(Guid tenantId, string kind, string id, string field, string value, CancellationToken ct = default)
    {
        var fields = FieldsOf(kind);
        if (!fields.TryGetValue(field, out var type))
        {
            throw new ArgumentException(fields.Count == 0
                ? $"{kind} has no fields to alter; delete it instead."
                : $"'{field}' is not a field of {kind}. Its fields are: {string.Join(", ", fields.Keys)}.", nameof(field));
        }

        var node = Parse(kind, field, type, value);
        return store.RunAsync(tenantId, null, null, async s =>
        {
            if (kind != SandboxKinds.IamPolicy)
            {
                return await s.AlterAsync(kind, id, field, node);
            }

            if (await s.GetAsync<PolicyRecord>(kind, id) is not { } policy)
            {
                return false;
            }

            if (policy.Versions.Count >= SandboxIamGateway.MaxPolicyVersions)
            {
                policy = policy with { Versions = [.. policy.Versions.Where(v => v != policy.Versions.First(o => !o.IsDefault))] };
            }

            await s.PutAsync(kind, id, policy.WithVersion(value, setAsDefault: true, s.Now));
            return true;
        }, ct);
    }

    /// <summary>
    /// Creates a custom SAML 2.0 application in the account's Identity Center instance, ENABLED, as the console's "Add
    /// application" does (there is no API for it).
    /// </summary>
    public Task<SandboxSamlApplication> CreateSamlApplicationAsync(Guid tenantId, string name, CancellationToken ct = default) =>
        CreateSamlApplicationAsync(tenantId, name, instanceArn: null, saml: null, ct);

    /// <summary>
    /// Creates a custom SAML 2.0 application, ENABLED, in the given Identity Center instance (the account's, when null),
    /// keeping what the console was given for it (<paramref name="saml"/>) on the application.
    /// </summary>
    /// <exception cref="InvalidOperationException">The account has no such Identity Center instance.</exception>
    public Task<SandboxSamlApplication> CreateSamlApplicationAsync(
        Guid tenantId, string name, string? instanceArn, SandboxSamlConfiguration? saml, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return store.RunAsync(tenantId, null, null, async s =>
        {
            var instances = await s.ListAsync<IdcInstanceRecord>(SandboxKinds.IdentityCenterInstance);
            var instance = instances.FirstOrDefault(i => instanceArn is null || i.InstanceArn == instanceArn)
                ?? throw new InvalidOperationException(instanceArn is null
                    ? "This Sandbox account has no Identity Center instance any more."
                    : $"This account has no Identity Center instance {instanceArn}. Check the instance ARN in the setup's Identity Center step.");
            var tenant = await s.GetTenantAsync();
            var applicationId = random.Hex(16);
            var arn = $"arn:aws:sso::{s.AccountId}:application/{instance.InstanceArn[(instance.InstanceArn.LastIndexOf('/') + 1)..]}/apl-{applicationId}";
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{s.AccountId}_ins-{applicationId}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var application = new IdcApplicationRecord(arn, name, "ENABLED", instance.InstanceArn,
                $"https://portal.sso.{SandboxIdentityCenterGateway.HomeOf(instance, tenant)}.amazonaws.com/saml/metadata/{token}",
                $"https://{instance.IdentityStoreId}.awsapps.com/start/#/saml/custom/{Uri.EscapeDataString(name)}/{token}");
            await s.PutAsync(SandboxKinds.IdentityCenterApplication, arn, application with { Saml = saml });
            return new SandboxSamlApplication(arn, application.MetadataUrl, application.StartUrl);
        }, ct);
    }

    /// <summary>
    /// What Image Assistant's create-image does inside an image builder: a private image, AVAILABLE (at once here; AWS takes
    /// about twenty minutes). The builder must exist; the image name must be new.
    /// </summary>
    public Task<AppStreamImage> CaptureImageAsync(Guid tenantId, string imageBuilderName, string imageName, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imageName);
        return store.RunAsync(tenantId, null, null, async s =>
        {
            if (!await s.ExistsAsync(SandboxKinds.AppStreamImageBuilder, imageBuilderName))
            {
                throw new InvalidOperationException($"There is no image builder named {imageBuilderName} in this Sandbox account.");
            }

            if (await s.ExistsAsync(SandboxKinds.AppStreamImage, imageName))
            {
                throw new InvalidOperationException($"An image named {imageName} already exists.");
            }

            var tenant = await s.GetTenantAsync();
            var image = new ImageRecord(imageName, SandboxAppStreamGateway.PrivateImageArn(tenant.Region, s.AccountId, imageName), SandboxAppStreamGateway.Available);
            await s.PutAsync(SandboxKinds.AppStreamImage, imageName, image);
            return image.ToModel();
        }, ct);
    }

    private static IReadOnlyDictionary<string, SandboxFieldType> FieldsOf(string kind) =>
        SandboxFields.ByKind.TryGetValue(kind, out var fields)
            ? fields
            : throw new ArgumentException($"'{kind}' is not a Sandbox kind. The kinds are: {string.Join(", ", SandboxFields.ByKind.Keys)}.", nameof(kind));

    private static JsonValue Parse(string kind, string field, SandboxFieldType type, string value)
    {
        string Bad(string what) => $"'{value}' is not {what}, which {field} of {kind} needs.";
        switch (type)
        {
            case SandboxFieldType.Boolean:
                return bool.TryParse(value, out var flag) ? JsonValue.Create(flag) : throw new ArgumentException(Bad("true or false"), nameof(value));
            case SandboxFieldType.WholeNumber:
                return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                    ? JsonValue.Create(number)
                    : throw new ArgumentException(Bad("a whole number"), nameof(value));
            case SandboxFieldType.Json:
                try
                {
                    return JsonNode.Parse(value) is JsonObject ? JsonValue.Create(value) : throw new ArgumentException(Bad("a JSON object"), nameof(value));
                }
                catch (JsonException)
                {
                    throw new ArgumentException(Bad("a JSON object"), nameof(value));
                }

            default:
                return JsonValue.Create(value);
        }
    }

    private static Func<string, string, bool> Under(string separator) => (id, child) => child.StartsWith(id + separator, StringComparison.Ordinal);
}
