using GenLu.Trainer;

return await GenluCommandLine.InvokeAsync(args, CliConsole.FromSystemConsole(), Console.Out);
