using Amazon.Runtime;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Aws.Signed;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Integration.Aws;

/// <summary>
/// IdentityCenterGateway on the wire against the stub (moto has no SSO Admin applications nor Identity Store): SSO Admin
/// signed as "sso" with target SWBExternalService, Identity Store as "identitystore" with AWSIdentityStore, and the
/// SAML metadata as an unsigned GET that only goes to Identity Center's portal host.
/// </summary>
public sealed class IdentityCenterGatewayTests : StubbedGatewayTests
{
    private const string Sso = "SWBExternalService.";
    private const string Store = "AWSIdentityStore.";
    private const string InstanceArn = "arn:aws:sso:::instance/ssoins-1111222233334444";
    private const string ApplicationArn = "arn:aws:sso::123456789012:application/ssoins-1111222233334444/apl-aaaabbbbccccdddd";
    private const string StoreId = "d-1234567890";
    private IdentityCenterGateway Gateway() => new(AwsTestKit.StubClient(Stub), Caller);

    [Fact]
    public async Task ListInstances_EveryPage()
    {
        Stub.OnTarget("sso", Sso + "ListInstances", call => StubReply.Json(call.Body.TryGetProperty("NextToken", out _)
            ? new { Instances = new[] { new { InstanceArn = InstanceArn + "-b", IdentityStoreId = "d-b", Status = "ACTIVE" } }, NextToken = (string?)null }
            : new { Instances = new[] { new { InstanceArn, IdentityStoreId = StoreId, Status = "ACTIVE" } }, NextToken = (string?)"next" }));

        var instances = await Gateway().ListInstancesAsync(CancellationToken.None);

        instances.ShouldBe([new IdentityCenterInstance(InstanceArn, StoreId), new IdentityCenterInstance(InstanceArn + "-b", "d-b")]);
        Stub.CallsTo(Sso + "ListInstances")[1].Body.GetProperty("NextToken").GetString().ShouldBe("next");
    }

    [Fact]
    public async Task Application_DescribeListAndCreateAssignments()
    {
        Stub.OnTarget("sso", Sso + "DescribeApplication", call => call.Body.GetProperty("ApplicationArn").GetString() == ApplicationArn
            ? StubReply.Json(new { ApplicationArn, Name = "SplitCcp Connect", Status = "ENABLED", InstanceArn, ApplicationAccount = "123456789012" })
            : StubReply.JsonRpcError(400, "ResourceNotFoundException", "Application not found"));
        Stub.OnTarget("sso", Sso + "ListApplicationAssignments", _ => StubReply.Json(new
        {
            ApplicationAssignments = new[] { new { ApplicationArn, PrincipalId = "g-agents", PrincipalType = "GROUP" } },
        }));
        Stub.OnTarget("sso", Sso + "CreateApplicationAssignment", _ => StubReply.Empty());
        var identityCenter = Gateway();

        var application = await identityCenter.DescribeApplicationAsync(ApplicationArn, CancellationToken.None);
        var missing = await identityCenter.DescribeApplicationAsync(ApplicationArn + "x", CancellationToken.None);
        var assignments = await identityCenter.ListApplicationAssignmentsAsync(ApplicationArn, CancellationToken.None);
        await identityCenter.CreateApplicationAssignmentAsync(ApplicationArn, "u-jane", "USER", CancellationToken.None);

        application.ShouldBe(new IdentityCenterApplication(ApplicationArn, "SplitCcp Connect", "ENABLED", InstanceArn));
        application!.Enabled.ShouldBeTrue();
        missing.ShouldBeNull();
        assignments.ShouldBe([new ApplicationAssignment("g-agents", "GROUP")]);
        var create = Stub.CallsTo(Sso + "CreateApplicationAssignment").Single().Body;
        (create.GetProperty("ApplicationArn").GetString(), create.GetProperty("PrincipalId").GetString(), create.GetProperty("PrincipalType").GetString())
            .ShouldBe((ApplicationArn, "u-jane", "USER"));
    }

    [Fact]
    public async Task IdentityStore_FindsUserAndGroupIdsByUniqueAttribute()
    {
        // The stub knows each principal under the one attribute path AWS accepts for it; any other path finds nothing.
        StubReply Lookup(StubCall call, string idName, string path, string known, string id)
        {
            var attribute = call.Body.GetProperty("AlternateIdentifier").GetProperty("UniqueAttribute");
            return attribute.GetProperty("AttributePath").GetString() == path && attribute.GetProperty("AttributeValue").GetString() == known
                ? StubReply.Json(new Dictionary<string, string> { ["IdentityStoreId"] = StoreId, [idName] = id })
                : StubReply.JsonRpcError(400, "ResourceNotFoundException", "No such principal");
        }

        Stub.OnTarget("identitystore", Store + "GetUserId", call => Lookup(call, "UserId", "userName", "jane@acme.example", "u-jane"));
        Stub.OnTarget("identitystore", Store + "GetGroupId", call => Lookup(call, "GroupId", "displayName", "Agents", "g-agents"));
        var identityCenter = Gateway();

        (await identityCenter.FindUserIdAsync(StoreId, "jane@acme.example", CancellationToken.None)).ShouldBe("u-jane");
        (await identityCenter.FindUserIdAsync(StoreId, "nobody@acme.example", CancellationToken.None)).ShouldBeNull();
        (await identityCenter.FindGroupIdAsync(StoreId, "Agents", CancellationToken.None)).ShouldBe("g-agents");
        (await identityCenter.FindGroupIdAsync(StoreId, "Nobody", CancellationToken.None)).ShouldBeNull();
        Stub.Calls.Select(c => c.Service).Distinct().ShouldBe(["identitystore"], "signed for the Identity Store, not SSO Admin");
    }

    [Fact]
    public async Task IdentityStore_GroupsOfMember_AsksAHundredGroupsACallAndKeepsThoseWithTheMember()
    {
        var groups = Enumerable.Range(0, 150).Select(i => $"9067d4d4c5-{Guid.NewGuid()}").ToList();
        Stub.OnTarget("identitystore", Store + "IsMemberInGroups", call => StubReply.Json(new
        {
            Results = call.Body.GetProperty("GroupIds").EnumerateArray().Select(g => g.GetString()!).Select(g => new
            {
                GroupId = g, MemberId = new { UserId = call.Body.GetProperty("MemberId").GetProperty("UserId").GetString() }, MembershipExists = g == groups[120],
            }),
        }));
        const string user = "9067d4d4c5-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

        var member = await Gateway().GroupsOfMemberAsync(StoreId, user, groups, CancellationToken.None);

        member.ShouldBe([groups[120]]);
        var calls = Stub.CallsTo(Store + "IsMemberInGroups");
        calls.Select(c => c.Body.GetProperty("GroupIds").GetArrayLength()).ShouldBe([100, 50]);
        calls.SelectMany(c => Botocore.RequestProblems("identitystore", "IsMemberInGroups", c.Body)).ShouldBeEmpty();
    }

    [Fact]
    public async Task IdentityStore_SendsTheAttributePathsAwsDocuments()
    {
        // The identitystore model: "the only valid paths are userName and emails.value" (GetUserId), "the only valid path is
        // displayName" (GetGroupId). Paths are case-sensitive JMESPath, so UserName or DisplayName match no one.
        Stub.OnTarget("identitystore", Store + "GetUserId", _ => StubReply.Json(new { IdentityStoreId = StoreId, UserId = "u-jane" }));
        Stub.OnTarget("identitystore", Store + "GetGroupId", _ => StubReply.Json(new { IdentityStoreId = StoreId, GroupId = "g-agents" }));
        var identityCenter = Gateway();

        await identityCenter.FindUserIdAsync(StoreId, "jane@acme.example", CancellationToken.None);
        await identityCenter.FindGroupIdAsync(StoreId, "Agents", CancellationToken.None);

        var user = Stub.CallsTo(Store + "GetUserId").Single().Body;
        user.GetProperty("IdentityStoreId").GetString().ShouldBe(StoreId);
        user.GetProperty("AlternateIdentifier").GetRawText().ShouldBe("""{"UniqueAttribute":{"AttributePath":"userName","AttributeValue":"jane@acme.example"}}""");
        var group = Stub.CallsTo(Store + "GetGroupId").Single().Body;
        group.GetProperty("IdentityStoreId").GetString().ShouldBe(StoreId);
        group.GetProperty("AlternateIdentifier").GetRawText().ShouldBe("""{"UniqueAttribute":{"AttributePath":"displayName","AttributeValue":"Agents"}}""");
    }

    [Fact]
    public async Task GetSamlMetadata_FromTheOverrideHost_IsAnUnsignedGet()
    {
        Stub.OnPublicGet("/saml/metadata/abc123", () => StubReply.Xml("<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"idc\"/>"));
        var identityCenter = Gateway();

        var metadata = await identityCenter.GetSamlMetadataAsync(new Uri(Stub.Endpoint, "/saml/metadata/abc123").ToString(), CancellationToken.None);
        var missing = await identityCenter.GetSamlMetadataAsync(new Uri(Stub.Endpoint, "/saml/metadata/unknown").ToString(), CancellationToken.None);

        metadata.ShouldBe("<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"idc\"/>");
        missing.ShouldBeNull("the stub answers 404 for an unknown URL");
        Stub.Refusals.ShouldNotContain(r => r.Type == "UnexpectedCredentials", "no credentials go to the metadata URL");
        Caller.Operations.Count(o => ReferenceEquals(o, IdentityCenterOperations.GetSamlMetadata)).ShouldBe(2);
    }

    [Theory]
    [InlineData("https://evil.example.com/saml/metadata/abc")]
    [InlineData("https://portal.sso.eu-west-2.amazonaws.com.evil.example/saml/metadata/abc")]
    [InlineData("https://portal.sso.amazonaws.com/saml/metadata/abc")]
    [InlineData("http://portal.sso.eu-west-2.amazonaws.com/saml/metadata/abc")]
    [InlineData("https://portal.sso.eu-west-2.amazonaws.com:8443/saml/metadata/abc")]
    [InlineData("https://user:pass@portal.sso.eu-west-2.amazonaws.com/saml/metadata/abc")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/saml/metadata/abc")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    public async Task GetSamlMetadata_AnyOtherHost_IsRefusedBeforeAnyRequest(string url)
    {
        var identityCenter = new IdentityCenterGateway(new AwsSignedClient(AwsTestKit.Http, new AnonymousAWSCredentials(), "eu-west-2"), Caller);

        var ex = await Should.ThrowAsync<AwsCallException>(() => identityCenter.GetSamlMetadataAsync(url, CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        ex.Message.ShouldContain("https://portal.sso.<region>.amazonaws.com/saml/metadata/");
        Caller.Operations.ShouldBeEmpty();
    }

    [Fact]
    public void CheckMetadataUrl_IdentityCentersPortalInTheRegion_IsAccepted() =>
        new IdentityCenterGateway(new AwsSignedClient(AwsTestKit.Http, new AnonymousAWSCredentials(), "eu-west-2"), Caller)
            .CheckMetadataUrl("https://portal.sso.eu-west-2.amazonaws.com/saml/metadata/MTIzNDU2Nzg5MDEyX2lucy0x")
            .AbsolutePath.ShouldBe("/saml/metadata/MTIzNDU2Nzg5MDEyX2lucy0x");

    [Fact]
    public void CheckMetadataUrl_IdentityCenterInAnotherRegionThanConnect_IsAccepted() =>
        new IdentityCenterGateway(new AwsSignedClient(AwsTestKit.Http, new AnonymousAWSCredentials(), "eu-west-2"), Caller)
            .CheckMetadataUrl("https://portal.sso.us-east-1.amazonaws.com/saml/metadata/MTIzNDU2Nzg5MDEyX2lucy0x")
            .Host.ShouldBe("portal.sso.us-east-1.amazonaws.com");

    [Fact]
    public async Task GetSamlMetadata_WithAnOverride_RefusesTheRealPortalToo()
    {
        var ex = await Should.ThrowAsync<AwsCallException>(() =>
            Gateway().GetSamlMetadataAsync("https://portal.sso.eu-west-2.amazonaws.com/saml/metadata/abc", CancellationToken.None));

        ex.Message.ShouldContain(Stub.Endpoint.GetLeftPart(UriPartial.Authority));
    }

    [Fact]
    public async Task Throttled_IsRetriedThenReportedAsThrottled()
    {
        Stub.OnTarget("sso", Sso + "ListApplicationAssignments", _ => StubReply.JsonRpcError(400, "ThrottlingException", "Rate exceeded"));

        var ex = await Should.ThrowAsync<AwsCallException>(() => Gateway().ListApplicationAssignmentsAsync(ApplicationArn, CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.Throttled);
        ex.Failure.Service.ShouldBe(AwsServices.IdentityCenter);
        Stub.CallsTo(Sso + "ListApplicationAssignments").Length.ShouldBe(AwsTestKit.FastRetry.MaxRetries + 1);
    }

    [Fact]
    public async Task AccessDenied_NamesTheAction()
    {
        Stub.OnTarget("sso", Sso + "CreateApplicationAssignment", _ => StubReply.JsonRpcError(400, "AccessDeniedException", "User is not authorized"));

        var ex = await Should.ThrowAsync<AwsCallException>(() =>
            Gateway().CreateApplicationAssignmentAsync(ApplicationArn, "u-jane", "USER", CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.AccessDenied);
        ex.Failure.Message.ShouldContain("AWS denied sso:CreateApplicationAssignment");
    }

    [Fact]
    public async Task Tour_EveryIdentityCenterOperation_IsADeclaredOperation()
    {
        await TourAsync(typeof(IdentityCenterOperations),
            ListInstances_EveryPage, Application_DescribeListAndCreateAssignments, IdentityStore_FindsUserAndGroupIdsByUniqueAttribute,
            IdentityStore_GroupsOfMember_AsksAHundredGroupsACallAndKeepsThoseWithTheMember, GetSamlMetadata_FromTheOverrideHost_IsAnUnsignedGet);
    }
}
