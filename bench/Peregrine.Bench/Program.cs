using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Peregrine.Bench.Backup;

// The résumé benchmark's helper processes run this program, as the service's run the Api.
if (Peregrine.Resume.ResumeWorker.IsInvoked(args))
{
    Environment.ExitCode = await Peregrine.Resume.ResumeWorker.RunAsync(args);
    return;
}

if (args is ["resume-parse", ..])
{
    await Peregrine.Bench.Resume.ResumeParseBench.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 50);
    return;
}

if (args is ["demo-memory"])
{
    await Peregrine.Bench.Demo.SandboxMemory.RunAsync(1_000);
    return;
}

if (args is ["export-memory"])
{
    await ExportMemory.RunAsync([1_000, 10_000, 50_000]);
    return;
}

if (args is ["task-throughput"])
{
    await Peregrine.Bench.Tasks.TaskThroughput.RunAsync(users: 100, perUser: 10);
    return;
}

if (args is ["task-memory", ..])
{
    await Peregrine.Bench.Tasks.TaskMemory.RunAsync(args.Length > 1 ? [100, int.Parse(args[1])] : [100, 10_000]);
    return;
}

if (args is ["task-memory-child", var root, var sitePort])
{
    await Peregrine.Bench.Tasks.TaskMemory.ChildAsync(root, int.Parse(sitePort));
    return;
}

if (args is ["rekey", ..])
{
    await Peregrine.Bench.Rotation.RekeyThroughput.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 1_000, args.Length > 2 ? int.Parse(args[2]) : 500);
    return;
}

if (args is ["disaster-recovery", ..])
{
    await Peregrine.Bench.DisasterRecovery.SnapshotBench.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 1_000, args.Length > 2 ? int.Parse(args[2]) : 500);
    return;
}

if (args is ["pool-forget"])
{
    Peregrine.Bench.Capacity.PoolForget.Run();
    return;
}

if (args is ["cold-open", ..])
{
    Peregrine.Bench.Capacity.ColdOpen.Run(args.Length > 1 ? int.Parse(args[1]) : 200);
    return;
}

// A short job keeps a full run to a few minutes; in-process, so no generated project inherits this repo's build rules.
var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(System.Reflection.Assembly.GetExecutingAssembly()).Run(args, config);
