using System.CommandLine;
using GenLu.Operators;
using Spectre.Console;

namespace GenLu.Trainer.Cli;

/// <summary><c>genlu operators</c>: the built-in test operators and their parameters.</summary>
internal static class OperatorsCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("operators", "List the built-in operators and their parameters.");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumn("operator").AddColumn("size").AddColumn("parameters (default)").AddColumn("description");
            foreach (var op in TestOperators.All)
            {
                string parameters = op.DefaultParameters.Count == 0 ? "-" : string.Join(", ", op.DefaultParameters.Select(kv => $"{kv.Key} = {kv.Value:G6}"));
                table.AddRow(op.Name, op.IsGrid ? "--grid g (N = g²)" : "--n n", Markup.Escape(parameters), Markup.Escape(op.Description));
            }
            console.Out.Write(table);
            return 0;
        });
        return command;
    }
}
