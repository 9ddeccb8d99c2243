using System.Xml.Linq;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Tests.Integration.Aws;

/// <summary>CloudFrontGateway on the wire against moto_server's CloudFront (REST-XML, API 2020-05-31, signed for us-east-1).</summary>
public sealed class CloudFrontGatewayTests(MotoServer moto) : StubbedGatewayTests, IClassFixture<MotoServer>
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    private CloudFrontGateway Gateway() => new(AwsTestKit.MotoClient(moto), Caller);

    [Fact]
    public async Task OriginAccessControl_CreateThenFind_FindsItByName()
    {
        var cloudFront = Gateway();
        var other = await cloudFront.CreateOriginAccessControlAsync($"other-{_suffix}", CancellationToken.None);

        var created = await cloudFront.CreateOriginAccessControlAsync($"splitccp-{_suffix}", CancellationToken.None);
        var found = await cloudFront.FindOriginAccessControlAsync($"splitccp-{_suffix}", CancellationToken.None);

        created.Name.ShouldBe($"splitccp-{_suffix}");
        created.Id.ShouldNotBeNullOrWhiteSpace();
        created.Id.ShouldNotBe(other.Id);
        found.ShouldBe(created);
        (await cloudFront.FindOriginAccessControlAsync($"missing-{_suffix}", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task CreateDistribution_ReturnsTheDistributionAsConfigured()
    {
        var cloudFront = Gateway();
        var oac = await cloudFront.CreateOriginAccessControlAsync($"dist-{_suffix}", CancellationToken.None);
        var origin = $"ccp-pages-{_suffix}.s3.eu-west-2.amazonaws.com";

        var created = await cloudFront.CreateDistributionAsync($"ref-{_suffix}", $"SplitCcp acme {_suffix}", origin, oac.Id, CancellationToken.None);

        created.Id.ShouldNotBeNullOrWhiteSpace();
        created.Arn.ShouldStartWith("arn:aws:cloudfront:");
        created.Arn.ShouldEndWith($"{AwsTestKit.AccountId}:distribution/{created.Id}", Case.Sensitive, "moto leaves out the empty region of AWS's ARN");
        created.DomainName.ShouldEndWith(".cloudfront.net");
        created.Enabled.ShouldBeTrue();
        created.Comment.ShouldBe($"SplitCcp acme {_suffix}");
        created.OriginDomainName.ShouldBe(origin);

        // moto drops the origin's OAC and its ListDistributions leaves out each summary's comment and origins: the request's
        // shape and finding by comment are proven on the stub below.
        await cloudFront.FindDistributionByCommentAsync($"SplitCcp acme {_suffix}", CancellationToken.None);
    }

    [Fact]
    public async Task FindDistributionByComment_AwsListingOfTwoPages_FindsItOnTheSecond()
    {
        Stub.OnRest("cloudfront", "GET", "/2020-05-31/distribution", call => StubReply.Xml(call.Query.GetValueOrDefault("Marker") switch
        {
            null => DistributionList("EFIRST", "Another tenant", "other.s3.eu-west-2.amazonaws.com", null, nextMarker: "EFIRST"),
            "EFIRST" => DistributionList("ESECOND", "SplitCcp acme", "acme.s3.eu-west-2.amazonaws.com", "E2QWRUHAPOMQZL", nextMarker: null),
            _ => throw new InvalidOperationException("unexpected marker"),
        }));
        var cloudFront = new CloudFrontGateway(AwsTestKit.StubClient(Stub), Caller);

        var found = await cloudFront.FindDistributionByCommentAsync("SplitCcp acme", CancellationToken.None);
        var missing = await cloudFront.FindDistributionByCommentAsync("nobody", CancellationToken.None);

        found.ShouldBe(new CloudFrontDistribution("ESECOND", "arn:aws:cloudfront::123456789012:distribution/ESECOND", "d111ESECOND.cloudfront.net",
            "Deployed", true, "SplitCcp acme", "acme.s3.eu-west-2.amazonaws.com", "E2QWRUHAPOMQZL"));
        missing.ShouldBeNull();
        Stub.Calls.Select(c => c.Query.GetValueOrDefault("Marker")).ShouldBe([null, "EFIRST", null, "EFIRST"]);
    }

    [Fact]
    public async Task CreateDistribution_SendsTheDocumentedConfigAndReadsTheAnswer()
    {
        Stub.OnRest("cloudfront", "POST", "/2020-05-31/distribution", _ => StubReply.Xml($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Distribution xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
              <Id>ENEW</Id><ARN>arn:aws:cloudfront::123456789012:distribution/ENEW</ARN><Status>InProgress</Status>
              <LastModifiedTime>2026-01-01T00:00:00Z</LastModifiedTime><InProgressInvalidationBatches>0</InProgressInvalidationBatches>
              <DomainName>d222ENEW.cloudfront.net</DomainName>
              {DistributionConfigXml("SplitCcp acme", "acme.s3.eu-west-2.amazonaws.com", "E2QWRUHAPOMQZL")}
            </Distribution>
            """));
        var cloudFront = new CloudFrontGateway(AwsTestKit.StubClient(Stub), Caller);

        var created = await cloudFront.CreateDistributionAsync("ref-1", "SplitCcp acme", "acme.s3.eu-west-2.amazonaws.com", "E2QWRUHAPOMQZL", CancellationToken.None);

        created.ShouldBe(new CloudFrontDistribution("ENEW", "arn:aws:cloudfront::123456789012:distribution/ENEW", "d222ENEW.cloudfront.net",
            "InProgress", true, "SplitCcp acme", "acme.s3.eu-west-2.amazonaws.com", "E2QWRUHAPOMQZL"));
        var sent = XElement.Parse(Stub.Calls.Single().RawBody);
        XNamespace ns = "http://cloudfront.amazonaws.com/doc/2020-05-31/";
        sent.Name.ShouldBe(ns + "DistributionConfig");
        sent.Elements().Select(e => e.Name.LocalName).ShouldBe(["CallerReference", "Origins", "DefaultCacheBehavior", "Comment", "Enabled"], "the schema's order");
        sent.Element(ns + "CallerReference")!.Value.ShouldBe("ref-1");
        var sentOrigin = sent.Element(ns + "Origins")!.Element(ns + "Items")!.Element(ns + "Origin")!;
        sentOrigin.Element(ns + "DomainName")!.Value.ShouldBe("acme.s3.eu-west-2.amazonaws.com");
        sentOrigin.Element(ns + "OriginAccessControlId")!.Value.ShouldBe("E2QWRUHAPOMQZL");
        sentOrigin.Element(ns + "S3OriginConfig")!.Element(ns + "OriginAccessIdentity")!.Value.ShouldBeEmpty("an OAC origin has no legacy OAI");
        var behaviour = sent.Element(ns + "DefaultCacheBehavior")!;
        behaviour.Element(ns + "TargetOriginId")!.Value.ShouldBe(sentOrigin.Element(ns + "Id")!.Value);
        behaviour.Element(ns + "ViewerProtocolPolicy")!.Value.ShouldBe("redirect-to-https");
        behaviour.Element(ns + "CachePolicyId")!.Value.ShouldBe(CloudFrontGateway.CachingOptimizedPolicyId);
        sent.Element(ns + "Enabled")!.Value.ShouldBe("true");
    }

    private static string DistributionConfigXml(string comment, string originDomain, string? oacId) => $"""
        <DistributionConfig><CallerReference>ref-1</CallerReference>
          <Origins><Quantity>1</Quantity><Items><Origin>
            <Id>ccp-pages-bucket</Id><DomainName>{originDomain}</DomainName><OriginPath></OriginPath>
            <S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig>
            <OriginAccessControlId>{oacId}</OriginAccessControlId>
          </Origin></Items></Origins>
          <DefaultCacheBehavior><TargetOriginId>ccp-pages-bucket</TargetOriginId><ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy></DefaultCacheBehavior>
          <Comment>{comment}</Comment><Enabled>true</Enabled>
        </DistributionConfig>
        """;

    /// <summary>One page of ListDistributions as the API reference documents it.</summary>
    private static string DistributionList(string id, string comment, string originDomain, string? oacId, string? nextMarker) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <DistributionList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
          <Marker></Marker>{(nextMarker is null ? "" : $"<NextMarker>{nextMarker}</NextMarker>")}
          <MaxItems>100</MaxItems><IsTruncated>{(nextMarker is null ? "false" : "true")}</IsTruncated><Quantity>1</Quantity>
          <Items><DistributionSummary>
            <Id>{id}</Id><ARN>arn:aws:cloudfront::123456789012:distribution/{id}</ARN><ETag>E1</ETag><Status>Deployed</Status>
            <LastModifiedTime>2026-01-01T00:00:00Z</LastModifiedTime><DomainName>d111{id}.cloudfront.net</DomainName>
            <Aliases><Quantity>0</Quantity></Aliases>
            <Origins><Quantity>1</Quantity><Items><Origin>
              <Id>ccp-pages-bucket</Id><DomainName>{originDomain}</DomainName><OriginPath></OriginPath>
              <S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig>
              <OriginAccessControlId>{oacId}</OriginAccessControlId>
            </Origin></Items></Origins>
            <Comment>{comment}</Comment><PriceClass>PriceClass_All</PriceClass><Enabled>true</Enabled>
          </DistributionSummary></Items>
        </DistributionList>
        """;

    [Fact]
    public async Task CreateDistribution_OriginThatIsNoBucket_IsInvalidInputWithAwsMessageNotRetried()
    {
        var ex = await Should.ThrowAsync<AwsCallException>(() =>
            Gateway().CreateDistributionAsync($"ref-{_suffix}", "no origin", "example.com", "", CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        ex.Failure.Message.ShouldContain("AWS said: The parameter Origin DomainName does not refer to a valid S3 bucket.", Case.Sensitive,
            "the REST-XML <Error><Message> reaches the operator");
        Caller.Operations.Count(o => ReferenceEquals(o, CloudFrontOperations.CreateDistribution)).ShouldBe(1);
    }

    [Fact]
    public async Task Tour_EveryCloudFrontOperation_IsADeclaredOperation()
    {
        await TourAsync(typeof(CloudFrontOperations), OriginAccessControl_CreateThenFind_FindsItByName, CreateDistribution_ReturnsTheDistributionAsConfigured);
    }
}
