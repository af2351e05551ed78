using Peregrine;
using Peregrine.Configuration;
using Peregrine.Demo;

var builder = PeregrineHost.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPeregrineCore();

var app = builder.Build();

if (!app.PassesStartupChecks())
{
    return 1;
}

await app.SeedAsync();
app.MapDefaultEndpoints();
app.MapPeregrineGroup();

app.Run();
return 0;
