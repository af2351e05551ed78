using Peregrine;
using Peregrine.Configuration;
using Peregrine.Demo;
using Peregrine.Web;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}

var builder = PeregrineHost.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPeregrineCore();
builder.AddDemo();
builder.Services.AddPeregrineWeb();

var app = builder.Build();

if (!app.PassesStartupChecks())
{
    return 1;
}

await app.PrepareDemoAsync();
app.MapDefaultEndpoints();
app.MapPeregrineGroup().MapDemo();
// After the path base's UseRouting (inside MapPeregrineGroup), so the endpoints' rate-limit policies are seen.
app.UseRateLimiter();
app.MapPeregrineWeb();

app.Run();
return 0;
