// Run by `npm run build`: the JSON copy of openapi.yaml that spares every start a YAML parse.
import { writeSpecSnapshot } from './spec.js'

process.stdout.write(`wrote ${writeSpecSnapshot()}\n`)
