// --admin-token: the check every /emulator/ route but health gets.
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify'
import { errors } from '../errors.js'
import { safeEqual } from '../secrets.js'
import { bearer } from './operations.js'

const PREFIX = '/emulator/'
// A load balancer or a test runner must be able to wait for the emulator without the token.
const OPEN = new Set(['/emulator/v1/health'])

/**
 * `--admin-token`: every route under /emulator/ except health requires `Authorization: Bearer <token>`.
 * The check is attached to the routes themselves (so it follows Fastify's own matching, whatever the
 * spelling of the URL) and runs before the body is read. The Quiltt API is left as it is.
 * Call before the routes are registered.
 */
export function useAdminToken (app: FastifyInstance, token: string | undefined): void {
  if (token === undefined) return
  const check: onRequestAsyncHookHandler = async req => {
    const given = bearer(req.headers.authorization)
    if (given === undefined || !safeEqual(given, token)) throw errors.adminTokenRequired()
  }
  app.addHook('onRoute', route => {
    if (!route.url.startsWith(PREFIX) || OPEN.has(route.url)) return
    route.onRequest = [...[route.onRequest ?? []].flat(), check]
  })
}
