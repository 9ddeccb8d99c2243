using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Tests.Core.Sandbox;

public sealed class SandboxIamGatewayTests : SandboxTests
{
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*"}]}""";
    private const string Trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/x"},"Action":"sts:AssumeRoleWithSAML"}]}""";

    private IIamGateway Iam => Account.Iam;

    [Fact]
    public async Task SamlProvider_CreateGetUpdate_AndTheNameIsUnique()
    {
        var metadata = await IdentityCenterMetadataAsync();

        var arn = await Iam.CreateSamlProviderAsync("SplitCcp-IdC", metadata, default);

        arn.ShouldBe($"arn:aws:iam::{Account.AccountId}:saml-provider/SplitCcp-IdC");
        (await Iam.GetSamlProviderMetadataAsync(arn, default)).ShouldBe(metadata);
        (await Should.ThrowAsync<AwsCallException>(() => Iam.CreateSamlProviderAsync("SplitCcp-IdC", metadata, default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.Conflict);

        var changed = metadata.Replace("HTTP-Redirect", "HTTP-Artifact", StringComparison.Ordinal);
        await Iam.UpdateSamlProviderAsync(arn, changed, default);
        (await Iam.GetSamlProviderMetadataAsync(arn, default)).ShouldBe(changed);
        (await Iam.GetSamlProviderMetadataAsync(arn + "-missing", default)).ShouldBeNull();
    }

    [Theory]
    [InlineData("not xml at all")]
    [InlineData("<EntityDescriptor/>")]
    public async Task CreateSamlProvider_NotSamlMetadata_IsInvalidInput(string metadata)
    {
        var ex = await Should.ThrowAsync<AwsCallException>(() => Iam.CreateSamlProviderAsync("SplitCcp-IdC", metadata.PadRight(1200), default));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        ex.Failure.Message.ShouldContain("Could not parse metadata");
    }

    [Fact]
    public async Task PolicyVersions_FiveAtMost_TheDefaultCannotBeDeleted()
    {
        var arn = await Iam.CreatePolicyAsync("SplitCcp-Federation", Policy, default);
        for (var i = 2; i <= 5; i++)
        {
            (await Iam.CreatePolicyVersionAsync(arn, Policy.Replace("*", $"arn:{i}", StringComparison.Ordinal), setAsDefault: true, default)).ShouldBe($"v{i}");
        }

        var sixth = await Should.ThrowAsync<AwsCallException>(() => Iam.CreatePolicyVersionAsync(arn, Policy, true, default));
        sixth.Failure.Kind.ShouldBe(AwsFailureKind.QuotaExceeded);
        sixth.Failure.Message.ShouldContain("up to 5 versions");

        (await Should.ThrowAsync<AwsCallException>(() => Iam.DeletePolicyVersionAsync(arn, "v5", default))).Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
        await Iam.DeletePolicyVersionAsync(arn, "v1", default);
        (await Iam.CreatePolicyVersionAsync(arn, Policy, setAsDefault: false, default)).ShouldBe("v6");

        (await Iam.GetPolicyAsync(arn, default)).ShouldBe(new IamPolicy(arn, "SplitCcp-Federation", "v5"));
        (await Iam.ListPolicyVersionsAsync(arn, default)).Select(v => (v.VersionId, v.IsDefault)).ShouldBe([("v6", false), ("v5", true), ("v4", false), ("v3", false), ("v2", false)]);
        (await Iam.GetPolicyVersionAsync(arn, "v5", default))!.Document.ShouldBe(Policy.Replace("*", "arn:5", StringComparison.Ordinal));
        (await Iam.GetPolicyVersionAsync(arn, "v1", default)).ShouldBeNull();
    }

    [Fact]
    public async Task CreatePolicy_NotJsonOrTakenName_IsRefused()
    {
        await Iam.CreatePolicyAsync("SplitCcp-Federation", Policy, default);

        (await Should.ThrowAsync<AwsCallException>(() => Iam.CreatePolicyAsync("Other", "{not json", default))).Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        (await Should.ThrowAsync<AwsCallException>(() => Iam.CreatePolicyAsync("splitccp-federation", Policy, default))).Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
    }

    [Fact]
    public async Task Role_TrustPolicyAndAttachments_MissingThingsAreNoSuchEntity()
    {
        var policy = await Iam.CreatePolicyAsync("SplitCcp-Federation", Policy, default);
        var arn = await Iam.CreateRoleAsync("SplitCcp-Agent", Trust, default);

        (await Iam.GetRoleAsync("splitccp-agent", default)).ShouldBe(new IamRole(arn, "SplitCcp-Agent", Trust));
        (await Should.ThrowAsync<AwsCallException>(() => Iam.CreateRoleAsync("SPLITCCP-AGENT", Trust, default))).Failure.Kind.ShouldBe(AwsFailureKind.Conflict);

        await Iam.AttachRolePolicyAsync("SplitCcp-Agent", policy, default);
        await Iam.AttachRolePolicyAsync("SplitCcp-Agent", policy, default);
        await Iam.AttachRolePolicyAsync("SplitCcp-Agent", "arn:aws:iam::aws:policy/ReadOnlyAccess", default);
        (await Iam.ListAttachedRolePoliciesAsync("SplitCcp-Agent", default)).ShouldBe([policy, "arn:aws:iam::aws:policy/ReadOnlyAccess"], ignoreOrder: true);

        var updated = Trust.Replace("x\"", "y\"", StringComparison.Ordinal);
        await Iam.UpdateAssumeRolePolicyAsync("SplitCcp-Agent", updated, default);
        (await Iam.GetRoleAsync("SplitCcp-Agent", default))!.TrustPolicy.ShouldBe(updated);

        (await Iam.GetRoleAsync("Nobody", default)).ShouldBeNull();
        (await Should.ThrowAsync<AwsCallException>(() => Iam.AttachRolePolicyAsync("Nobody", policy, default))).Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
        (await Should.ThrowAsync<AwsCallException>(() => Iam.AttachRolePolicyAsync("SplitCcp-Agent", policy + "x", default))).Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
        (await Should.ThrowAsync<AwsCallException>(() => Iam.ListPolicyVersionsAsync(policy + "x", default))).Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
    }

    [Fact]
    public async Task AttachRolePolicy_OverThePoliciesPerRoleQuota_IsAQuotaAfterOneAttempt()
    {
        await Iam.CreateRoleAsync("SplitCcp-Agent", Trust, default);
        for (var i = 0; i < 10; i++)
        {
            await Iam.AttachRolePolicyAsync("SplitCcp-Agent", $"arn:aws:iam::aws:policy/Managed{i}", default);
        }

        var attempts = IamAttempts();
        var ex = await Should.ThrowAsync<AwsCallException>(() => Iam.AttachRolePolicyAsync("SplitCcp-Agent", "arn:aws:iam::aws:policy/Managed10", default));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.QuotaExceeded);
        ex.Failure.Message.ShouldContain("AWS said: Cannot exceed quota for PoliciesPerRole: 10.");
        ex.Failure.Message.ShouldContain("Service Quotas console (AWS Identity and Access Management (IAM), region us-east-1)");
        (IamAttempts() - attempts).ShouldBe(1, "a quota is not retried");
        (await Iam.ListAttachedRolePoliciesAsync("SplitCcp-Agent", default)).Count.ShouldBe(10);
    }

    private long IamAttempts() => World.Attempts(AwsServices.Iam);

    private async Task<string> IdentityCenterMetadataAsync()
    {
        var application = await World.Console.CreateSamlApplicationAsync(World.TenantId, "Split CCP");
        return (await IdentityCenter.GetSamlMetadataAsync(application.MetadataUrl, default))!;
    }
}
