using GenLu.Trainer.Cli;

return await GenluCommandLine.InvokeAsync(args, CliConsole.FromSystemConsole(), Console.Out);
