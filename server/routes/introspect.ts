// Routes: POST /v1/introspect/session_token, /v1/introspect/api_key and /v1/introspect/processor_token.
import { errors } from '../errors.js'
import type { Services } from '../services/index.js'
import { bearer, type Handlers } from '../http/operations.js'
import { pingAnswer } from './users-session.js'

// The API version Quiltt's spec is written against; reported by API key introspection.
const API_VERSION = '2026-04-01'

export interface ApiKeyIntrospection {
  id: string
  name: string
  apiVersion: string
  metadata: null
  environment: { id: string, mode: string, name: string, metadata: null }
}

/** API key introspection's answer from the Authorization header. */
export function introspectApiKeyAnswer ({ environments }: Services): (authorization: string | undefined) => ApiKeyIntrospection {
  // One frozen answer per cached key-and-environment row (store/cache.ts hands out the same frozen
  // object until the rows change): a backend introspects its key on every request it serves.
  const answers = new WeakMap<object, ApiKeyIntrospection>()
  return authorization => {
    const found = environments.authenticateApiKey(bearer(authorization))
    let answer = answers.get(found)
    if (answer === undefined) {
      const { environment, apiKey } = found
      answer = Object.freeze({
        id: apiKey.id,
        name: apiKey.name,
        apiVersion: API_VERSION,
        metadata: null,
        environment: Object.freeze({ id: environment.id, mode: environment.mode, name: environment.name, metadata: null })
      })
      if (Object.isFrozen(found)) answers.set(found, answer)
    }
    return answer
  }
}

export function introspectRoutes (services: Services): Handlers {
  // A session token's introspection is ping's answer.
  const introspectSessionToken = pingAnswer(services)
  const introspectApiKey = introspectApiKeyAnswer(services)
  return {
    async introspectSessionToken (req) {
      return introspectSessionToken(req.headers.authorization)
    },
    async introspectApiKey (req) {
      return introspectApiKey(req.headers.authorization)
    },
    // Processor tokens are made for a bank account by a Connector, which the emulator does not have:
    // none exists, so every one is refused the way Quiltt refuses an unknown one.
    async introspectProcessorToken () {
      throw errors.processorTokenNotAuthenticated()
    }
  }
}
