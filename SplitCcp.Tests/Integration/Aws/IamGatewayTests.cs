using System.Text.Json;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Aws.Signed;

namespace SplitCcp.Tests.Integration.Aws;

/// <summary>IamGateway on the wire against moto_server's IAM (Query protocol, XML answers).</summary>
public sealed class IamGatewayTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private readonly RecordingCaller _caller = new(AwsTestKit.Caller());
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    private IamGateway Gateway() => new(AwsTestKit.MotoClient(moto), _caller);

    private static string Metadata(string entityId) => $"""
        <?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entityId}">
        <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleSignOnService
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://portal.sso.eu-west-2.amazonaws.com/saml/assertion/x"/>
        </md:IDPSSODescriptor></md:EntityDescriptor>
        """;

    // Characters that URL-encoding would change, so a document that is not decoded cannot pass for one that is.
    private static string PolicyDocument(string action) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Sid":"Pages & origin","Effect":"Allow","Action":"{{action}}","Resource":"arn:aws:s3:::ccp-pages/*"}]}""";

    private static string TrustPolicy(string providerArn) =>
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"PROVIDER"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}"""
            .Replace("PROVIDER", providerArn, StringComparison.Ordinal);

    [Fact]
    public async Task SamlProvider_CreateGetUpdate_RoundTripsTheMetadata()
    {
        var iam = Gateway();

        var arn = await iam.CreateSamlProviderAsync($"SplitCcp-{_suffix}", Metadata("first"), CancellationToken.None);
        var created = await iam.GetSamlProviderMetadataAsync(arn, CancellationToken.None);
        await iam.UpdateSamlProviderAsync(arn, Metadata("second"), CancellationToken.None);
        var updated = await iam.GetSamlProviderMetadataAsync(arn, CancellationToken.None);

        arn.ShouldBe($"arn:aws:iam::{AwsTestKit.AccountId}:saml-provider/SplitCcp-{_suffix}");
        created.ShouldBe(Metadata("first"));
        updated.ShouldBe(Metadata("second"));
    }

    [Fact]
    public async Task Reads_MissingEntities_AreNull()
    {
        var iam = Gateway();
        var account = AwsTestKit.AccountId;

        (await iam.GetSamlProviderMetadataAsync($"arn:aws:iam::{account}:saml-provider/missing-{_suffix}", CancellationToken.None)).ShouldBeNull();
        (await iam.GetPolicyAsync($"arn:aws:iam::{account}:policy/missing-{_suffix}", CancellationToken.None)).ShouldBeNull();
        (await iam.GetRoleAsync($"missing-{_suffix}", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Policy_CreateAndVersions_DecodesDocumentsAndTracksTheDefault()
    {
        var iam = Gateway();

        var arn = await iam.CreatePolicyAsync($"SplitCcp-Federation-{_suffix}", PolicyDocument("s3:GetObject"), CancellationToken.None);
        var v2 = await iam.CreatePolicyVersionAsync(arn, PolicyDocument("s3:*"), setAsDefault: true, CancellationToken.None);
        var policy = await iam.GetPolicyAsync(arn, CancellationToken.None);
        var versions = await iam.ListPolicyVersionsAsync(arn, CancellationToken.None);
        var current = await iam.GetPolicyVersionAsync(arn, v2, CancellationToken.None);
        var first = await iam.GetPolicyVersionAsync(arn, "v1", CancellationToken.None);

        policy.ShouldBe(new IamPolicy(arn, $"SplitCcp-Federation-{_suffix}", v2));
        versions.Select(v => (v.VersionId, v.IsDefault)).OrderBy(v => v.VersionId).ShouldBe([("v1", false), ("v2", true)]);
        versions.ShouldAllBe(v => v.Document == null && v.CreatedAt > DateTimeOffset.UtcNow.AddHours(-1));
        current!.Document.ShouldBe(PolicyDocument("s3:*"));
        current.IsDefault.ShouldBeTrue();
        first!.Document.ShouldBe(PolicyDocument("s3:GetObject"));
        (await iam.GetPolicyVersionAsync(arn, "v9", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task CreatePolicyVersion_AtTheFiveVersionLimit_DeletesTheOldestNonDefaultFirst()
    {
        var iam = Gateway();
        var arn = await iam.CreatePolicyAsync($"SplitCcp-Limit-{_suffix}", PolicyDocument("s3:GetObject"), CancellationToken.None);
        for (var i = 2; i <= IamGateway.MaxPolicyVersions; i++)
        {
            await iam.CreatePolicyVersionAsync(arn, PolicyDocument($"s3:Get{i}"), setAsDefault: i == 3, CancellationToken.None);
        }

        var sixth = await iam.CreatePolicyVersionAsync(arn, PolicyDocument("s3:Get6"), setAsDefault: true, CancellationToken.None);

        sixth.ShouldBe("v6");
        var versions = await iam.ListPolicyVersionsAsync(arn, CancellationToken.None);
        versions.Select(v => v.VersionId).Order().ToList().ShouldBe(["v2", "v3", "v4", "v5", "v6"], "v1, the oldest that was not the default, made room");
        versions.Single(v => v.IsDefault).VersionId.ShouldBe("v6");
    }

    [Fact]
    public async Task CreatePolicyVersion_SixthVersionSentAsIs_IsRefusedByAwsWithLimitExceeded()
    {
        // What the gateway avoids: AWS's own answer to a sixth version, through the same signed Query protocol.
        var iam = Gateway();
        var arn = await iam.CreatePolicyAsync($"SplitCcp-Raw-{_suffix}", PolicyDocument("s3:GetObject"), CancellationToken.None);
        for (var i = 2; i <= IamGateway.MaxPolicyVersions; i++)
        {
            await iam.CreatePolicyVersionAsync(arn, PolicyDocument($"s3:Get{i}"), setAsDefault: false, CancellationToken.None);
        }

        var query = new AwsQuery(AwsTestKit.MotoClient(moto), _caller, AwsSignedService.Iam, "2010-05-08");
        var ex = await Should.ThrowAsync<AwsCallException>(() => query.CallAsync(IamOperations.CreatePolicyVersion, arn,
            [("PolicyArn", arn), ("PolicyDocument", PolicyDocument("s3:Get6"))], CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.QuotaExceeded, "a quota refusal must not be retried as throttling");
        ex.Failure.IsTransient.ShouldBeFalse();
        ex.Failure.Message.ShouldContain("up to 5 versions");
        ex.Failure.Message.ShouldContain("(AWS Identity and Access Management (IAM), region us-east-1)", customMessage: "IAM is global: its quotas are where it is signed");
        _caller.Operations.Count(o => ReferenceEquals(o, IamOperations.CreatePolicyVersion)).ShouldBe(4 + 1, "four creates, then one refused attempt");
    }

    [Fact]
    public async Task DeletePolicyVersion_RemovesIt()
    {
        var iam = Gateway();
        var arn = await iam.CreatePolicyAsync($"SplitCcp-Delete-{_suffix}", PolicyDocument("s3:GetObject"), CancellationToken.None);
        await iam.CreatePolicyVersionAsync(arn, PolicyDocument("s3:*"), setAsDefault: true, CancellationToken.None);

        await iam.DeletePolicyVersionAsync(arn, "v1", CancellationToken.None);

        (await iam.ListPolicyVersionsAsync(arn, CancellationToken.None)).Select(v => v.VersionId).ShouldBe(["v2"]);
        (await iam.GetPolicyVersionAsync(arn, "v1", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Role_CreateGetUpdateTrustAttachAndList()
    {
        var iam = Gateway();
        var providerArn = await iam.CreateSamlProviderAsync($"SplitCcp-Role-{_suffix}", Metadata("role"), CancellationToken.None);
        var roleName = $"SplitCcp-Agent-{_suffix}";

        var roleArn = await iam.CreateRoleAsync(roleName, TrustPolicy(providerArn), CancellationToken.None);
        var created = await iam.GetRoleAsync(roleName, CancellationToken.None);
        await iam.UpdateAssumeRolePolicyAsync(roleName, TrustPolicy(providerArn + "-next"), CancellationToken.None);
        var updated = await iam.GetRoleAsync(roleName, CancellationToken.None);
        var policyArn = await iam.CreatePolicyAsync($"SplitCcp-Attach-{_suffix}", PolicyDocument("s3:GetObject"), CancellationToken.None);
        (await iam.ListAttachedRolePoliciesAsync(roleName, CancellationToken.None)).ShouldBeEmpty();
        await iam.AttachRolePolicyAsync(roleName, policyArn, CancellationToken.None);
        var attached = await iam.ListAttachedRolePoliciesAsync(roleName, CancellationToken.None);

        roleArn.ShouldBe($"arn:aws:iam::{AwsTestKit.AccountId}:role/{roleName}");
        created.ShouldBe(new IamRole(roleArn, roleName, TrustPolicy(providerArn)));
        JsonDocument.Parse(updated!.TrustPolicy).RootElement.GetProperty("Statement")[0].GetProperty("Principal").GetProperty("Federated").GetString()
            .ShouldBe(providerArn + "-next");
        attached.ShouldBe([policyArn]);
    }

    [Fact]
    public async Task Tour_EveryIamOperation_IsADeclaredOperation()
    {
        await SamlProvider_CreateGetUpdate_RoundTripsTheMetadata();
        await Policy_CreateAndVersions_DecodesDocumentsAndTracksTheDefault();
        await DeletePolicyVersion_RemovesIt();
        await Role_CreateGetUpdateTrustAttachAndList();

        _caller.ShouldUseExactlyTheDeclared(typeof(IamOperations));
    }
}
