namespace SplitCcp.Core.Aws.Gateways;

/// <summary>An image builder (DescribeImageBuilders). State: PENDING, RUNNING, STOPPING, STOPPED, …</summary>
public sealed record AppStreamImageBuilder(string Name, string Arn, string State, string InstanceType, string? ImageName);

/// <summary>An image (DescribeImages). State: PENDING, AVAILABLE, FAILED, …</summary>
public sealed record AppStreamImage(string Name, string Arn, string State);

/// <summary>A fleet (DescribeFleets). State: STARTING, RUNNING, STOPPING, STOPPED. FleetType: ALWAYS_ON or ON_DEMAND.</summary>
public sealed record AppStreamFleet(string Name, string Arn, string State, string FleetType, string InstanceType, string? ImageName, int DesiredCapacity)
{
    public const string Running = "RUNNING";
    public const string Stopped = "STOPPED";
    public const string Starting = "STARTING";
    public const string Stopping = "STOPPING";
}

public sealed record AppStreamStackInfo(string Name, string Arn);

/// <summary>A streaming URL (CreateStreamingURL) and when it stops working, as AWS says (null when it does not).</summary>
public sealed record AppStreamStreamingUrl(string Url, DateTimeOffset? ExpiresAt);

/// <summary>What CreateImageBuilder needs from the spec.</summary>
public sealed record ImageBuilderRequest(string Name, string BaseImageName, string InstanceType, IReadOnlyList<string> SubnetIds, IReadOnlyList<string> SecurityGroupIds);

/// <summary>What CreateFleet needs from the spec. FleetType: ALWAYS_ON or ON_DEMAND.</summary>
public sealed record FleetRequest(string Name, string ImageName, string FleetType, string InstanceType, int DesiredCapacity, IReadOnlyList<string> SubnetIds, IReadOnlyList<string> SecurityGroupIds);

/// <summary>Amazon AppStream 2.0 (JSON 1.1, target PhotonAdminProxyService). Reads return null on ResourceNotFoundException or an empty list.</summary>
public interface IAppStreamGateway
{
    Task<AppStreamImageBuilder?> DescribeImageBuilderAsync(string name, CancellationToken ct);

    Task<AppStreamImageBuilder> CreateImageBuilderAsync(ImageBuilderRequest request, CancellationToken ct);

    /// <summary>DescribeImages by name (private and shared images).</summary>
    Task<AppStreamImage?> DescribeImageAsync(string name, CancellationToken ct);

    Task<AppStreamFleet?> DescribeFleetAsync(string name, CancellationToken ct);

    Task<AppStreamFleet> CreateFleetAsync(FleetRequest request, CancellationToken ct);

    /// <summary>UpdateFleet: the fields given (not null) are changed. AWS refuses an instance-type change on a running fleet.</summary>
    Task UpdateFleetAsync(string name, string? imageName, string? instanceType, int? desiredCapacity, CancellationToken ct);

    Task StartFleetAsync(string name, CancellationToken ct);

    Task StopFleetAsync(string name, CancellationToken ct);

    Task<AppStreamStackInfo?> DescribeStackAsync(string name, CancellationToken ct);

    Task<AppStreamStackInfo> CreateStackAsync(string name, CancellationToken ct);

    /// <summary>ListAssociatedFleets for a stack.</summary>
    Task<IReadOnlyList<string>> ListAssociatedFleetsAsync(string stackName, CancellationToken ct);

    Task AssociateFleetAsync(string fleetName, string stackName, CancellationToken ct);

    /// <summary>CreateStreamingURL for a user (2 to 32 characters), valid for the given time (1 second to 7 days). The URL is a credential: never log it.</summary>
    Task<AppStreamStreamingUrl> CreateStreamingUrlAsync(string stackName, string fleetName, string userId, TimeSpan validity, CancellationToken ct);
}
