using SplitCcp.Core;
using SplitCcp.Core.Persistence;
using SplitCcp.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseStaticWebAssets();
builder.AddSplitCcpCore();
builder.AddSplitCcpWeb();

var app = builder.Build();
if (app.FindConfigurationError() is { } error)
{
    await Console.Error.WriteLineAsync(error);
    return 1;
}

if (app.Services.GetRequiredService<DataFolderLock>().TryAcquire() is { } inUse)
{
    await Console.Error.WriteLineAsync(inUse);
    return 1;
}

if (await app.Services.GetRequiredService<DatabaseIntegrity>().FindDamageAsync() is { } damage)
{
    await Console.Error.WriteLineAsync(damage);
    return 1;
}

app.MapSplitCcp();
await app.RunAsync();
return 0;

/// <summary>Entry point; public so that tests can host the app.</summary>
public partial class Program;
