using System.Text.Json;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Integration.Aws;

/// <summary>AppStreamGateway on the wire (AWS JSON 1.1, PhotonAdminProxyService, signed as "appstream") against the stub: moto has no AppStream.</summary>
public sealed class AppStreamGatewayTests : StubbedGatewayTests
{
    private const string Prefix = "PhotonAdminProxyService.";

    private AppStreamGateway Gateway() => new(AwsTestKit.StubClient(Stub), Caller);

    private void On(string action, Func<StubCall, StubReply> handler) => Stub.OnTarget("appstream", Prefix + action, handler);

    private JsonElement Sent(string action) => Stub.CallsTo(Prefix + action).Single().Body;

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static object FleetJson(string state, int desired) => new
    {
        Arn = "arn:aws:appstream:eu-west-2:123456789012:fleet/ccp-fleet", Name = "ccp-fleet", InstanceType = "stream.standard.medium",
        FleetType = "ON_DEMAND", State = state, ImageName = "ccp-image",
        ImageArn = "arn:aws:appstream:eu-west-2:123456789012:image/ccp-image",
        ComputeCapacityStatus = new { Desired = desired, Running = 0, InUse = 0, Available = 0 },
    };

    [Fact]
    public async Task ImageBuilder_CreateAndDescribe()
    {
        var builder = new
        {
            Name = "ccp-builder", Arn = "arn:aws:appstream:eu-west-2:123456789012:image-builder/ccp-builder", InstanceType = "stream.standard.medium",
            State = "PENDING", ImageArn = "arn:aws:appstream:eu-west-2::image/AppStream-WinServer2022-06-17-2025",
        };
        On("CreateImageBuilder", _ => StubReply.Json(new { ImageBuilder = builder }));
        On("DescribeImageBuilders", call => Strings(call.Body.GetProperty("Names"))[0] == "ccp-builder"
            ? StubReply.Json(new { ImageBuilders = new[] { builder } })
            : StubReply.JsonRpcError(400, "ResourceNotFoundException", "The image builder does not exist."));
        var appStream = Gateway();

        var created = await appStream.CreateImageBuilderAsync(
            new ImageBuilderRequest("ccp-builder", "AppStream-WinServer2022-06-17-2025", "stream.standard.medium", ["subnet-1", "subnet-2"], ["sg-1"]), CancellationToken.None);
        var described = await appStream.DescribeImageBuilderAsync("ccp-builder", CancellationToken.None);
        var missing = await appStream.DescribeImageBuilderAsync("other", CancellationToken.None);

        created.ShouldBe(new AppStreamImageBuilder("ccp-builder", builder.Arn, "PENDING", "stream.standard.medium", "AppStream-WinServer2022-06-17-2025"));
        described.ShouldBe(created);
        missing.ShouldBeNull();
        var create = Sent("CreateImageBuilder");
        create.GetProperty("Name").GetString().ShouldBe("ccp-builder");
        create.GetProperty("ImageName").GetString().ShouldBe("AppStream-WinServer2022-06-17-2025");
        create.GetProperty("InstanceType").GetString().ShouldBe("stream.standard.medium");
        Strings(create.GetProperty("VpcConfig").GetProperty("SubnetIds")).ShouldBe(["subnet-1", "subnet-2"]);
        Strings(create.GetProperty("VpcConfig").GetProperty("SecurityGroupIds")).ShouldBe(["sg-1"]);
    }

    [Fact]
    public async Task DescribeImage_FoundOrAnEmptyList()
    {
        On("DescribeImages", call => Strings(call.Body.GetProperty("Names"))[0] == "ccp-image"
            ? StubReply.Json(new { Images = new[] { new { Name = "ccp-image", Arn = "arn:aws:appstream:eu-west-2:123456789012:image/ccp-image", State = "AVAILABLE" } } })
            : StubReply.Json(new { Images = Array.Empty<object>() }));
        var appStream = Gateway();

        (await appStream.DescribeImageAsync("ccp-image", CancellationToken.None))
            .ShouldBe(new AppStreamImage("ccp-image", "arn:aws:appstream:eu-west-2:123456789012:image/ccp-image", "AVAILABLE"));
        (await appStream.DescribeImageAsync("not-captured-yet", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Fleet_CreateDescribeUpdateStartStop()
    {
        On("CreateFleet", _ => StubReply.Json(new { Fleet = FleetJson("STOPPED", 2) }));
        On("DescribeFleets", _ => StubReply.Json(new { Fleets = new[] { FleetJson("RUNNING", 2) } }));
        On("UpdateFleet", _ => StubReply.Json(new { Fleet = FleetJson("RUNNING", 3) }));
        On("StartFleet", _ => StubReply.Empty());
        On("StopFleet", _ => StubReply.Empty());
        var appStream = Gateway();

        var created = await appStream.CreateFleetAsync(
            new FleetRequest("ccp-fleet", "ccp-image", "ON_DEMAND", "stream.standard.medium", 2, ["subnet-1"], ["sg-1"]), CancellationToken.None);
        var described = await appStream.DescribeFleetAsync("ccp-fleet", CancellationToken.None);
        await appStream.UpdateFleetAsync("ccp-fleet", "ccp-image-v2", null, 3, CancellationToken.None);
        await appStream.StartFleetAsync("ccp-fleet", CancellationToken.None);
        await appStream.StopFleetAsync("ccp-fleet", CancellationToken.None);

        created.ShouldBe(new AppStreamFleet("ccp-fleet", "arn:aws:appstream:eu-west-2:123456789012:fleet/ccp-fleet", AppStreamFleet.Stopped, "ON_DEMAND",
            "stream.standard.medium", "ccp-image", 2));
        described.ShouldBe(created with { State = AppStreamFleet.Running });
        var create = Sent("CreateFleet");
        create.GetProperty("FleetType").GetString().ShouldBe("ON_DEMAND");
        create.GetProperty("ImageName").GetString().ShouldBe("ccp-image");
        create.GetProperty("ComputeCapacity").GetProperty("DesiredInstances").GetInt32().ShouldBe(2);
        Strings(create.GetProperty("VpcConfig").GetProperty("SubnetIds")).ShouldBe(["subnet-1"]);
        var update = Sent("UpdateFleet");
        update.GetProperty("ImageName").GetString().ShouldBe("ccp-image-v2");
        update.GetProperty("ComputeCapacity").GetProperty("DesiredInstances").GetInt32().ShouldBe(3);
        update.TryGetProperty("InstanceType", out _).ShouldBeFalse("an unchanged field is not sent: AWS refuses an instance-type change on a running fleet");
        Sent("StartFleet").GetProperty("Name").GetString().ShouldBe("ccp-fleet");
        Sent("StopFleet").GetProperty("Name").GetString().ShouldBe("ccp-fleet");
    }

    [Fact]
    public async Task Stack_CreateDescribeAssociateListAndStream()
    {
        var stack = new { Name = "ccp-stack", Arn = "arn:aws:appstream:eu-west-2:123456789012:stack/ccp-stack" };
        On("CreateStack", _ => StubReply.Json(new { Stack = stack }));
        On("DescribeStacks", call => Strings(call.Body.GetProperty("Names"))[0] == "ccp-stack"
            ? StubReply.Json(new { Stacks = new[] { stack } })
            : StubReply.JsonRpcError(400, "ResourceNotFoundException", "The stack does not exist."));
        On("AssociateFleet", _ => StubReply.Empty());
        On("ListAssociatedFleets", call => StubReply.Json(call.Body.TryGetProperty("NextToken", out _)
            ? new { Names = new List<string> { "ccp-fleet" }, NextToken = (string?)null }
            : new { Names = new List<string> { "old-fleet" }, NextToken = (string?)"p2" }));
        On("CreateStreamingURL", _ => StubReply.Json(new { StreamingURL = "https://appstream2.eu-west-2.aws.amazon.com/authenticate?parameters=xyz", Expires = 1.7e9 + 0.25 }));
        var appStream = Gateway();

        var created = await appStream.CreateStackAsync("ccp-stack", CancellationToken.None);
        var described = await appStream.DescribeStackAsync("ccp-stack", CancellationToken.None);
        var missing = await appStream.DescribeStackAsync("other", CancellationToken.None);
        await appStream.AssociateFleetAsync("ccp-fleet", "ccp-stack", CancellationToken.None);
        var fleets = await appStream.ListAssociatedFleetsAsync("ccp-stack", CancellationToken.None);
        var url = await appStream.CreateStreamingUrlAsync("ccp-stack", "ccp-fleet", "jane@acme.example", TimeSpan.FromMinutes(5), CancellationToken.None);

        created.ShouldBe(new AppStreamStackInfo("ccp-stack", stack.Arn));
        described.ShouldBe(created);
        missing.ShouldBeNull();
        fleets.ShouldBe(["old-fleet", "ccp-fleet"]);
        url.Url.ShouldContain("parameters=xyz");
        url.ExpiresAt.ShouldBe(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250));
        var associate = Sent("AssociateFleet");
        (associate.GetProperty("FleetName").GetString(), associate.GetProperty("StackName").GetString()).ShouldBe(("ccp-fleet", "ccp-stack"));
        var streaming = Sent("CreateStreamingURL");
        streaming.GetProperty("UserId").GetString().ShouldBe("jane@acme.example");
        streaming.GetProperty("Validity").GetInt64().ShouldBe(300);
    }

    [Fact]
    public async Task Throttled_IsRetriedThenReportedAsThrottled()
    {
        On("DescribeFleets", _ => StubReply.JsonRpcError(400, "RequestLimitExceededException", "Rate exceeded"));

        var ex = await Should.ThrowAsync<AwsCallException>(() => Gateway().DescribeFleetAsync("ccp-fleet", CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.Throttled);
        Stub.CallsTo(Prefix + "DescribeFleets").Length.ShouldBe(AwsTestKit.FastRetry.MaxRetries + 1);
    }

    [Fact]
    public async Task AccountQuota_IsReportedAsAQuotaAfterOneRequest()
    {
        On("CreateStack", _ => StubReply.JsonRpcError(400, "LimitExceededException", "The requested limit exceeds the permitted limit for an account."));

        var ex = await Should.ThrowAsync<AwsCallException>(() => Gateway().CreateStackAsync("ccp-stack", CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.QuotaExceeded);
        ex.Failure.Message.ShouldContain("AWS said: The requested limit exceeds the permitted limit for an account.");
        ex.Failure.Message.ShouldContain("Service Quotas console (Amazon AppStream 2.0, region eu-west-2)");
        Stub.CallsTo(Prefix + "CreateStack").Length.ShouldBe(1, "a quota is not retried");
    }

    [Fact]
    public async Task AccessDenied_NamesTheAction()
    {
        On("CreateFleet", _ => StubReply.JsonRpcError(400, "AccessDeniedException", "not authorized to perform appstream:CreateFleet"));

        var ex = await Should.ThrowAsync<AwsCallException>(() => Gateway().CreateFleetAsync(
            new FleetRequest("f", "i", "ON_DEMAND", "stream.standard.small", 1, [], []), CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.AccessDenied);
        ex.Failure.Message.ShouldContain("AWS denied appstream:CreateFleet on fleet f");
        Stub.CallsTo(Prefix + "CreateFleet").Length.ShouldBe(1);
    }

    [Fact]
    public async Task Tour_EveryAppStreamOperation_IsADeclaredOperation()
    {
        await TourAsync(typeof(AppStreamOperations), Scenarios);
    }

    [Fact]
    public async Task Tour_EveryAppStreamRequest_FitsBotocoresServiceModel()
    {
        List<string> problems = [];
        foreach (var scenario in Scenarios)
        {
            Stub.Reset();
            await scenario();
            foreach (var call in Stub.Calls.Where(c => c.Target?.StartsWith(Prefix, StringComparison.Ordinal) == true))
            {
                problems.AddRange(Botocore.RequestProblems("appstream", call.Target![Prefix.Length..], call.Body));
            }
        }

        problems.ShouldBeEmpty();
    }

    [Fact]
    public void CreateStreamingUrl_ARequestAppStreamWouldRefuse_IsSeenByTheModelCheck()
    {
        // The check above can fail: AWS takes a test user of 2 to 32 characters of [\w+=,.@-], and Validity in whole seconds.
        var refused = JsonDocument.Parse("""{ "StackName": "s", "FleetName": "f", "UserId": "a.rather.long.agent.name@northwind.example.com", "Validity": 300.5 }""").RootElement;
        var incomplete = JsonDocument.Parse("""{ "StackName": "s", "UserId": "jane doe" }""").RootElement;

        Botocore.RequestProblems("appstream", "CreateStreamingURL", refused).Count.ShouldBe(2);
        Botocore.RequestProblems("appstream", "CreateStreamingURL", incomplete)
            .ShouldBe(["CreateStreamingURL.UserId 'jane doe' does not match [\\w+=,.@-]*", "CreateStreamingURL.FleetName is required"]);
    }

    private Func<Task>[] Scenarios => [ImageBuilder_CreateAndDescribe, DescribeImage_FoundOrAnEmptyList, Fleet_CreateDescribeUpdateStartStop, Stack_CreateDescribeAssociateListAndStream];
}
