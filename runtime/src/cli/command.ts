/** A `kael` subcommand: gets its own arguments, returns the process exit code. */
export interface CliCommand {
  /** One line for `kael help`. */
  summary: string;
  run(argv: string[]): Promise<number>;
}
