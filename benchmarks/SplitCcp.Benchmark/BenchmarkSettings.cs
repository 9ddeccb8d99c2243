namespace SplitCcp.Benchmark;

/// <summary>
/// The benchmark's configuration, added after every other source so the user's settings cannot point it at their data.
/// <see cref="Change"/> raises a reload, as an edited appsettings.json does, so options monitors see the new value.
/// </summary>
internal sealed class BenchmarkSettings : ConfigurationProvider, IConfigurationSource
{
    public BenchmarkSettings(IReadOnlyDictionary<string, string?> settings)
    {
        foreach (var (key, value) in settings)
        {
            Data[key] = value;
        }
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public void Change(string key, string? value)
    {
        Data[key] = value;
        OnReload();
    }
}
