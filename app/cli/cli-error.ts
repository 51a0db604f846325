/** An error the CLI reports as one line on stderr, with a non-zero exit and no stack trace. */
export class CliError extends Error {
  override name = 'CliError' as const;
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Wrong flags or arguments: exit code 2, as is usual for usage errors. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}
