import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

/** What a page may read from a response besides the CORS-safelisted headers. */
export const CORS_EXPOSED_HEADERS = ['Authorization', 'Retry-After']
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

/**
 * Browser apps call the emulator from their own dev server's origin. Any origin by default, as a
 * local tool should; a list restricts it. `allowedHeaders` is left out on purpose: the preflight
 * echoes Access-Control-Request-Headers, so `Content-Type`, `Authorization`, `Quiltt-SDK-Agent` and
 * whatever custom headers an app hands the SDK are all allowed.
 */
export async function useCors (app: FastifyInstance, origins: string[] = ['*']): Promise<void> {
  await app.register(cors, {
    origin: origins.includes('*') ? '*' : origins,
    methods: CORS_METHODS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
    // A bare OPTIONS (no Origin) gets an empty 204 instead of the plugin's text/plain 400.
    strictPreflight: false
  })
}
