/**
 * The header quiltt-mock/register adds to every request it redirects (server/drop-in/intercept.ts): the origin
 * the client addressed, e.g. `https://auth.quiltt.io`. The journal shows it as `redirectedFrom`.
 * Its own module so the server reads it without loading the interception code (and node:tls with it).
 */
export const REDIRECTED_FROM_HEADER = 'quiltt-mock-redirected-from'
