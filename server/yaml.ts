// The YAML parser, loaded on first use (only YAML fixtures and a checkout without the spec snapshot need it).
import { createRequire } from 'node:module'

type Yaml = typeof import('yaml')

let yaml: Yaml | undefined

/**
 * `yaml`'s parse, loaded on first use: a large package (docs/performance.md), and only YAML
 * fixtures and a checkout without the built spec snapshot need it.
 */
export const parseYaml = ((...args: Parameters<Yaml['parse']>) => (yaml ??= createRequire(import.meta.url)('yaml') as Yaml).parse(...args)) as Yaml['parse']
