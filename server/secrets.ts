// SHA-256 digests of secrets and a constant-time comparison of two secrets.
import { hash, timingSafeEqual } from 'node:crypto'

/**
 * Secrets (API key secrets, the admin token, passcodes) are never compared byte by byte, which
 * would tell a timing attacker how much of a guess was right. Lookups go through the SHA-256 of
 * the secret (an index on the digest reveals nothing about the secret), and equality through
 * timingSafeEqual over digests, which also hides the length.
 */
export const secretDigest = (secret: string): Buffer => hash('sha256', secret, 'buffer')
export const secretDigestBase64 = (secret: string): string => hash('sha256', secret, 'base64')

export const safeEqual = (a: string, b: string): boolean => timingSafeEqual(secretDigest(a), secretDigest(b))
