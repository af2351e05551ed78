using Peregrine;
using Peregrine.Api;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

if (!app.PassesStartupChecks())
{
    return 1;
}

app.MapDefaultEndpoints();
app.MapPeregrineGroup();

app.Run();
return 0;
