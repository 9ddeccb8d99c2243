using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// How the Sandbox account behaves, from <c>SplitCcp:Sandbox</c>. Read through <c>IOptionsMonitor</c> on every call, so
/// faults and latency can be changed while the app runs (a benchmark, a demo of retries).
/// </summary>
public sealed class SandboxOptions : IValidatableObject
{
    public const string SectionName = "SplitCcp:Sandbox";

    /// <summary>
    /// Added to every call attempt, on the app's clock. Zero by default: the simulated state transitions below already make
    /// the UI wait the way AWS does, and a delay on a fake clock would stall every test that does not advance it.
    /// Set it (30 ms is typical for AWS in-region) for demos and benchmarks.
    /// </summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>The share of call attempts (0–1) answered with the service's throttling error before anything changes.</summary>
    [Range(0.0, 1.0)]
    public double ThrottleRate { get; set; }

    /// <summary>
    /// True to refuse, with the service's throttling error, every request over AWS's published rates for the account:
    /// Connect 2 requests/s per operation (burst 5), IAM Identity Center 20/s, S3 3,500/s. Off by default; the benchmark
    /// turns it on to prove the portal's own limiter keeps every account under them.
    /// </summary>
    public bool EnforceRateLimits { get; set; }

    /// <summary>The share of call attempts (0–1) answered with a 5xx error before anything changes.</summary>
    [Range(0.0, 1.0)]
    public double ServerErrorRate { get; set; }

    /// <summary>A new Connect instance stays CREATION_IN_PROGRESS this long (AWS: a minute or two).</summary>
    public TimeSpan InstanceCreation { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A claimed phone number stays IN_PROGRESS this long, then is CLAIMED (or FAILED, see <see cref="PhoneNumbersPerInstance"/>).</summary>
    public TimeSpan PhoneNumberClaim { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many phone numbers an instance may hold. AWS accepts a claim over its limit and ends it FAILED, with a message, after
    /// the claim's time; so does the Sandbox. Set it to 0 to see a failed claim.
    /// </summary>
    [Range(0, 10_000)]
    public int PhoneNumbersPerInstance { get; set; } = 10;

    /// <summary>A fleet stays STARTING this long (AWS: 10–20 minutes).</summary>
    public TimeSpan FleetStart { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A fleet stays STOPPING this long.</summary>
    public TimeSpan FleetStop { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An image builder stays PENDING this long after it is created (AWS: about 15 minutes).</summary>
    public TimeSpan ImageBuilderStart { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A new CloudFront distribution stays InProgress this long (AWS: a few minutes).</summary>
    public TimeSpan DistributionDeployment { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var durations = new Dictionary<string, TimeSpan>
        {
            [nameof(Latency)] = Latency,
            [nameof(InstanceCreation)] = InstanceCreation,
            [nameof(PhoneNumberClaim)] = PhoneNumberClaim,
            [nameof(FleetStart)] = FleetStart,
            [nameof(FleetStop)] = FleetStop,
            [nameof(ImageBuilderStart)] = ImageBuilderStart,
            [nameof(DistributionDeployment)] = DistributionDeployment,
        };
        foreach (var (name, value) in durations.Where(d => d.Value < TimeSpan.Zero))
        {
            yield return new ValidationResult($"{SectionName}:{name} cannot be negative ({value}).", [name]);
        }

        if (ThrottleRate + ServerErrorRate > 1)
        {
            yield return new ValidationResult($"{SectionName}: ThrottleRate and ServerErrorRate together cannot exceed 1.", [nameof(ThrottleRate), nameof(ServerErrorRate)]);
        }
    }
}
