using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation.Resources;

/// <summary>The image builder the operator captures the image in. Once the image exists the builder is no longer needed.</summary>
internal sealed class ImageBuilderResource()
    : Resource(ResourceKeys.ImageBuilder, "AppStream image builder", SpecSection.AppStream, ResourceKeys.Account)
{
    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var spec = ctx.Spec.AppStream.ImageBuilder;
        var builder = await ctx.Aws.AppStream.DescribeImageBuilderAsync(spec.Name!, ct);
        FieldChange[] Fields(AppStreamImageBuilder? actual) => [new("instanceType", spec.InstanceType, actual?.InstanceType)];
        if (builder is not null)
        {
            if (builder.State == "PENDING")
            {
                return Observation.InProgress($"image builder {builder.Name} is starting");
            }

            // AWS cannot change a builder's instance type, and the portal does not delete builders.
            return builder.InstanceType == spec.InstanceType
                ? Observation.Present(Fields(builder))
                : Observation.Blocked($"Image builder {builder.Name} is a {builder.InstanceType}, and AWS cannot change a builder's instance type. Set it back to {builder.InstanceType} in the setup, or delete the builder in the AppStream console and apply again.");
        }

        // A builder is only needed until the image is captured; many teams delete it afterwards to save its cost.
        var image = await ctx.Aws.AppStream.DescribeImageAsync(ctx.Spec.AppStream.ImageName!, ct);
        return image is { State: "AVAILABLE" } ? Observation.Present() : Observation.Missing(Fields(null));
    }

    public override Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var spec = ctx.Spec.AppStream.ImageBuilder;
        return ctx.Aws.AppStream.CreateImageBuilderAsync(new ImageBuilderRequest(spec.Name!, spec.BaseImage!, spec.InstanceType!, spec.SubnetIds, spec.SecurityGroupIds), ct);
    }
}

/// <summary>The image with the in-session CCP: there is no CreateImage API, so it is captured in the builder by Image Assistant.</summary>
internal sealed class ImageResource() : Resource(ResourceKeys.Image, "AppStream image", SpecSection.AppStream, ResourceKeys.ImageBuilder)
{
    public override bool IsManual => true;

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var name = ctx.Spec.AppStream.ImageName!;
        var image = await ctx.Aws.AppStream.DescribeImageAsync(name, ct);
        var field = new FieldChange("state", "AVAILABLE", image?.State);
        return image is null ? Observation.Missing(field) : Observation.Present(field);
    }

    public override IReadOnlyList<InstructionStep> Instructions(ReconcileContext ctx)
    {
        var spec = ctx.Spec.AppStream;
        return
        [
            new("In the AppStream 2.0 console, open Images → Image builder, select the builder and choose Connect, as Administrator:", spec.ImageBuilder.Name),
            new($"Download {TenantArtifacts.ImageBuilderScriptName} from this tenant's setup files and run it in PowerShell as Administrator: it sets the browser policies and adds the in-session CCP as the application."),
            new("Then capture the image with Image Assistant, from the same PowerShell window:",
                $"image-assistant.exe create-image --name \"{spec.ImageName}\" --use-latest-agent-version"),
            new("The builder disconnects and shuts down while the image is created (about 30 minutes); plan again once it is Available."),
        ];
    }
}

/// <summary>The fleet agents stream from, running the captured image. Starting and stopping are slow: the engine waits.</summary>
internal sealed class FleetResource() : Resource(ResourceKeys.Fleet, "AppStream fleet", SpecSection.AppStream, ResourceKeys.Image)
{
    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var spec = ctx.Spec.AppStream;
        var fleet = await ctx.Aws.AppStream.DescribeFleetAsync(spec.Fleet.Name!, ct);
        FieldChange[] Fields(AppStreamFleet? actual) =>
        [
            new("fleetType", TypeOf(spec.Fleet), actual?.FleetType),
            new("imageName", spec.ImageName, actual?.ImageName),
            new("instanceType", spec.Fleet.InstanceType, actual?.InstanceType),
            new("desiredCapacity", spec.Fleet.DesiredCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture), actual?.DesiredCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("state", AppStreamFleet.Running, actual?.State),
        ];
        if (fleet is null)
        {
            return Observation.Missing(Fields(null));
        }

        if (fleet.State is AppStreamFleet.Starting or AppStreamFleet.Stopping)
        {
            return Observation.InProgress($"fleet {fleet.Name} is {fleet.State}");
        }

        if (fleet.FleetType != TypeOf(spec.Fleet))
        {
            return Observation.Blocked($"Fleet {fleet.Name} is {fleet.FleetType}, and AWS cannot change a fleet's type. Delete the fleet in the AppStream console, or set the type back in the setup.");
        }

        return Observation.Present(Fields(fleet));
    }

    public override async Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var spec = ctx.Spec.AppStream;
        var appStream = ctx.Aws.AppStream;
        var name = spec.Fleet.Name!;
        var builder = spec.ImageBuilder;
        var fleet = observed.State == ObservedState.Missing
            ? await appStream.CreateFleetAsync(new FleetRequest(name, spec.ImageName!, TypeOf(spec.Fleet), spec.Fleet.InstanceType!, spec.Fleet.DesiredCapacity, builder.SubnetIds, builder.SecurityGroupIds), ct)
            : (await appStream.DescribeFleetAsync(name, ct))!;

        var instanceTypeChanges = fleet.InstanceType != spec.Fleet.InstanceType;
        if (instanceTypeChanges && fleet.State == AppStreamFleet.Running)
        {
            // AWS changes a fleet's instance type only while it is stopped.
            await appStream.StopFleetAsync(name, ct);
            await ctx.WaitAsync($"fleet {name} to stop", async c => (await appStream.DescribeFleetAsync(name, c))?.State is AppStreamFleet.Stopped ? null : AppStreamFleet.Stopping, ct);
        }

        if (instanceTypeChanges || fleet.ImageName != spec.ImageName || fleet.DesiredCapacity != spec.Fleet.DesiredCapacity)
        {
            await appStream.UpdateFleetAsync(name, spec.ImageName, instanceTypeChanges ? spec.Fleet.InstanceType : null, spec.Fleet.DesiredCapacity, ct);
        }

        if ((await appStream.DescribeFleetAsync(name, ct))?.State == AppStreamFleet.Stopped)
        {
            await appStream.StartFleetAsync(name, ct);
        }
    }

    private static string TypeOf(FleetSpec fleet) => fleet.Type == FleetType.AlwaysOn ? "ALWAYS_ON" : "ON_DEMAND";
}

/// <summary>The stack agents open; it points at the fleet through an association.</summary>
internal sealed class StackResource() : Resource(ResourceKeys.Stack, "AppStream stack", SpecSection.AppStream, ResourceKeys.Account)
{
    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var name = ctx.Spec.AppStream.StackName!;
        var stack = await ctx.Aws.AppStream.DescribeStackAsync(name, ct);
        var field = new FieldChange("name", name, stack?.Name);
        return stack is null ? Observation.Missing(field) : Observation.Present(field);
    }

    public override Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct) =>
        ctx.Aws.AppStream.CreateStackAsync(ctx.Spec.AppStream.StackName!, ct);
}

internal sealed class StackFleetResource()
    : Resource(ResourceKeys.StackFleet, "Fleet associated with the stack", SpecSection.AppStream, ResourceKeys.Stack, ResourceKeys.Fleet)
{
    public override string Noun => "the fleet's association with the stack";

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var stack = ctx.Spec.AppStream.StackName!;
        var fleet = ctx.Spec.AppStream.Fleet.Name!;
        var associated = await ctx.Aws.AppStream.ListAssociatedFleetsAsync(stack, ct);
        var field = new FieldChange("fleet", fleet, associated.Contains(fleet, StringComparer.Ordinal) ? fleet : null);
        return field.Actual is null ? Observation.Missing(field) : Observation.Present(field);
    }

    public override Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct) =>
        ctx.Aws.AppStream.AssociateFleetAsync(ctx.Spec.AppStream.Fleet.Name!, ctx.Spec.AppStream.StackName!, ct);
}
