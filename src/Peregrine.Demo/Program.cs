using Peregrine;
using Peregrine.Configuration;
using Peregrine.Demo;
using Peregrine.Web;

var builder = PeregrineHost.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPeregrineCore();
builder.Services.AddPeregrineWeb();

var app = builder.Build();

if (!app.PassesStartupChecks())
{
    return 1;
}

await app.SeedAsync();
app.MapDefaultEndpoints();
app.MapPeregrineGroup();
app.MapPeregrineWeb();

app.Run();
return 0;
