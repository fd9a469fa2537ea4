// Both command lines (serving and `verify`) read their flags with node:util's parseArgs, strictly, and
// word its errors the same way: the option named as typed and where to look for the list.
import { parseArgs } from 'node:util'

export interface FlagSpec {
  /** As typed: `--port`. */
  flag: string
  boolean?: boolean
}

/** The flags given (by their `--name`, the last one winning) and the positional arguments; throws `fail(message)` on bad input. */
export function readFlags (argv: string[], specs: FlagSpec[], { allowPositionals, helpCommand, fail }: {
  allowPositionals: boolean
  helpCommand: string
  fail: (message: string) => Error
}): { values: Map<string, string | boolean>, positionals: string[] } {
  const options = Object.fromEntries(specs.map(s => [s.flag.slice(2), { type: s.boolean ? 'boolean' as const : 'string' as const }]))
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals })
  } catch (err) {
    const { code, message } = err as { code?: string, message: string }
    const named = /'(-[^' ]*)/.exec(message)?.[1] ?? /'([^']*)'/.exec(message)?.[1] ?? ''
    const hint = `Run ${helpCommand} --help for the list.`
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw fail(`Unknown option "${named}". ${hint}`)
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw fail(`Unexpected argument "${named}": ${helpCommand} takes options only. ${hint}`)
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /does not take an argument/.test(message)) throw fail(`${named} takes no value`)
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /ambiguous/.test(message)) throw fail(`${named} needs a value; one that starts with a dash is written ${named}=<value>`)
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw fail(`${named} needs a value`)
    throw err
  }
  const values = new Map<string, string | boolean>()
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string' || typeof value === 'boolean') values.set(`--${name}`, value)
  }
  return { values, positionals: parsed.positionals }
}
