using System.Text.Json;
using System.Text.Json.Nodes;
using SplitCcp.Core.Aws.Signed;

namespace SplitCcp.Core.Aws.Gateways;

/// <summary>Amazon AppStream 2.0 over AWS JSON 1.1 through the signed client. Swap for AWSSDK.AppStream here once it can be restored.</summary>
public sealed class AppStreamGateway(AwsSignedClient client, IAwsCaller caller) : IAppStreamGateway
{
    public const string TargetPrefix = "PhotonAdminProxyService";

    private readonly AwsJsonRpc _api = new(client, caller, AwsSignedService.AppStream, TargetPrefix);

    public Task<AppStreamImageBuilder?> DescribeImageBuilderAsync(string name, CancellationToken ct) =>
        DescribeOneAsync(AppStreamOperations.DescribeImageBuilders, $"image builder {name}", name, "ImageBuilders", ToImageBuilder, ct);

    public async Task<AppStreamImageBuilder> CreateImageBuilderAsync(ImageBuilderRequest request, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["Name"] = request.Name,
            ["ImageName"] = request.BaseImageName,
            ["InstanceType"] = request.InstanceType,
            ["VpcConfig"] = VpcConfig(request.SubnetIds, request.SecurityGroupIds),
        };
        var created = await _api.CallAsync(AppStreamOperations.CreateImageBuilder, $"image builder {request.Name}", body, ct);
        return ToImageBuilder(Member(created, "ImageBuilder"));
    }

    public Task<AppStreamImage?> DescribeImageAsync(string name, CancellationToken ct) =>
        DescribeOneAsync(AppStreamOperations.DescribeImages, $"image {name}", name, "Images",
            i => new AppStreamImage(i.Required("Name"), i.Str("Arn") ?? "", i.Str("State") ?? ""), ct);

    public Task<AppStreamFleet?> DescribeFleetAsync(string name, CancellationToken ct) =>
        DescribeOneAsync(AppStreamOperations.DescribeFleets, Fleet(name), name, "Fleets", ToFleet, ct);

    public async Task<AppStreamFleet> CreateFleetAsync(FleetRequest request, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["Name"] = request.Name,
            ["ImageName"] = request.ImageName,
            ["InstanceType"] = request.InstanceType,
            ["FleetType"] = request.FleetType,
            ["ComputeCapacity"] = new JsonObject { ["DesiredInstances"] = request.DesiredCapacity },
            ["VpcConfig"] = VpcConfig(request.SubnetIds, request.SecurityGroupIds),
        };
        return ToFleet(Member(await _api.CallAsync(AppStreamOperations.CreateFleet, Fleet(request.Name), body, ct), "Fleet"));
    }

    public Task UpdateFleetAsync(string name, string? imageName, string? instanceType, int? desiredCapacity, CancellationToken ct) =>
        _api.CallAsync(AppStreamOperations.UpdateFleet, Fleet(name), new JsonObject
        {
            ["Name"] = name,
            ["ImageName"] = imageName,
            ["InstanceType"] = instanceType,
            ["ComputeCapacity"] = desiredCapacity is { } desired ? new JsonObject { ["DesiredInstances"] = desired } : null,
        }, ct);

    public Task StartFleetAsync(string name, CancellationToken ct) =>
        _api.CallAsync(AppStreamOperations.StartFleet, Fleet(name), new JsonObject { ["Name"] = name }, ct);

    public Task StopFleetAsync(string name, CancellationToken ct) =>
        _api.CallAsync(AppStreamOperations.StopFleet, Fleet(name), new JsonObject { ["Name"] = name }, ct);

    public Task<AppStreamStackInfo?> DescribeStackAsync(string name, CancellationToken ct) =>
        DescribeOneAsync(AppStreamOperations.DescribeStacks, Stack(name), name, "Stacks", ToStack, ct);

    public async Task<AppStreamStackInfo> CreateStackAsync(string name, CancellationToken ct) =>
        ToStack(Member(await _api.CallAsync(AppStreamOperations.CreateStack, Stack(name), new JsonObject { ["Name"] = name }, ct), "Stack"));

    public Task<IReadOnlyList<string>> ListAssociatedFleetsAsync(string stackName, CancellationToken ct) =>
        AwsPaging.AllAsync(async token =>
        {
            var page = await _api.CallAsync(AppStreamOperations.ListAssociatedFleets, Stack(stackName),
                new JsonObject { ["StackName"] = stackName, ["NextToken"] = token }, ct);
            return (page.Items("Names").Select(n => n.GetString()!), page.Str("NextToken"));
        });

    public Task AssociateFleetAsync(string fleetName, string stackName, CancellationToken ct) =>
        _api.CallAsync(AppStreamOperations.AssociateFleet, Fleet(fleetName), new JsonObject { ["FleetName"] = fleetName, ["StackName"] = stackName }, ct);

    public async Task<AppStreamStreamingUrl> CreateStreamingUrlAsync(string stackName, string fleetName, string userId, TimeSpan validity, CancellationToken ct)
    {
        var answer = await _api.CallAsync(AppStreamOperations.CreateStreamingUrl, Stack(stackName), new JsonObject
        {
            ["StackName"] = stackName,
            ["FleetName"] = fleetName,
            ["UserId"] = userId,
            ["Validity"] = Seconds(validity),
        }, ct);

        // Expires is a timestamp, which AWS JSON 1.1 sends as seconds since the epoch, with a fraction.
        var expires = answer.Member("Expires") is { ValueKind: JsonValueKind.Number } seconds
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds.GetDouble() * 1000))
            : (DateTimeOffset?)null;
        return new AppStreamStreamingUrl(answer.Required("StreamingURL"), expires);
    }

    /// <summary>A Describe* call for one name: null when AWS says there is none (ResourceNotFoundException or an empty list).</summary>
    private Task<T?> DescribeOneAsync<T>(AwsOperation operation, string resource, string name, string listName, Func<JsonElement, T> read, CancellationToken ct)
        where T : class =>
        _api.CallAsync(operation, resource, new JsonObject { ["Names"] = new JsonArray(name) }, ct)
            .OrNullIfNotFound(answer => answer.Items(listName).Where(i => i.Str("Name") == name).Select(read).FirstOrDefault());

    private static JsonObject VpcConfig(IReadOnlyList<string> subnetIds, IReadOnlyList<string> securityGroupIds) => new()
    {
        ["SubnetIds"] = new JsonArray([.. subnetIds.Select(id => JsonValue.Create(id))]),
        ["SecurityGroupIds"] = new JsonArray([.. securityGroupIds.Select(id => JsonValue.Create(id))]),
    };

    private static long Seconds(TimeSpan validity) => (long)validity.TotalSeconds;

    private static JsonElement Member(JsonElement answer, string name) =>
        answer.Member(name) ?? throw new InvalidDataException($"The AppStream answer has no {name}.");

    private static AppStreamImageBuilder ToImageBuilder(JsonElement b) => new(
        b.Required("Name"), b.Str("Arn") ?? "", b.Str("State") ?? "", b.Str("InstanceType") ?? "",
        b.Str("ImageArn") is { } imageArn ? imageArn[(imageArn.LastIndexOf('/') + 1)..] : null);

    private static AppStreamFleet ToFleet(JsonElement f) => new(
        f.Required("Name"), f.Str("Arn") ?? "", f.Str("State") ?? "", f.Str("FleetType") ?? "", f.Str("InstanceType") ?? "", f.Str("ImageName"),
        f.Member("ComputeCapacityStatus")?.Member("Desired") is { ValueKind: JsonValueKind.Number } desired ? desired.GetInt32() : 0);

    private static AppStreamStackInfo ToStack(JsonElement s) => new(s.Required("Name"), s.Str("Arn") ?? "");

    private static string Fleet(string name) => $"fleet {name}";

    private static string Stack(string name) => $"stack {name}";
}
