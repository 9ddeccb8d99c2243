using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Sandbox;

/// <summary>IAM as the Sandbox simulates it: SAML providers, customer-managed policies with at most five versions, roles and attachments.</summary>
internal sealed partial class SandboxIamGateway(SandboxAwsAccount account) : SandboxGateway(account), IIamGateway
{
    public const int MaxPolicyVersions = 5;
    private const int MaxAttachedPolicies = 10;
    private const int MaxSamlProviders = 100;
    private const string NoSuchEntity = "NoSuchEntity";

    public Task<string?> GetSamlProviderMetadataAsync(string providerArn, CancellationToken ct) =>
        CallAsync(IamOperations.GetSamlProvider, providerArn, async s =>
            (await s.GetAsync<SamlProviderRecord>(SandboxKinds.IamSamlProvider, providerArn))?.Metadata, ct);

    public Task<string> CreateSamlProviderAsync(string name, string metadataDocument, CancellationToken ct) =>
        CallAsync(IamOperations.CreateSamlProvider, name, async s =>
        {
            RequireName(s, name, SamlProviderNamePattern(), 128);
            RequireSamlMetadata(s, metadataDocument);
            var arn = $"arn:aws:iam::{AccountId}:saml-provider/{name}";
            var providers = await s.ListAsync<SamlProviderRecord>(SandboxKinds.IamSamlProvider);
            if (providers.Any(p => p.Arn == arn))
            {
                throw s.Fail("EntityAlreadyExists", $"SAMLProvider {name} already exists.", HttpStatusCode.Conflict);
            }

            if (providers.Count >= MaxSamlProviders)
            {
                throw QuotaReached(s, $"Cannot exceed quota for SAMLProvidersPerAccount: {MaxSamlProviders}.");
            }

            await s.PutAsync(SandboxKinds.IamSamlProvider, arn, new SamlProviderRecord(arn, name, metadataDocument));
            return arn;
        }, ct);

    public Task UpdateSamlProviderAsync(string providerArn, string metadataDocument, CancellationToken ct) =>
        CallAsync(IamOperations.UpdateSamlProvider, providerArn, async s =>
        {
            var provider = await s.RequireAsync<SamlProviderRecord>(SandboxKinds.IamSamlProvider, providerArn, NoSuchEntity, $"SAMLProvider {providerArn} does not exist.", HttpStatusCode.NotFound);
            RequireSamlMetadata(s, metadataDocument);
            await s.PutAsync(SandboxKinds.IamSamlProvider, providerArn, provider with { Metadata = metadataDocument });
        }, ct);

    public Task<IamPolicy?> GetPolicyAsync(string policyArn, CancellationToken ct) =>
        CallAsync(IamOperations.GetPolicy, policyArn, async s =>
            (await s.GetAsync<PolicyRecord>(SandboxKinds.IamPolicy, policyArn)) is { } p ? new IamPolicy(p.Arn, p.Name, p.DefaultVersionId) : null, ct);

    public Task<IamPolicyVersion?> GetPolicyVersionAsync(string policyArn, string versionId, CancellationToken ct) =>
        CallAsync(IamOperations.GetPolicyVersion, $"{policyArn}/{versionId}", async s =>
            (await s.GetAsync<PolicyRecord>(SandboxKinds.IamPolicy, policyArn))?.Versions.FirstOrDefault(v => v.VersionId == versionId) is { } v
                ? new IamPolicyVersion(v.VersionId, v.IsDefault, v.CreatedAt, v.Document)
                : null, ct);

    public Task<IReadOnlyList<IamPolicyVersion>> ListPolicyVersionsAsync(string policyArn, CancellationToken ct) =>
        CallAsync<IReadOnlyList<IamPolicyVersion>>(IamOperations.ListPolicyVersions, policyArn, async s =>
        {
            var policy = await RequirePolicyAsync(s, policyArn);
            return [.. policy.Versions.OrderByDescending(v => v.Number).Select(v => new IamPolicyVersion(v.VersionId, v.IsDefault, v.CreatedAt, null))];
        }, ct);

    public Task<string> CreatePolicyAsync(string name, string document, CancellationToken ct) =>
        CallAsync(IamOperations.CreatePolicy, name, async s =>
        {
            RequireName(s, name, IamNamePattern(), 128);
            RequirePolicyDocument(s, document, 6144);
            var arn = $"arn:aws:iam::{AccountId}:policy/{name}";
            if ((await s.ListAsync<PolicyRecord>(SandboxKinds.IamPolicy)).Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw s.Fail("EntityAlreadyExists", $"A policy called {name} already exists. Duplicate names are not allowed.", HttpStatusCode.Conflict);
            }

            await s.PutAsync(SandboxKinds.IamPolicy, arn, PolicyRecord.New(arn, name, document, s.Now));
            return arn;
        }, ct);

    public Task<string> CreatePolicyVersionAsync(string policyArn, string document, bool setAsDefault, CancellationToken ct) =>
        CallAsync(IamOperations.CreatePolicyVersion, policyArn, async s =>
        {
            var policy = await RequirePolicyAsync(s, policyArn);
            RequirePolicyDocument(s, document, 6144);
            if (policy.Versions.Count >= MaxPolicyVersions)
            {
                throw QuotaReached(s, $"A managed policy can have up to {MaxPolicyVersions} versions. Before you create a new version, you must delete an existing version.");
            }

            var updated = policy.WithVersion(document, setAsDefault, s.Now);
            await s.PutAsync(SandboxKinds.IamPolicy, policyArn, updated);
            return updated.Versions[^1].VersionId;
        }, ct);

    public Task DeletePolicyVersionAsync(string policyArn, string versionId, CancellationToken ct) =>
        CallAsync(IamOperations.DeletePolicyVersion, $"{policyArn}/{versionId}", async s =>
        {
            var policy = await RequirePolicyAsync(s, policyArn);
            var version = policy.Versions.FirstOrDefault(v => v.VersionId == versionId)
                ?? throw s.Fail(NoSuchEntity, $"Policy {policyArn} version {versionId} does not exist.", HttpStatusCode.NotFound);
            if (version.IsDefault)
            {
                throw s.Fail("DeleteConflict", "Cannot delete the default version of a policy.", HttpStatusCode.Conflict);
            }

            await s.PutAsync(SandboxKinds.IamPolicy, policyArn, policy with { Versions = [.. policy.Versions.Where(v => v != version)] });
        }, ct);

    public Task<IamRole?> GetRoleAsync(string roleName, CancellationToken ct) =>
        CallAsync(IamOperations.GetRole, roleName, async s =>
            await FindRoleAsync(s, roleName) is { } role ? new IamRole(role.Arn, role.Name, role.TrustPolicy) : null, ct);

    public Task<string> CreateRoleAsync(string roleName, string trustPolicy, CancellationToken ct) =>
        CallAsync(IamOperations.CreateRole, roleName, async s =>
        {
            RequireName(s, roleName, IamNamePattern(), 64);
            RequirePolicyDocument(s, trustPolicy, 2048);
            if (await FindRoleAsync(s, roleName) is not null)
            {
                throw s.Fail("EntityAlreadyExists", $"Role with name {roleName} already exists.", HttpStatusCode.Conflict);
            }

            var arn = $"arn:aws:iam::{AccountId}:role/{roleName}";
            await s.PutAsync(SandboxKinds.IamRole, roleName, new RoleRecord(arn, roleName, trustPolicy));
            return arn;
        }, ct);

    public Task UpdateAssumeRolePolicyAsync(string roleName, string trustPolicy, CancellationToken ct) =>
        CallAsync(IamOperations.UpdateAssumeRolePolicy, roleName, async s =>
        {
            var role = await RequireRoleAsync(s, roleName);
            RequirePolicyDocument(s, trustPolicy, 2048);
            await s.PutAsync(SandboxKinds.IamRole, role.Name, role with { TrustPolicy = trustPolicy });
        }, ct);

    public Task<IReadOnlyList<string>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken ct) =>
        CallAsync<IReadOnlyList<string>>(IamOperations.ListAttachedRolePolicies, roleName, async s =>
        {
            var role = await RequireRoleAsync(s, roleName);
            return [.. (await s.ListAsync<RoleAttachmentRecord>(SandboxKinds.IamRoleAttachment, $"{role.Name}|")).Select(a => a.PolicyArn)];
        }, ct);

    public Task AttachRolePolicyAsync(string roleName, string policyArn, CancellationToken ct) =>
        CallAsync(IamOperations.AttachRolePolicy, $"{roleName}|{policyArn}", async s =>
        {
            var role = await RequireRoleAsync(s, roleName);
            if (!policyArn.StartsWith("arn:aws:iam::aws:policy/", StringComparison.Ordinal))
            {
                await RequirePolicyAsync(s, policyArn);
            }

            var attached = await s.ListAsync<RoleAttachmentRecord>(SandboxKinds.IamRoleAttachment, $"{role.Name}|");
            if (attached.Any(a => a.PolicyArn == policyArn))
            {
                return;
            }

            if (attached.Count >= MaxAttachedPolicies)
            {
                throw QuotaReached(s, $"Cannot exceed quota for PoliciesPerRole: {MaxAttachedPolicies}.");
            }

            await s.PutAsync(SandboxKinds.IamRoleAttachment, $"{role.Name}|{policyArn}", new RoleAttachmentRecord(role.Name, policyArn));
        }, ct);

    /// <summary>A policy statement document as IAM and S3 accept it: a JSON object with a Statement. Null when it is not.</summary>
    internal static JsonObject? ParsePolicy(string document)
    {
        try
        {
            return JsonNode.Parse(document) is JsonObject policy && policy["Statement"] is JsonObject or JsonArray ? policy : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Task<PolicyRecord> RequirePolicyAsync(SandboxSession s, string policyArn) =>
        s.RequireAsync<PolicyRecord>(SandboxKinds.IamPolicy, policyArn, NoSuchEntity, $"Policy {policyArn} does not exist or is not attachable.", HttpStatusCode.NotFound);

    /// <summary>IAM names are unique and found regardless of case.</summary>
    private static async Task<RoleRecord?> FindRoleAsync(SandboxSession s, string roleName) =>
        await s.GetAsync<RoleRecord>(SandboxKinds.IamRole, roleName)
            ?? (await s.ListAsync<RoleRecord>(SandboxKinds.IamRole)).FirstOrDefault(r => string.Equals(r.Name, roleName, StringComparison.OrdinalIgnoreCase));

    private static async Task<RoleRecord> RequireRoleAsync(SandboxSession s, string roleName) =>
        await FindRoleAsync(s, roleName) ?? throw s.Fail(NoSuchEntity, $"The role with name {roleName} cannot be found.", HttpStatusCode.NotFound);

    private static void RequireName(SandboxSession s, string name, Regex pattern, int maxLength)
    {
        if (name.Length > maxLength || !pattern.IsMatch(name))
        {
            throw s.Fail("ValidationError", $"The name '{name}' must be 1 to {maxLength} characters matching {pattern}.");
        }
    }

    private static void RequirePolicyDocument(SandboxSession s, string document, int maxLength)
    {
        if (ParsePolicy(document) is null)
        {
            throw s.Fail("MalformedPolicyDocument", "Syntax errors in policy: the document must be a JSON object with a Statement.");
        }

        if (document.Count(c => !char.IsWhiteSpace(c)) > maxLength)
        {
            throw QuotaReached(s, $"Cannot exceed quota for PolicySize: {maxLength}.");
        }
    }

    /// <summary>
    /// IAM's answer to a request over one of the account's quotas: LimitExceeded, HTTP 409. IAM is global, signed for
    /// us-east-1, and the Service Quotas console shows its quotas there.
    /// </summary>
    private static AwsCallException QuotaReached(SandboxSession s, string message) => s.Fail("LimitExceeded", message, HttpStatusCode.Conflict, "us-east-1");

    /// <summary>IAM takes SAML metadata of 1,000 characters or more whose root is an md:EntityDescriptor with an IDPSSODescriptor.</summary>
    private static void RequireSamlMetadata(SandboxSession s, string metadata)
    {
        const string MetadataNamespace = "urn:oasis:names:tc:SAML:2.0:metadata";
        var valid = false;
        if (metadata.Length is >= 1000 and <= 10_000_000)
        {
            try
            {
                var document = new XmlDocument { XmlResolver = null };
                using var reader = XmlReader.Create(new StringReader(metadata), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                document.Load(reader);
                valid = document.DocumentElement is { LocalName: "EntityDescriptor", NamespaceURI: MetadataNamespace } root
                    && root.GetElementsByTagName("IDPSSODescriptor", MetadataNamespace).Count > 0;
            }
            catch (XmlException)
            {
            }
        }

        if (!valid)
        {
            throw s.Fail("InvalidInput", "Could not parse metadata: expected SAML 2.0 identity provider metadata (EntityDescriptor with an IDPSSODescriptor), 1,000 characters or more.");
        }
    }

    [GeneratedRegex(@"^[\w._-]{1,128}\z")]
    private static partial Regex SamlProviderNamePattern();

    [GeneratedRegex(@"^[\w+=,.@-]+\z")]
    private static partial Regex IamNamePattern();
}

internal sealed record SamlProviderRecord(string Arn, string Name, string Metadata);

/// <summary>A customer-managed policy; <see cref="Document"/> is the default version's, the field the console changes.</summary>
internal sealed record PolicyRecord(string Arn, string Name, string Document, string DefaultVersionId, int LastVersion, IReadOnlyList<PolicyVersionRecord> Versions)
{
    public static PolicyRecord New(string arn, string name, string document, DateTimeOffset now) =>
        new(arn, name, document, "v1", 1, [new PolicyVersionRecord("v1", 1, document, true, now)]);

    /// <summary>Adds version v(N+1); version IDs are never reused, as in IAM.</summary>
    public PolicyRecord WithVersion(string document, bool setAsDefault, DateTimeOffset now)
    {
        var number = LastVersion + 1;
        var version = new PolicyVersionRecord($"v{number}", number, document, setAsDefault, now);
        var versions = Versions.Select(v => setAsDefault ? v with { IsDefault = false } : v).Append(version).ToList();
        return setAsDefault
            ? this with { Document = document, DefaultVersionId = version.VersionId, LastVersion = number, Versions = versions }
            : this with { LastVersion = number, Versions = versions };
    }
}

internal sealed record PolicyVersionRecord(string VersionId, int Number, string Document, bool IsDefault, DateTimeOffset CreatedAt);

internal sealed record RoleRecord(string Arn, string Name, string TrustPolicy);

internal sealed record RoleAttachmentRecord(string RoleName, string PolicyArn);
