using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Tests.Core.Sandbox;

public sealed class SandboxAppStreamGatewayTests : SandboxTests
{
    private const string BaseImage = "AppStream-WinServer2022-06-17-2025";

    private IAppStreamGateway AppStream => Account.AppStream;

    [Fact]
    public async Task BaseImages_AreSeededAvailable()
    {
        var image = (await AppStream.DescribeImageAsync(BaseImage, default))!;

        image.State.ShouldBe("AVAILABLE");
        image.Arn.ShouldBe($"arn:aws:appstream:eu-west-2::image/{BaseImage}");
        (await AppStream.DescribeImageAsync("nothing", default)).ShouldBeNull();
    }

    [Fact]
    public async Task ImageBuilder_IsPendingThenRunning()
    {
        var builder = await AppStream.CreateImageBuilderAsync(new ImageBuilderRequest("acme-builder", BaseImage, "stream.standard.medium", [], []), default);

        builder.State.ShouldBe("PENDING");
        World.Time.Advance(TimeSpan.FromSeconds(19));
        (await AppStream.DescribeImageBuilderAsync("acme-builder", default))!.State.ShouldBe("PENDING");
        World.Time.Advance(TimeSpan.FromSeconds(1));
        (await AppStream.DescribeImageBuilderAsync("acme-builder", default))!.State.ShouldBe("RUNNING");

        (await Should.ThrowAsync<AwsCallException>(() => AppStream.CreateImageBuilderAsync(new ImageBuilderRequest("other", "Missing-Image", "stream.standard.medium", [], []), default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
    }

    [Fact]
    public async Task CreateFleet_NeedsAnExistingAvailableImage()
    {
        var ex = await Should.ThrowAsync<AwsCallException>(() => AppStream.CreateFleetAsync(Fleet("acme-fleet", "splitccp-acme-ccp"), default));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
        (await AppStream.DescribeFleetAsync("acme-fleet", default)).ShouldBeNull();
    }

    [Fact]
    public async Task Fleet_CreatedStopped_StartsAndStopsOverTime()
    {
        var fleet = await CapturedImageFleetAsync();
        fleet.State.ShouldBe(AppStreamFleet.Stopped);

        await AppStream.StartFleetAsync("acme-fleet", default);
        await AppStream.StartFleetAsync("acme-fleet", default);
        (await StateAsync()).ShouldBe(AppStreamFleet.Starting);
        (await Should.ThrowAsync<AwsCallException>(() => AppStream.StopFleetAsync("acme-fleet", default))).Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
        (await Should.ThrowAsync<AwsCallException>(() => AppStream.UpdateFleetAsync("acme-fleet", null, null, 3, default))).Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
        World.Time.Advance(TimeSpan.FromSeconds(20));
        (await StateAsync()).ShouldBe(AppStreamFleet.Running);

        await AppStream.StopFleetAsync("acme-fleet", default);
        (await StateAsync()).ShouldBe(AppStreamFleet.Stopping);
        World.Time.Advance(TimeSpan.FromSeconds(10));
        (await StateAsync()).ShouldBe(AppStreamFleet.Stopped);
    }

    [Fact]
    public async Task UpdateFleet_InstanceTypeOfARunningFleet_IsRefused_ButCapacityAndImageChange()
    {
        await CapturedImageFleetAsync();
        await AppStream.StartFleetAsync("acme-fleet", default);
        World.Time.Advance(TimeSpan.FromSeconds(20));

        var ex = await Should.ThrowAsync<AwsCallException>(() => AppStream.UpdateFleetAsync("acme-fleet", null, "stream.standard.large", null, default));
        ex.Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
        ex.Failure.Message.ShouldContain("stop it");

        await AppStream.UpdateFleetAsync("acme-fleet", BaseImage, "stream.standard.medium", 4, default);
        var fleet = (await AppStream.DescribeFleetAsync("acme-fleet", default))!;
        (fleet.ImageName, fleet.InstanceType, fleet.DesiredCapacity).ShouldBe((BaseImage, "stream.standard.medium", 4));

        await AppStream.StopFleetAsync("acme-fleet", default);
        World.Time.Advance(TimeSpan.FromSeconds(10));
        await AppStream.UpdateFleetAsync("acme-fleet", null, "stream.standard.large", null, default);
        (await AppStream.DescribeFleetAsync("acme-fleet", default))!.InstanceType.ShouldBe("stream.standard.large");
    }

    [Fact]
    public async Task Stack_AssociatedWithARunningFleet_GivesAStreamingUrl()
    {
        await CapturedImageFleetAsync();
        var stack = await AppStream.CreateStackAsync("acme-stack", default);
        (await AppStream.DescribeStackAsync("acme-stack", default)).ShouldBe(stack);
        (await Should.ThrowAsync<AwsCallException>(() => AppStream.CreateStackAsync("acme-stack", default))).Failure.Kind.ShouldBe(AwsFailureKind.Conflict);

        await AppStream.AssociateFleetAsync("acme-fleet", "acme-stack", default);
        await AppStream.AssociateFleetAsync("acme-fleet", "acme-stack", default);
        (await AppStream.ListAssociatedFleetsAsync("acme-stack", default)).ShouldBe(["acme-fleet"]);
        (await AppStream.ListAssociatedFleetsAsync("other", default)).ShouldBeEmpty();

        (await Should.ThrowAsync<AwsCallException>(() => AppStream.CreateStreamingUrlAsync("acme-stack", "acme-fleet", "maria", TimeSpan.FromMinutes(5), default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
        await AppStream.StartFleetAsync("acme-fleet", default);
        World.Time.Advance(TimeSpan.FromSeconds(20));
        var streaming = await AppStream.CreateStreamingUrlAsync("acme-stack", "acme-fleet", "maria", TimeSpan.FromMinutes(5), default);
        streaming.Url.ShouldStartWith("https://appstream2.eu-west-2.aws.amazon.com/authenticate?parameters=");
        streaming.ExpiresAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds((World.Time.GetUtcNow() + TimeSpan.FromMinutes(5)).ToUnixTimeSeconds()));
    }

    [Fact]
    public async Task Stacks_TheEleventhIsOverTheQuota_AndIsNotRetried()
    {
        for (var i = 0; i < 10; i++)
        {
            await AppStream.CreateStackAsync($"stack-{i}", default);
        }

        var attempts = AppStreamAttempts();
        var ex = await Should.ThrowAsync<AwsCallException>(() => AppStream.CreateStackAsync("stack-10", default));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.QuotaExceeded);
        ex.Failure.Message.ShouldContain("AWS said: The requested limit exceeds the permitted limit for an account: 10 per stack.");
        ex.Failure.Message.ShouldContain("Service Quotas console (Amazon AppStream 2.0, region eu-west-2)");
        (AppStreamAttempts() - attempts).ShouldBe(1, "a quota is not retried");
        (await AppStream.DescribeStackAsync("stack-10", default)).ShouldBeNull();
    }

    private long AppStreamAttempts() => World.Attempts(AwsServices.AppStream);

    private async Task<AppStreamFleet> CapturedImageFleetAsync()
    {
        await AppStream.CreateImageBuilderAsync(new ImageBuilderRequest("acme-builder", BaseImage, "stream.standard.medium", [], []), default);
        (await World.Console.CaptureImageAsync(World.TenantId, "acme-builder", "splitccp-acme-ccp")).State.ShouldBe("AVAILABLE");
        return await AppStream.CreateFleetAsync(Fleet("acme-fleet", "splitccp-acme-ccp"), default);
    }

    private async Task<string> StateAsync() => (await AppStream.DescribeFleetAsync("acme-fleet", default))!.State;

    private static FleetRequest Fleet(string name, string image) =>
        new(name, image, "ON_DEMAND", "stream.standard.medium", 2, ["subnet-0123456789abcdef0"], ["sg-0123456789abcdef0"]);
}
