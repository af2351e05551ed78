using Peregrine;
using Peregrine.Configuration;
using Peregrine.Demo;

var builder = PeregrineHost.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPeregrineCore();
builder.AddDemo();

var app = builder.Build();

if (!app.PassesStartupChecks())
{
    return 1;
}

await app.PrepareDemoAsync();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapPeregrineGroup().MapDemo();

app.Run();
return 0;
