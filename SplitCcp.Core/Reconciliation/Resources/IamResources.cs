using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation.Resources;

/// <summary>The IAM SAML provider; its metadata must equal the Identity Center application's, or sign-in fails.</summary>
internal sealed class SamlProviderResource()
    : Resource(ResourceKeys.SamlProvider, "IAM SAML identity provider", SpecSection.Iam, ResourceKeys.IdentityCenterApplication)
{
    public override string? MissingFromSetup(ReconcileContext ctx) =>
        string.IsNullOrWhiteSpace(ctx.Spec.IdentityCenter.MetadataUrl) && string.IsNullOrWhiteSpace(ctx.Spec.IdentityCenter.MetadataXml)
            ? "The provider is made from the Identity Center application's SAML metadata: copy the application's metadata URL into the setup's Identity Center step, or upload its metadata file."
            : null;

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var expected = await ExpectedMetadataAsync(ctx, ct);
        if (expected is null)
        {
            return Observation.Blocked($"Identity Center has no metadata at {ctx.Spec.IdentityCenter.MetadataUrl}. Copy the application's metadata URL again, or upload its metadata file in the setup.");
        }

        var arn = ctx.Values.SamlProviderArn!;
        var actual = Documents.NormalizeText(await ctx.Aws.Iam.GetSamlProviderMetadataAsync(arn, ct));
        var field = new FieldChange("metadata", Documents.Digest(expected), Documents.Digest(actual));
        return actual is null ? Observation.Missing(field) : Observation.Present(field);
    }

    public override async Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var metadata = (await ExpectedMetadataAsync(ctx, ct))!;
        if (observed.State == ObservedState.Missing)
        {
            await ctx.Aws.Iam.CreateSamlProviderAsync(ctx.Spec.Iam.SamlProviderName!, metadata, ct);
        }
        else
        {
            await ctx.Aws.Iam.UpdateSamlProviderAsync(ctx.Values.SamlProviderArn!, metadata, ct);
        }
    }

    /// <summary>A fetched document, or null for a URL that answered 404: cached either way.</summary>
    private sealed record Fetched(string? Xml);

    private static async Task<string?> ExpectedMetadataAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var spec = ctx.Spec.IdentityCenter;
        if (!string.IsNullOrWhiteSpace(spec.MetadataXml))
        {
            return Documents.NormalizeText(spec.MetadataXml);
        }

        // Observe, apply and the check after it all need the document: fetch it once per pass.
        var fetched = await ctx.CachedAsync($"saml-metadata/{spec.MetadataUrl}", async () => new Fetched(await ctx.IdentityCenter.GetSamlMetadataAsync(spec.MetadataUrl!, ct)));
        return Documents.NormalizeText(fetched.Xml);
    }
}

/// <summary>The federation policy: lets a signed-in agent get a Connect federation token for their own user only.</summary>
internal sealed class FederationPolicyResource()
    : Resource(ResourceKeys.FederationPolicy, "IAM federation policy", SpecSection.Iam, ResourceKeys.ConnectInstance)
{
    /// <summary>IAM keeps at most five versions of a managed policy.</summary>
    public const int MaxVersions = 5;

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var arn = ctx.Values.FederationPolicyArn!;
        var expected = Documents.NormalizeJson(FederationDocuments.FederationPolicy(ctx.Values));
        var policy = await ctx.Aws.Iam.GetPolicyAsync(arn, ct);
        if (policy is null)
        {
            return Observation.Missing(new FieldChange("document", expected, null));
        }

        var version = await ctx.Aws.Iam.GetPolicyVersionAsync(arn, policy.DefaultVersionId, ct);
        return Observation.Present(new FieldChange("document", expected, Documents.NormalizeJson(version?.Document)));
    }

    public override async Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var iam = ctx.Aws.Iam;
        var document = FederationDocuments.FederationPolicy(ctx.Values);
        if (observed.State == ObservedState.Missing)
        {
            await iam.CreatePolicyAsync(ctx.Spec.Iam.FederationPolicyName!, document, ct);
            return;
        }

        var arn = ctx.Values.FederationPolicyArn!;
        var versions = await iam.ListPolicyVersionsAsync(arn, ct);
        if (versions.Count >= MaxVersions && versions.Where(v => !v.IsDefault).MinBy(v => v.CreatedAt) is { } oldest)
        {
            await ctx.ReportProgress($"Deleting policy version {oldest.VersionId}: IAM keeps at most {MaxVersions}.", ct);
            await iam.DeletePolicyVersionAsync(arn, oldest.VersionId, ct);
        }

        await iam.CreatePolicyVersionAsync(arn, document, setAsDefault: true, ct);
    }
}

/// <summary>The role agents assume through SAML; its trust policy names the tenant's SAML provider.</summary>
internal sealed class FederationRoleResource()
    : Resource(ResourceKeys.FederationRole, "IAM federation role", SpecSection.Iam, ResourceKeys.SamlProvider)
{
    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var name = ctx.Spec.Iam.FederationRoleName!;
        var expected = Documents.NormalizeJson(FederationDocuments.TrustPolicy(ctx.Values));
        var role = await ctx.Aws.Iam.GetRoleAsync(name, ct);
        var field = new FieldChange("trustPolicy", expected, Documents.NormalizeJson(role?.TrustPolicy));
        return role is null ? Observation.Missing(field) : Observation.Present(field);
    }

    public override Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var document = FederationDocuments.TrustPolicy(ctx.Values);
        var name = ctx.Spec.Iam.FederationRoleName!;
        return observed.State == ObservedState.Missing
            ? ctx.Aws.Iam.CreateRoleAsync(name, document, ct)
            : ctx.Aws.Iam.UpdateAssumeRolePolicyAsync(name, document, ct);
    }
}

/// <summary>The federation policy attached to the federation role.</summary>
internal sealed class FederationRolePolicyResource()
    : Resource(ResourceKeys.FederationRolePolicy, "Federation policy attached to the role", SpecSection.Iam, ResourceKeys.FederationRole, ResourceKeys.FederationPolicy)
{
    public override string Noun => "the federation policy's attachment to the role";

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var role = ctx.Spec.Iam.FederationRoleName!;
        var policy = ctx.Values.FederationPolicyArn!;
        var attached = await ctx.Aws.Iam.ListAttachedRolePoliciesAsync(role, ct);
        var field = new FieldChange("policyArn", policy, attached.Contains(policy, StringComparer.Ordinal) ? policy : null);
        return field.Actual is null ? Observation.Missing(field) : Observation.Present(field);
    }

    public override Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct) =>
        ctx.Aws.Iam.AttachRolePolicyAsync(ctx.Spec.Iam.FederationRoleName!, ctx.Values.FederationPolicyArn!, ct);
}
