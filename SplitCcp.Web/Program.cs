using SplitCcp.Core;
using SplitCcp.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseStaticWebAssets();
builder.AddSplitCcpCore();
builder.AddSplitCcpWeb();

var app = builder.Build();
app.MapSplitCcp();
app.Run();

/// <summary>Entry point; public so that tests can host the app.</summary>
public partial class Program;
