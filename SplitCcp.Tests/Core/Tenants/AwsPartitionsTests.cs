using System.Text.Json;
using Amazon.Runtime;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Signed;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Tenants;

/// <summary>The partition table against botocore's endpoints.json and service models, AWS's own description of every endpoint.</summary>
public sealed class AwsPartitionsTests
{
    private static readonly AwsSignedService[] s_regional = [AwsSignedService.Connect, AwsSignedService.AppStream];
    private static readonly AwsSignedService[] s_identityCenter = [AwsSignedService.SsoAdmin, AwsSignedService.IdentityStore];

    [Fact]
    public void All_AreExactlyThePartitionsWhereConnectAndAppStreamBothRun_WithTheirRegions()
    {
        var expected = Partitions()
            .Select(p => (Id: p.GetProperty("partition").GetString()!, Regions: RegionsOf(p, "connect").Intersect(RegionsOf(p, "appstream2")).Order(StringComparer.Ordinal).ToList()))
            .Where(p => p.Regions.Count > 0)
            .ToList();

        AwsPartitions.All.Select(p => p.Id).Order(StringComparer.Ordinal).ShouldBe(expected.Select(p => p.Id).Order(StringComparer.Ordinal));
        expected.Select(p => p.Id).ShouldNotContain("aws-cn", "China has no Amazon Connect");
        foreach (var (id, regions) in expected)
        {
            Partition(id).Regions.ShouldBe(regions, id);
        }
    }

    [Fact]
    public void EveryPartition_HasBotocoresSuffixRegionPatternAndIdentityCenterRegions()
    {
        foreach (var partition in AwsPartitions.All)
        {
            var data = Data(partition);
            partition.DnsSuffix.ShouldBe(data.GetProperty("dnsSuffix").GetString(), partition.Id);
            partition.RegionPattern.ToString().ShouldBe(data.GetProperty("regionRegex").GetString(), partition.Id);
            partition.IdentityCenterRegions.ShouldBe([.. RegionsOf(data, "sso").Intersect(RegionsOf(data, "identitystore")).Order(StringComparer.Ordinal)], partition.Id);
            partition.IdentityCenterRegions.ShouldBe([.. RegionsOf(data, "sso").Order(StringComparer.Ordinal)], $"{partition.Id}: SSO Admin and the Identity Store run in the same regions");
            foreach (var region in data.GetProperty("regions").EnumerateObject().Select(r => r.Name))
            {
                AwsPartitions.Of(region).ShouldBeSameAs(partition, region);
            }
        }
    }

    [Fact]
    public void EveryRegionalEndpoint_IsBotocoresHost_SignedForTheRegion()
    {
        var checkedEndpoints = 0;
        foreach (var partition in AwsPartitions.All)
        {
            var data = Data(partition);
            foreach (var (regions, services) in new[] { (partition.Regions, s_regional), (partition.IdentityCenterRegions, s_identityCenter) })
            {
                foreach (var region in regions)
                {
                    var client = new AwsSignedClient(new HttpClient(), new AnonymousAWSCredentials(), region);
                    foreach (var service in services)
                    {
                        var (host, signingRegion, signingName) = Resolve(data, service.EndpointPrefix, region);
                        client.EndpointFor(service).ShouldBe(new Uri($"https://{host}"), $"{service.EndpointPrefix} in {region}");
                        client.SigningRegionFor(service).ShouldBe(signingRegion, $"{service.EndpointPrefix} in {region}");
                        service.SigningName.ShouldBe(signingName ?? service.EndpointPrefix);
                        checkedEndpoints++;
                    }
                }
            }
        }

        checkedEndpoints.ShouldBe(AwsPartitions.All.Sum(p => (p.Regions.Count * 2) + (p.IdentityCenterRegions.Count * 2)));
    }

    [Fact]
    public void GlobalEndpoints_AreBotocoresPartitionEndpoints_AndCloudFrontIsMissingWhereBotocoreHasNone()
    {
        foreach (var partition in AwsPartitions.All)
        {
            var data = Data(partition);
            foreach (var service in new[] { AwsSignedService.Iam, AwsSignedService.CloudFront })
            {
                var ours = partition.GlobalEndpointOf(service.EndpointPrefix);
                if (!data.GetProperty("services").TryGetProperty(service.EndpointPrefix, out var described))
                {
                    ours.ShouldBeNull($"{partition.Id} has no {service.EndpointPrefix}");
                    continue;
                }

                described.GetProperty("isRegionalized").GetBoolean().ShouldBeFalse();
                var endpoint = described.GetProperty("endpoints").GetProperty(described.GetProperty("partitionEndpoint").GetString()!);
                ours.ShouldBe(new GlobalEndpoint(endpoint.GetProperty("hostname").GetString()!, endpoint.GetProperty("credentialScope").GetProperty("region").GetString()!),
                    $"{service.EndpointPrefix} in {partition.Id}");
            }
        }

        AwsPartitions.GovCloud.CloudFront.ShouldBeNull();
        AwsPartitions.GovCloud.Iam.ShouldBe(new GlobalEndpoint("iam.us-gov.amazonaws.com", "us-gov-west-1"));
    }

    [Fact]
    public void GovCloud_IamEndpointAndSigningRegion_AreTheGovCloudOnes()
    {
        var client = new AwsSignedClient(new HttpClient(), new AnonymousAWSCredentials(), "us-gov-west-1");

        client.EndpointFor(AwsSignedService.Iam).ShouldBe(new Uri("https://iam.us-gov.amazonaws.com"));
        client.SigningRegionFor(AwsSignedService.Iam).ShouldBe("us-gov-west-1");
        client.EndpointFor(AwsSignedService.SsoAdmin).ShouldBe(new Uri("https://sso.us-gov-west-1.amazonaws.com"));
        Should.Throw<AwsCallException>(() => client.EndpointFor(AwsSignedService.CloudFront)).Failure.Message.ShouldContain("AWS GovCloud (US)");
    }

    [Theory]
    [InlineData("connect", "connect")]
    [InlineData("appstream", "appstream2")]
    [InlineData("sso-admin", "sso")]
    [InlineData("identitystore", "identitystore")]
    [InlineData("iam", "iam")]
    [InlineData("cloudfront", "cloudfront")]
    public void SignedServices_AreNamedAsTheirServiceModelsSay(string model, string endpointPrefix)
    {
        var metadata = Botocore.ServiceModel(model).GetProperty("metadata");
        var service = new[] { AwsSignedService.Connect, AwsSignedService.AppStream, AwsSignedService.SsoAdmin, AwsSignedService.IdentityStore, AwsSignedService.Iam, AwsSignedService.CloudFront }
            .Single(s => s.EndpointPrefix == endpointPrefix);

        metadata.GetProperty("endpointPrefix").GetString().ShouldBe(service.EndpointPrefix);
        (metadata.TryGetProperty("signingName", out var name) ? name.GetString() : service.EndpointPrefix).ShouldBe(service.SigningName);
        service.Global.ShouldBe(metadata.TryGetProperty("globalEndpoint", out _), "a global service has one endpoint per partition");
    }

    [Theory]
    [InlineData("eu-west-2", "aws")]
    [InlineData("eu-west-1", "aws")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    [InlineData("us-gov-east-1", "aws-us-gov")]
    public void Of_ARegion_IsItsPartition(string region, string partition) =>
        AwsPartitions.Of(region)!.Id.ShouldBe(partition);

    [Theory]
    [InlineData("cn-north-1")]
    [InlineData("us-iso-east-1")]
    [InlineData("mars-north-1")]
    [InlineData(null)]
    public void Of_ARegionOfNoTablePartition_IsNull(string? region) =>
        AwsPartitions.Of(region).ShouldBeNull();

    private static List<JsonElement> Partitions() => [.. Botocore.Endpoints().GetProperty("partitions").EnumerateArray()];

    private static JsonElement Data(AwsPartition partition) => Partitions().Single(p => p.GetProperty("partition").GetString() == partition.Id);

    private static AwsPartition Partition(string id) => AwsPartitions.All.Single(p => p.Id == id);

    /// <summary>The partition's regions that list the service (leaving out pseudo-regions such as fips-us-east-1).</summary>
    private static IEnumerable<string> RegionsOf(JsonElement partition, string service)
    {
        var regions = partition.GetProperty("regions").EnumerateObject().Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        return partition.GetProperty("services").TryGetProperty(service, out var described)
            ? described.GetProperty("endpoints").EnumerateObject().Select(e => e.Name).Where(regions.Contains)
            : [];
    }

    /// <summary>Host, signing region and signing name of a service in a region, as botocore resolves them: the endpoint's own values, else the service's defaults, else the partition's.</summary>
    private static (string Host, string SigningRegion, string? SigningName) Resolve(JsonElement partition, string endpointPrefix, string region)
    {
        var service = partition.GetProperty("services").GetProperty(endpointPrefix);
        var endpoint = service.GetProperty("endpoints").GetProperty(region);
        JsonElement[] layers = [endpoint, service.TryGetProperty("defaults", out var serviceDefaults) ? serviceDefaults : default, partition.GetProperty("defaults")];
        string? Find(Func<JsonElement, string?> read) => layers.Where(l => l.ValueKind == JsonValueKind.Object).Select(read).FirstOrDefault(v => v is not null);
        string? Scope(JsonElement layer, string name) =>
            layer.TryGetProperty("credentialScope", out var scope) && scope.TryGetProperty(name, out var value) ? value.GetString() : null;

        var host = Find(l => l.TryGetProperty("hostname", out var h) ? h.GetString() : null)!
            .Replace("{service}", endpointPrefix, StringComparison.Ordinal)
            .Replace("{region}", region, StringComparison.Ordinal)
            .Replace("{dnsSuffix}", partition.GetProperty("dnsSuffix").GetString(), StringComparison.Ordinal);
        return (host, Find(l => Scope(l, "region")) ?? region, Find(l => Scope(l, "service")));
    }
}
